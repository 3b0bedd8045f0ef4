//! The LTI 1.1 side of a sync (Basic Outcomes): no roster nor results service, so what the LMS
//! holds is read student by student; scores go as replaceResult fractions.

use futures_util::StreamExt as _;

use crate::gradebook::StudentScore;
use crate::journal::{Outcome, StudentRow};
use crate::lti::clock;
use crate::lti::lti11::{Lti11Error, Outcomes};

use super::error::SyncError;
use super::syncer::{Assessment, Syncer, fraction_of, same};
use super::target::OutcomesTarget;

impl Syncer {
    /// LTI 1.1: what the LMS holds per student (read one by one: there is no roster or
    /// results service), and what a sync would do.
    pub(super) async fn assess_outcomes(
        &self,
        target: &OutcomesTarget,
        assignment: &str,
        scores: &[StudentScore],
    ) -> Result<Assessment, SyncError> {
        let outcomes = target.client(&self.client, self.retry);
        // Owned sourcedids: the futures must not borrow the scores (axum needs them `Send`
        // for any lifetime).
        let sourcedids: Vec<Option<String>> = scores
            .iter()
            .map(|s| {
                s.student.lms_user_id.as_deref().map(|id| target.sourcedid(assignment, &s.student.id, id))
            })
            .collect();
        let (outcomes, url) = (&outcomes, target.url.as_str());
        let held: Vec<Result<Option<f64>, Lti11Error>> = futures_util::stream::iter(sourcedids)
            .map(|sourcedid| async move {
                match sourcedid {
                    None => Ok(None),
                    Some(sourcedid) => outcomes.read_result(url, &sourcedid).await,
                }
            })
            .buffered(self.concurrency)
            .collect()
            .await;
        let mut rows = Vec::with_capacity(scores.len());
        for (s, held) in scores.iter().zip(held) {
            let mut detail = None;
            let held = match (&s.student.lms_user_id, held) {
                (None, _) => None,
                // The LMS knows no such result: the student never launched this activity.
                (Some(_), Err(Lti11Error::Refused { status: 200, description, .. })) => {
                    detail = Some(description);
                    None
                }
                (Some(_), Err(e)) => return Err(e.into()),
                (Some(_), Ok(held)) => held,
            };
            let outcome = match &s.student.lms_user_id {
                None => Outcome::NoLmsId,
                Some(_) if detail.is_some() => Outcome::NotEnrolled,
                Some(_) if s.ungraded_cells > 0 => {
                    detail = Some(format!(
                        "{} cells await a manual grade; LTI 1.1 cannot mark a grade pending, so it waits",
                        s.ungraded_cells
                    ));
                    Outcome::Held
                }
                Some(_) if held.is_some_and(|h| same(h, fraction_of(s.score, s.max_score))) => {
                    Outcome::Unchanged
                }
                Some(_) => Outcome::Pending,
            };
            rows.push(StudentRow {
                student_id: s.student.id.clone(),
                lms_user_id: s.student.lms_user_id.clone(),
                score: s.score,
                max_score: s.max_score,
                lms_score: held.map(|fraction| fraction * s.max_score),
                outcome,
                timestamp: None,
                detail,
                pending_manual: s.ungraded_cells > 0,
            });
        }
        Ok(Assessment { line_item: None, line_max: 1.0, rows })
    }

    pub(super) async fn send_all_outcomes(
        &self,
        job_id: &str,
        assignment: &str,
        target: &OutcomesTarget,
        rows: Vec<StudentRow>,
    ) -> Result<(), SyncError> {
        let outcomes = target.client(&self.client, self.retry);
        futures_util::stream::iter(rows)
            .for_each_concurrent(self.concurrency, |row| {
                let outcomes = &outcomes;
                async move {
                    let (outcome, detail) =
                        self.send_outcome(outcomes, target, job_id, assignment, &row).await;
                    if let Err(e) = self.finish_student(job_id, &row.student_id, outcome, detail).await {
                        tracing::error!(error = %e, "journal write failed");
                    }
                    self.notify();
                }
            })
            .await;
        Ok(())
    }

    /// One LTI 1.1 result. replaceResult is idempotent, yet a resumed row is read first, so a
    /// grade that landed before a crash is not sent again.
    async fn send_outcome(
        &self,
        outcomes: &Outcomes<'_>,
        target: &OutcomesTarget,
        job_id: &str,
        assignment: &str,
        row: &StudentRow,
    ) -> (Outcome, Option<String>) {
        let Some(user) = row.lms_user_id.as_deref() else { return (Outcome::NoLmsId, None) };
        let sourcedid = target.sourcedid(assignment, &row.student_id, user);
        let fraction = fraction_of(row.score, row.max_score);
        if row.outcome == Outcome::Sending
            && let Ok(Some(held)) = outcomes.read_result(&target.url, &sourcedid).await
            && same(held, fraction)
        {
            return (Outcome::Sent, Some("landed before the service stopped".into()));
        }
        let stamp = clock::format(self.clock.next());
        if let Err(e) = self.sending(job_id, &row.student_id, &stamp).await {
            return (Outcome::Failed, Some(format!("journal: {e}")));
        }
        let capped =
            (row.score > row.max_score).then(|| "above the maximum (extra credit): sent as 100 %".to_owned());
        match outcomes.replace_result(&target.url, &sourcedid, fraction).await {
            Ok(()) => (Outcome::Sent, capped),
            Err(
                e @ (Lti11Error::InvalidScore { .. }
                | Lti11Error::InvalidSourcedid
                | Lti11Error::Refused { .. }),
            ) => (Outcome::Refused, Some(e.to_string())),
            Err(e) => (Outcome::Failed, Some(e.to_string())),
        }
    }
}
