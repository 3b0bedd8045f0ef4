//! The LTI 1.3 side of a sync (Assignment and Grade Services): a token with the scopes the
//! course needs, its line item (found, or created when allowed), what the LMS holds, and each
//! student's score with the journal written before it leaves.

use std::collections::{HashMap, HashSet};

use futures_util::StreamExt as _;

use crate::config::Platform;
use crate::gradebook::StudentScore;
use crate::journal::{Outcome, StudentRow};
use crate::lti::ags::{self, Ags, AgsError, LineItem, Member, Score};
use crate::lti::clock;
use crate::lti::http::RetryPolicy;
use crate::lti::token::{self, Token, TokenError};

use super::error::SyncError;
use super::roster::lms_id_of;
use super::syncer::{Assessment, Syncer, holds, on_scale, same};
use super::target::AgsTarget;

/// A `locked` student's detail: what happened, and what to do.
const LOCKED: &str = "the LMS would not store this score (it answered 500 twice) though it answers the service's other calls: the grade is locked there (in Moodle, the grade item or this student's grade is locked in the gradebook). Unlock it, then use Retry failed";

/// Tag of the line items this service creates.
pub const TAG: &str = "nbgrader";
/// What a sync needs besides line items: read results, post scores, read the roster.
const SCOPES_ALWAYS: [&str; 3] = [token::SCOPE_RESULT_READONLY, token::SCOPE_SCORE, token::SCOPE_NRPS];

impl Syncer {
    /// A token for what the course needs: managing line items when it may create them, else
    /// reading them (the only line-item scope Moodle grants with "grade sync only"). A scope
    /// the LMS did not grant is an error naming the LMS service to enable.
    async fn token(&self, target: &AgsTarget) -> Result<Token, TokenError> {
        let mut scopes = vec![token::SCOPE_LINEITEM_READONLY];
        if target.create_line_items {
            scopes.push(token::SCOPE_LINEITEM);
        }
        scopes.extend(SCOPES_ALWAYS);
        let token = self.tokens.get(&self.client, &target.platform, &self.key, &scopes).await?;
        let line_items = token.grants(token::SCOPE_LINEITEM) || token.grants(token::SCOPE_LINEITEM_READONLY);
        let missing = SCOPES_ALWAYS.iter().copied().find(|s| !token.grants(s));
        match missing.or((!line_items).then_some(token::SCOPE_LINEITEM_READONLY)) {
            Some(scope) => {
                Err(TokenError::ScopeMissing { missing: scope.to_owned(), enable: token::enable_hint(scope) })
            }
            None => Ok(token),
        }
    }

    fn ags<'a>(&'a self, token: &'a Token, platform: &Platform) -> Result<Ags<'a>, SyncError> {
        let origin = ags::platform_origin(&platform.token_url)?;
        Ok(Ags { client: &self.client, token: &token.bearer, retry: self.retry, origin })
    }

    /// The line item of `assignment`, found by `resourceId`; where the course may not create
    /// line items, also the one item without a `resourceId` labelled so (an LMS activity or
    /// grade item an instructor made for it).
    async fn find_line_item(
        &self,
        ags: &Ags<'_>,
        target: &AgsTarget,
        assignment: &str,
    ) -> Result<Option<LineItem>, SyncError> {
        let items = ags.line_items(&target.lineitems_url).await?;
        if let Some(item) =
            items.iter().find(|i| i.resource_id.as_deref() == Some(assignment) && i.id.is_some())
        {
            return Ok(Some(item.clone()));
        }
        if target.create_line_items {
            return Ok(None);
        }
        let mut labelled = items.into_iter().filter(|i| {
            i.id.is_some()
                && i.resource_id.as_deref().is_none_or(str::is_empty)
                && i.label.trim() == assignment
        });
        Ok(match (labelled.next(), labelled.next()) {
            (Some(item), None) => Some(item),
            _ => None,
        })
    }

    /// The line item of `assignment`, created when missing and allowed.
    async fn line_item(
        &self,
        ags: &Ags<'_>,
        token: &Token,
        target: &AgsTarget,
        assignment: &str,
        max: f64,
    ) -> Result<LineItem, SyncError> {
        if let Some(item) = self.find_line_item(ags, target, assignment).await? {
            return Ok(item);
        }
        if !target.create_line_items {
            let why = "this course may not create one (create_line_items = false)";
            return Err(SyncError::NoLineItemReadOnly { assignment: assignment.to_owned(), why });
        }
        if !token.grants(token::SCOPE_LINEITEM) {
            let why = "the LMS lets this tool read line items only (Moodle: \"Use this service for grade sync only\")";
            return Err(SyncError::NoLineItemReadOnly { assignment: assignment.to_owned(), why });
        }
        let item = LineItem {
            id: None,
            score_maximum: max,
            label: assignment.to_owned(),
            resource_id: Some(assignment.to_owned()),
            tag: Some(TAG.to_owned()),
            resource_link_id: None,
        };
        let created = ags.create_line_item(&target.lineitems_url, &item).await?;
        if created.id.is_none() {
            return Err(SyncError::LineItemWithoutId(assignment.to_owned()));
        }
        Ok(created)
    }

    pub(super) async fn assess_ags(
        &self,
        target: &AgsTarget,
        assignment: &str,
        max_score: f64,
        scores: &[StudentScore],
        create: bool,
    ) -> Result<Assessment, SyncError> {
        let token = self.token(target).await?;
        let ags = self.ags(&token, &target.platform)?;
        let item = if create {
            Some(self.line_item(&ags, &token, target, assignment, max_score).await?)
        } else {
            self.find_line_item(&ags, target, assignment).await?
        };
        let members: Vec<Member> = ags
            .members(&target.memberships_url)
            .await?
            .into_iter()
            .filter(|m| m.is_active_learner())
            .collect();
        let learners: HashSet<&str> = members.iter().map(|m| m.user_id.as_str()).collect();
        let held: HashMap<String, Option<f64>> = match item.as_ref().and_then(|i| i.id.as_deref()) {
            Some(id) => ags.results(id).await?.into_iter().map(|r| (r.user_id, r.result_score)).collect(),
            None => HashMap::new(),
        };
        // Without a line item yet, the LMS scale is the one it will be created with.
        let line_max = item.as_ref().map_or(max_score, |i| i.score_maximum);
        let rows = scores
            .iter()
            .map(|s| {
                let resolved = lms_id_of(&s.student, &members, target);
                let lms_id = resolved.as_deref();
                let held = lms_id.and_then(|id| held.get(id)).copied();
                let lms_score = held.flatten().map(|h| on_scale(h, line_max, s.max_score));
                let outcome = match lms_id {
                    None => Outcome::NoLmsId,
                    Some(id) if !learners.contains(id) => Outcome::NotEnrolled,
                    Some(_) => match held {
                        Some(Some(lms))
                            if s.ungraded_cells == 0
                                && holds(lms, on_scale(s.score, s.max_score, line_max), line_max) =>
                        {
                            Outcome::Unchanged
                        }
                        // Held as "no grade" while cells await grading: PendingManual is there.
                        Some(None) if s.ungraded_cells > 0 => Outcome::Unchanged,
                        _ => Outcome::Pending,
                    },
                };
                StudentRow {
                    student_id: s.student.id.clone(),
                    lms_user_id: resolved.clone(),
                    score: s.score,
                    max_score: s.max_score,
                    lms_score,
                    outcome,
                    timestamp: None,
                    detail: (s.ungraded_cells > 0)
                        .then(|| format!("{} cells await a manual grade", s.ungraded_cells)),
                    pending_manual: s.ungraded_cells > 0,
                }
            })
            .collect();
        Ok(Assessment { line_item: item, line_max, rows })
    }

    /// Sends the pending rows of a job to its line item, a bounded number at a time.
    pub(super) async fn send_all_ags(
        &self,
        job_id: &str,
        lineitem: &str,
        target: &AgsTarget,
        rows: Vec<StudentRow>,
    ) -> Result<(), SyncError> {
        if !rows.is_empty() {
            let token = self.token(target).await?;
            let ags = self.ags(&token, &target.platform)?;
            let line_max = ags.line_item(lineitem).await?.score_maximum;
            futures_util::stream::iter(rows)
                .for_each_concurrent(self.concurrency, |row| {
                    let ags = &ags;
                    async move {
                        let (outcome, detail) = self.send(ags, job_id, lineitem, line_max, &row).await;
                        let detail = detail.or(row.detail.clone());
                        if let Err(e) = self.finish_student(job_id, &row.student_id, outcome, detail).await {
                            tracing::error!(error = %e, "journal write failed");
                        }
                        self.notify();
                    }
                })
                .await;
        }
        Ok(())
    }

    /// One student's score, with the journal written before it leaves.
    ///
    /// Two answers get one more try each: a 409 (the LMS holds a score as new: sent again a
    /// second later) and a 500 while the LMS still answers a read of the student's result.
    /// Moodle answers 500 to a score it will not store because the grade is locked, and
    /// retrying that for long changes nothing; a second such 500 makes the student `locked`.
    /// A 500 with the reads failing too is the LMS in trouble: retried as any 5xx, `failed`.
    async fn send(
        &self,
        ags: &Ags<'_>,
        job_id: &str,
        lineitem: &str,
        line_max: f64,
        row: &StudentRow,
    ) -> (Outcome, Option<String>) {
        let Some(user) = row.lms_user_id.clone() else { return (Outcome::NoLmsId, None) };
        let score = |timestamp: String| Score {
            user_id: user.clone(),
            score_given: Some(row.score),
            score_maximum: Some(row.max_score),
            comment: None,
            timestamp,
            activity_progress: "Completed".into(),
            grading_progress: if row.pending_manual { "PendingManual".into() } else { "FullyGraded".into() },
        };
        // Resumed: the journalled timestamp, so a score that already landed is refused as a
        // duplicate (409) instead of being recorded twice.
        let resumed = row.outcome == Outcome::Sending && row.timestamp.is_some();
        let mut timestamp = match (&row.timestamp, resumed) {
            (Some(t), true) => t.clone(),
            _ => clock::format(self.clock.next()),
        };
        let (mut conflicts, mut refusals) = (0, 0);
        loop {
            if let Err(e) = self.sending(job_id, &row.student_id, &timestamp).await {
                return (Outcome::Failed, Some(format!("journal: {e}")));
            }
            match ags.post_score_once_on_500(lineitem, &score(timestamp.clone())).await {
                Ok(()) => return self.shown(ags, lineitem, line_max, &user, row).await,
                Err(AgsError::Status { status: 409, body }) => {
                    if resumed && conflicts == 0 && self.lms_holds(ags, lineitem, line_max, &user, row).await
                    {
                        return (Outcome::Sent, Some("landed before the service stopped".into()));
                    }
                    if conflicts == 1 {
                        return (
                            Outcome::Refused,
                            Some(format!("the LMS holds a later score (409): {body}")),
                        );
                    }
                    conflicts += 1;
                    // The LMS compares whole seconds (Moodle): go at least one second later.
                    let micros = clock::parse_micros(&timestamp).unwrap_or_default();
                    timestamp = clock::format(self.clock.next_after(micros + 1_000_000));
                }
                Err(AgsError::Status { status: 500, .. }) if self.lms_answers(ags, lineitem, &user).await => {
                    if refusals == 1 {
                        return (Outcome::Locked, Some(LOCKED.to_owned()));
                    }
                    refusals += 1;
                    tokio::time::sleep(ags.retry.base_delay).await;
                }
                Err(AgsError::Status { status: 500, .. }) => {
                    // The LMS fails its reads too: the rest of the usual retries, then `failed`.
                    let rest =
                        RetryPolicy { attempts: ags.retry.attempts.saturating_sub(1).max(1), ..ags.retry };
                    tokio::time::sleep(ags.retry.delay(1, None)).await;
                    return settled(ags.retrying(rest).post_score(lineitem, &score(timestamp.clone())).await);
                }
                Err(e) => return settled(Err(e)),
            }
        }
    }

    /// A score the LMS took in place of another it held: `sent` if the LMS now shows it, else
    /// `refused` saying why. Moodle takes a score for a grade a teacher edited in its gradebook
    /// (an override) yet keeps showing the teacher's. Unknown (the read fails): `sent`.
    async fn shown(
        &self,
        ags: &Ags<'_>,
        lineitem: &str,
        line_max: f64,
        user: &str,
        row: &StudentRow,
    ) -> (Outcome, Option<String>) {
        let replaced =
            row.lms_score.filter(|held| !row.pending_manual && !holds(*held, row.score, row.max_score));
        let Some(before) = replaced else { return (Outcome::Sent, None) };
        let Ok(results) = ags.results_of(lineitem, user).await else { return (Outcome::Sent, None) };
        let now = results
            .iter()
            .find(|r| r.user_id == user)
            .and_then(|r| r.result_score)
            .map(|s| on_scale(s, line_max, row.max_score));
        match now {
            Some(now) if same(now, before) => (
                Outcome::Refused,
                Some(format!(
                    "the LMS took the score but still shows {}: its gradebook overrides it (in Moodle, the grade was edited in the gradebook). Remove the override there, then use Retry failed",
                    (now * 1e6).round() / 1e6
                )),
            ),
            _ => (Outcome::Sent, None),
        }
    }

    /// Whether the LMS answers a read of `user`'s result in the line item, at the first try.
    async fn lms_answers(&self, ags: &Ags<'_>, lineitem: &str, user: &str) -> bool {
        let once = ags.retrying(RetryPolicy { attempts: 1, ..ags.retry });
        once.results_of(lineitem, user).await.is_ok()
    }

    /// Whether the LMS already holds this row's score (after a 409 on a resumed row).
    async fn lms_holds(
        &self,
        ags: &Ags<'_>,
        lineitem: &str,
        line_max: f64,
        user: &str,
        row: &StudentRow,
    ) -> bool {
        // That student's result only, not the whole line item's.
        let Ok(results) = ags.results_of(lineitem, user).await else { return false };
        let ours = on_scale(row.score, row.max_score, line_max);
        results.iter().any(|r| r.user_id == user && r.result_score.is_some_and(|held| same(held, ours)))
    }
}

/// A score POST's last answer as the student's outcome.
fn settled(result: Result<(), AgsError>) -> (Outcome, Option<String>) {
    match result {
        Ok(()) => (Outcome::Sent, None),
        Err(AgsError::Status { status, body }) if (400..500).contains(&status) => {
            (Outcome::Refused, Some(format!("{status}: {body}")))
        }
        Err(e) => (Outcome::Failed, Some(e.to_string())),
    }
}
