//! The [`Syncer`]: plans a job (journalled, one row per student) and runs it; the AGS and
//! LTI 1.1 halves of each step live in `ags` and `lti11`.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::watch;

use crate::gradebook::{Gradebook, GradebookError, StudentScore};
use crate::journal::{self, Created, Job, Outcome, SentScore, SharedJournal, StudentRow};
use crate::keys::SigningKey;
use crate::lti::ags::LineItem;
use crate::lti::clock::ScoreClock;
use crate::lti::http::RetryPolicy;
use crate::lti::token::TokenCache;

use super::error::SyncError;
use super::target::Target;

/// A job to plan: which assignment of which course, for whom, started by whom.
#[derive(Debug, Clone, Copy)]
pub struct Plan<'a> {
    pub course: &'a str,
    pub gradebook: &'a Path,
    pub assignment: &'a str,
    /// Only these nbgrader students (all when `None`).
    pub only: Option<&'a [String]>,
    /// Students whose score was changed in the LMS, to be overwritten all the same.
    pub overwrite: &'a [String],
    pub started_by: &'a str,
}

/// One assignment's nbgrader scores to weigh against what the LMS holds.
#[derive(Debug, Clone, Copy)]
pub struct Scores<'a> {
    pub course: &'a str,
    pub assignment: &'a str,
    pub max_score: f64,
    pub scores: &'a [StudentScore],
    /// Students whose score was changed in the LMS, to be overwritten all the same.
    pub overwrite: &'a [String],
}

/// What a sync would do, before anything is journalled or sent.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// `None`: the LMS has no line item for the assignment yet.
    pub line_item: Option<LineItem>,
    /// The scale the LMS keeps scores on.
    pub line_max: f64,
    pub rows: Vec<StudentRow>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub counts: BTreeMap<Outcome, u64>,
}

pub struct Syncer {
    pub client: reqwest::Client,
    pub tokens: TokenCache,
    pub key: Arc<SigningKey>,
    pub clock: ScoreClock,
    pub journal: Arc<SharedJournal>,
    pub concurrency: usize,
    pub retry: RetryPolicy,
    /// Bumped on every journal change, so progress streams know when to look again.
    pub progress: watch::Sender<u64>,
}

/// A score out of `max` on another scale (the line item's, or back to nbgrader's).
pub fn on_scale(score: f64, max: f64, line_max: f64) -> f64 {
    if max > 0.0 { score * line_max / max } else { 0.0 }
}

/// A score as LTI 1.1's fraction of the maximum, capped to 0–1.
pub(super) fn fraction_of(score: f64, max: f64) -> f64 {
    if max > 0.0 { (score / max).clamp(0.0, 1.0) } else { 0.0 }
}

pub(super) fn same(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

/// Whether the LMS holding `held` holds `ours`, both out of `max`: the same, or `ours` capped
/// to 0–`max` (Moodle bounds a grade to its item's range, so extra credit lands as the max).
pub(super) fn holds(held: f64, ours: f64, max: f64) -> bool {
    same(held, ours) || same(held, ours.clamp(0.0, max))
}

/// A score for a sentence: at most six decimals, no trailing zeros.
fn shown(score: f64) -> String {
    format!("{}", (score * 1e6).round() / 1e6)
}

fn add_detail(detail: &mut Option<String>, more: String) {
    *detail = Some(match detail.take() {
        Some(d) => format!("{d}; {more}"),
        None => more,
    });
}

/// Never overwrite a person's grade by surprise: a row to send whose LMS score is neither
/// nbgrader's nor the one this service last sent (`last_sent`; when it sent none, the score
/// is not the service's either) was changed in the LMS. It becomes `lms_changed` (skipped),
/// unless its student is in `overwrite`: then it is sent, and its detail says whose score it
/// replaces. Compared on nbgrader's scale, where the rows keep the LMS's score.
pub(super) fn keep_lms_changes(
    rows: &mut [StudentRow],
    last_sent: &HashMap<String, SentScore>,
    overwrite: &[String],
) {
    for row in rows.iter_mut().filter(|r| r.outcome == Outcome::Pending) {
        let Some(held) = row.lms_score else { continue };
        if holds(held, row.score, row.max_score) {
            continue;
        }
        let ours = last_sent.get(&row.student_id).map(|s| on_scale(s.score, s.max_score, row.max_score));
        if ours.is_some_and(|ours| holds(held, ours, row.max_score)) {
            continue;
        }
        let (held, score) = (shown(held), shown(row.score));
        if overwrite.contains(&row.student_id) {
            add_detail(
                &mut row.detail,
                format!(
                    "overwrites the LMS's score {held} (changed in the LMS) with nbgrader's {score}, as asked"
                ),
            );
            continue;
        }
        let whose = match ours {
            Some(ours) => format!("not the {} this service last sent", shown(ours)),
            None => "which this service did not send".to_owned(),
        };
        row.outcome = Outcome::LmsChanged;
        add_detail(
            &mut row.detail,
            format!(
                "the LMS holds {held}, {whose}: someone changed it there, so it is left as it is (choose to overwrite it to send nbgrader's {score})"
            ),
        );
    }
}

impl Syncer {
    pub(super) async fn sending(
        &self,
        job_id: &str,
        student_id: &str,
        timestamp: &str,
    ) -> rusqlite::Result<()> {
        let (job, student, timestamp) = (job_id.to_owned(), student_id.to_owned(), timestamp.to_owned());
        self.journal.write(move |j| j.sending(&job, &student, &timestamp)).await
    }

    pub(super) async fn finish_student(
        &self,
        job_id: &str,
        student_id: &str,
        outcome: Outcome,
        detail: Option<String>,
    ) -> rusqlite::Result<()> {
        let (job, student) = (job_id.to_owned(), student_id.to_owned());
        self.journal.write(move |j| j.finish_student(&job, &student, outcome, detail.as_deref())).await
    }

    pub(super) fn notify(&self) {
        self.progress.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Reads an assignment's maximum and scores from the gradebook, off the async threads;
    /// only the students in `only`, when given.
    pub async fn read_gradebook(
        gradebook: &Path,
        assignment: &str,
        only: Option<&[String]>,
    ) -> Result<(f64, Vec<StudentScore>), GradebookError> {
        let (path, name) = (gradebook.to_owned(), assignment.to_owned());
        let (max, mut scores) =
            tokio::task::spawn_blocking(move || Gradebook::open(&path)?.assignment_scores(&name))
                .await
                .expect("the gradebook reader does not panic")?;
        if let Some(only) = only {
            scores.retain(|s| only.contains(&s.student.id));
        }
        Ok((max, scores))
    }

    /// What a sync of these scores would do: one row per student with what the LMS holds and
    /// the planned outcome (`lms_changed` for a score someone changed in the LMS, see
    /// [`keep_lms_changes`]). Creates the line item only when `create` (a preview never does).
    pub async fn assess(
        &self,
        target: &Target,
        what: Scores<'_>,
        create: bool,
    ) -> Result<Assessment, SyncError> {
        let Scores { course, assignment, max_score, scores, overwrite } = what;
        let mut assessment = match target {
            Target::Ags(target) => self.assess_ags(target, assignment, max_score, scores, create).await?,
            Target::Outcomes(target) => self.assess_outcomes(target, assignment, scores).await?,
        };
        let last_sent = self.journal.read(|j| j.last_sent(course, assignment))?;
        keep_lms_changes(&mut assessment.rows, &last_sent, overwrite);
        Ok(assessment)
    }

    /// Reads everything a sync needs and journals the job; returns its id.
    pub async fn plan(&self, plan: Plan<'_>, target: &Target) -> Result<String, SyncError> {
        let (max_score, scores) = Self::read_gradebook(plan.gradebook, plan.assignment, plan.only).await?;
        let what = Scores {
            course: plan.course,
            assignment: plan.assignment,
            max_score,
            scores: &scores,
            overwrite: plan.overwrite,
        };
        let assessment = self.assess(target, what, true).await?;
        // LTI 1.1 has no line item: the outcomes URL stands in its place in the journal.
        let lineitem = match target {
            Target::Ags(_) => assessment
                .line_item
                .and_then(|i| i.id)
                .ok_or_else(|| SyncError::LineItemWithoutId(plan.assignment.to_owned()))?,
            Target::Outcomes(o) => o.url.clone(),
        };
        let job = Job {
            id: format!("{:024x}", rand::random::<u128>() >> 32),
            course: plan.course.to_owned(),
            assignment: plan.assignment.to_owned(),
            lineitem: Some(lineitem),
            started_by: plan.started_by.to_owned(),
            created_at: time::OffsetDateTime::now_utc().unix_timestamp(),
            finished: false,
            error: None,
        };
        let (id, assignment) = (job.id.clone(), job.assignment.clone());
        match self.journal.write(move |j| j.create_job(&job, &assessment.rows)).await? {
            Created::Yes => {}
            Created::Busy(job) => return Err(SyncError::Busy { assignment, job }),
        }
        self.notify();
        Ok(id)
    }

    /// Sends the job's pending (and interrupted) rows; marks the job finished. When the job
    /// cannot go on (no token, no line item), it ends `failed` with the reason, and so do the
    /// students it did not reach.
    pub async fn run(&self, job_id: &str, target: &Target) -> Result<Summary, SyncError> {
        let result = self.send_all(job_id, target).await;
        let error = result.as_ref().err().map(|e| e.to_string());
        let id = job_id.to_owned();
        self.journal.write(move |j| j.finish_job(&id, error.as_deref())).await?;
        self.notify();
        result?;
        Ok(Summary { counts: journal::counts(&self.journal.read(|j| j.students(job_id))?) })
    }

    async fn send_all(&self, job_id: &str, target: &Target) -> Result<(), SyncError> {
        let job =
            self.journal.read(|j| j.job(job_id))?.ok_or_else(|| SyncError::NoSuchJob(job_id.to_owned()))?;
        let lineitem = job.lineitem.clone().ok_or_else(|| SyncError::NoLineItem(job.assignment.clone()))?;
        let rows: Vec<StudentRow> = self
            .journal
            .read(|j| j.students(job_id))?
            .into_iter()
            .filter(|r| !r.outcome.is_final())
            .collect();
        match target {
            Target::Ags(target) => self.send_all_ags(job_id, &lineitem, target, rows).await,
            Target::Outcomes(target) => self.send_all_outcomes(job_id, &job.assignment, target, rows).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, score: f64, max: f64, held: Option<f64>) -> StudentRow {
        StudentRow {
            student_id: id.into(),
            lms_user_id: Some(format!("lms-{id}")),
            score,
            max_score: max,
            lms_score: held,
            outcome: Outcome::Pending,
            timestamp: None,
            detail: None,
            pending_manual: false,
        }
    }

    fn sent(score: f64, max: f64) -> SentScore {
        SentScore { score, max_score: max }
    }

    #[test]
    fn a_score_neither_nbgrader_nor_ours_is_left_in_the_lms() {
        let mut rows = vec![
            // The LMS holds what we last sent; nbgrader's changed since: sent.
            row("regraded", 8.0, 10.0, Some(9.0)),
            // Someone changed it in the LMS after our send.
            row("edited", 8.0, 10.0, Some(5.0)),
            // We never sent one: not ours either.
            row("never-sent", 8.0, 10.0, Some(5.0)),
            // Nothing held: nothing to keep.
            row("empty", 8.0, 10.0, None),
            // Changed there, but the instructor chose to overwrite it.
            row("ticked", 8.0, 10.0, Some(5.0)),
            // Extra credit the LMS capped to its maximum (Moodle bounds grades): ours.
            row("capped", 11.0, 10.0, Some(10.0)),
            // Our last send was on another maximum: compared on one scale.
            row("rescaled", 8.0, 10.0, Some(4.5)),
        ];
        rows.push(StudentRow { outcome: Outcome::NotEnrolled, ..row("not-enrolled", 8.0, 10.0, Some(1.0)) });
        let last = HashMap::from([
            ("regraded".to_owned(), sent(9.0, 10.0)),
            ("edited".to_owned(), sent(7.0, 10.0)),
            ("ticked".to_owned(), sent(7.0, 10.0)),
            ("capped".to_owned(), sent(12.0, 10.0)),
            ("rescaled".to_owned(), sent(9.0, 20.0)),
        ]);
        keep_lms_changes(&mut rows, &last, &["ticked".to_owned()]);
        let by = |id: &str| rows.iter().find(|r| r.student_id == id).unwrap().clone();
        for id in ["regraded", "empty", "ticked", "capped", "rescaled"] {
            assert_eq!(by(id).outcome, Outcome::Pending, "{id}");
        }
        assert_eq!(by("regraded").detail, None);
        assert_eq!(by("not-enrolled").outcome, Outcome::NotEnrolled, "final rows stay as they are");
        let edited = by("edited");
        assert_eq!(edited.outcome, Outcome::LmsChanged);
        let why = edited.detail.unwrap();
        assert!(why.contains("the LMS holds 5, not the 7 this service last sent"), "{why}");
        assert!(why.contains("nbgrader's 8"), "{why}");
        let never = by("never-sent").detail.unwrap();
        assert!(never.contains("the LMS holds 5, which this service did not send"), "{never}");
        let ticked = by("ticked").detail.unwrap();
        assert!(ticked.contains("overwrites the LMS's score 5"), "{ticked}");
    }

    #[test]
    fn a_changed_score_keeps_the_rows_other_detail() {
        let mut rows = vec![StudentRow {
            detail: Some("1 cells await a manual grade".into()),
            pending_manual: true,
            ..row("bob", 6.0, 11.5, Some(3.25))
        }];
        keep_lms_changes(&mut rows, &HashMap::new(), &[]);
        assert_eq!(rows[0].outcome, Outcome::LmsChanged);
        let detail = rows[0].detail.as_deref().unwrap();
        assert!(detail.starts_with("1 cells await a manual grade; the LMS holds 3.25,"), "{detail}");
        assert!(rows[0].pending_manual, "what is sent, if overwritten, is unchanged");
    }
}
