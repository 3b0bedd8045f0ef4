//! A sync: one assignment's nbgrader scores to its LMS line item (LTI 1.3 AGS).
//!
//! `plan` reads the gradebook, the roster and what the LMS already holds, and journals a job
//! with one row per student: `pending`, or already final (`unchanged`, `not_enrolled`,
//! `no_lms_id`). `run` sends the pending rows, a bounded number at a time, and also the rows
//! a stopped service left `sending` (with the timestamp journalled for them).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use futures_util::StreamExt as _;
use serde::Serialize;
use tokio::sync::watch;

use crate::config::{Platform, RosterMatch};
use crate::gradebook::{Gradebook, GradebookError, Student, StudentScore};
use crate::journal::{self, Created, Job, Outcome, SharedJournal, StudentRow};
use crate::keys::SigningKey;
use crate::lti::ags::{self, Ags, AgsError, LineItem, Member, Score};
use crate::lti::clock::{self, ScoreClock};
use crate::lti::http::RetryPolicy;
use crate::lti::lti11::{Lti11Error, Outcomes};
use crate::lti::token::{self, Token, TokenCache, TokenError};

/// Tag of the line items this service creates.
pub const TAG: &str = "nbgrader";
/// What a sync needs besides line items: read results, post scores, read the roster.
const SCOPES_ALWAYS: [&str; 3] = [token::SCOPE_RESULT_READONLY, token::SCOPE_SCORE, token::SCOPE_NRPS];

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Gradebook(#[from] GradebookError),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Lms(#[from] AgsError),
    #[error(transparent)]
    Outcomes(#[from] Lti11Error),
    #[error("the sync journal failed: {0}")]
    Journal(#[from] rusqlite::Error),
    #[error("no line item for {0:?} in the LMS, and creating it was not allowed")]
    NoLineItem(String),
    #[error(
        "no line item for {assignment:?} in the LMS (none with resourceId or label {assignment:?}), and {why}: create the grade item in the LMS (Moodle: an activity or grade item of this tool named {assignment:?}), then sync again"
    )]
    NoLineItemReadOnly { assignment: String, why: &'static str },
    #[error("the LMS's line item for {0:?} came back without an id")]
    LineItemWithoutId(String),
    #[error("no such job {0:?}")]
    NoSuchJob(String),
    #[error(
        "a sync of {assignment:?} is already running or unfinished (job {job}): wait for it to end (the grading service resumes an unfinished one when it starts)"
    )]
    Busy { assignment: String, job: String },
}

/// Where an assignment's scores go.
#[derive(Debug, Clone)]
pub enum Target {
    /// LTI 1.3 Assignment and Grade Services.
    Ags(AgsTarget),
    /// LTI 1.1 Basic Outcomes.
    Outcomes(OutcomesTarget),
}

#[derive(Debug, Clone)]
pub struct AgsTarget {
    pub platform: Platform,
    pub lineitems_url: String,
    pub memberships_url: String,
    pub create_line_items: bool,
    pub match_by: RosterMatch,
    /// With `RosterMatch::Launch`: nbgrader student id → the `sub` of their last launch.
    pub launch_ids: Arc<HashMap<String, String>>,
}

/// The LMS id of a student: nbgrader's, else the roster member the rule picks.
fn lms_id_of(student: &Student, learners: &[Member], target: &AgsTarget) -> Option<String> {
    if let Some(id) = &student.lms_user_id {
        return Some(id.clone());
    }
    let matches = |m: &&Member| match target.match_by {
        RosterMatch::LmsUserId => false,
        RosterMatch::Launch => target.launch_ids.get(&student.id) == Some(&m.user_id),
        RosterMatch::Email => {
            matches!((&m.email, &student.email), (Some(a), Some(b)) if !a.is_empty() && a.eq_ignore_ascii_case(b))
        }
        RosterMatch::Sourcedid => m.lis_person_sourcedid.as_deref() == Some(student.id.as_str()),
    };
    let mut found = learners.iter().filter(matches);
    // Two members matching one student is no match: guessing could grade the wrong person.
    match (found.next(), found.next()) {
        (Some(m), None) => Some(m.user_id.clone()),
        _ => None,
    }
}

#[derive(Debug, Clone)]
pub struct OutcomesTarget {
    pub url: String,
    pub consumer_key: String,
    pub secret: String,
    /// The student's `lis_result_sourcedid`, from `{assignment}`, `{student}`, `{lms_user_id}`.
    pub sourcedid: String,
}

impl OutcomesTarget {
    pub fn sourcedid(&self, assignment: &str, student: &str, lms_user_id: &str) -> String {
        self.sourcedid
            .replace("{assignment}", assignment)
            .replace("{student}", student)
            .replace("{lms_user_id}", lms_user_id)
    }

    fn client<'a>(&'a self, client: &'a reqwest::Client, retry: RetryPolicy) -> Outcomes<'a> {
        Outcomes { client, consumer_key: &self.consumer_key, secret: &self.secret, retry }
    }
}

/// A job to plan: which assignment of which course, for whom, started by whom.
#[derive(Debug, Clone, Copy)]
pub struct Plan<'a> {
    pub course: &'a str,
    pub gradebook: &'a Path,
    pub assignment: &'a str,
    /// Only these nbgrader students (all when `None`).
    pub only: Option<&'a [String]>,
    pub started_by: &'a str,
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
fn fraction_of(score: f64, max: f64) -> f64 {
    if max > 0.0 { (score / max).clamp(0.0, 1.0) } else { 0.0 }
}

fn same(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

impl Syncer {
    async fn sending(&self, job_id: &str, student_id: &str, timestamp: &str) -> rusqlite::Result<()> {
        let (job, student, timestamp) = (job_id.to_owned(), student_id.to_owned(), timestamp.to_owned());
        self.journal.write(move |j| j.sending(&job, &student, &timestamp)).await
    }

    async fn finish_student(
        &self,
        job_id: &str,
        student_id: &str,
        outcome: Outcome,
        detail: Option<String>,
    ) -> rusqlite::Result<()> {
        let (job, student) = (job_id.to_owned(), student_id.to_owned());
        self.journal.write(move |j| j.finish_student(&job, &student, outcome, detail.as_deref())).await
    }

    fn notify(&self) {
        self.progress.send_modify(|n| *n = n.wrapping_add(1));
    }

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
    /// the planned outcome. Creates the line item only when `create` (a preview never does).
    pub async fn assess(
        &self,
        target: &Target,
        assignment: &str,
        max_score: f64,
        scores: &[StudentScore],
        create: bool,
    ) -> Result<Assessment, SyncError> {
        match target {
            Target::Ags(target) => self.assess_ags(target, assignment, max_score, scores, create).await,
            Target::Outcomes(target) => self.assess_outcomes(target, assignment, scores).await,
        }
    }

    async fn assess_ags(
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
                                && same(lms, on_scale(s.score, s.max_score, line_max)) =>
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
                }
            })
            .collect();
        Ok(Assessment { line_item: item, line_max, rows })
    }

    /// Reads everything a sync needs and journals the job; returns its id.
    pub async fn plan(&self, plan: Plan<'_>, target: &Target) -> Result<String, SyncError> {
        let (max_score, scores) = Self::read_gradebook(plan.gradebook, plan.assignment, plan.only).await?;
        let assessment = self.assess(target, plan.assignment, max_score, &scores, true).await?;
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
        let target = match target {
            Target::Ags(target) => target,
            Target::Outcomes(target) => {
                return self.send_all_outcomes(job_id, &job.assignment, target, rows).await;
            }
        };
        if !rows.is_empty() {
            let token = self.token(target).await?;
            let ags = self.ags(&token, &target.platform)?;
            let line_max = ags.line_item(&lineitem).await?.score_maximum;
            futures_util::stream::iter(rows)
                .for_each_concurrent(self.concurrency, |row| {
                    let (ags, lineitem) = (&ags, lineitem.as_str());
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

    /// LTI 1.1: what the LMS holds per student (read one by one: there is no roster or
    /// results service), and what a sync would do.
    async fn assess_outcomes(
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
            });
        }
        Ok(Assessment { line_item: None, line_max: 1.0, rows })
    }

    async fn send_all_outcomes(
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

    /// One student's score, with the journal written before it leaves.
    async fn send(
        &self,
        ags: &Ags<'_>,
        job_id: &str,
        lineitem: &str,
        line_max: f64,
        row: &StudentRow,
    ) -> (Outcome, Option<String>) {
        let Some(user) = row.lms_user_id.clone() else { return (Outcome::NoLmsId, None) };
        let pending_manual = row.detail.is_some();
        let score = |timestamp: String| Score {
            user_id: user.clone(),
            score_given: Some(row.score),
            score_maximum: Some(row.max_score),
            comment: None,
            timestamp,
            activity_progress: "Completed".into(),
            grading_progress: if pending_manual { "PendingManual".into() } else { "FullyGraded".into() },
        };
        // Resumed: the journalled timestamp, so a score that already landed is refused as a
        // duplicate (409) instead of being recorded twice.
        let resumed = row.outcome == Outcome::Sending && row.timestamp.is_some();
        let mut timestamp = match (&row.timestamp, resumed) {
            (Some(t), true) => t.clone(),
            _ => clock::format(self.clock.next()),
        };
        for attempt in 0..2 {
            if let Err(e) = self.sending(job_id, &row.student_id, &timestamp).await {
                return (Outcome::Failed, Some(format!("journal: {e}")));
            }
            match ags.post_score(lineitem, &score(timestamp.clone())).await {
                Ok(()) => return (Outcome::Sent, None),
                Err(AgsError::Status { status: 409, body }) => {
                    if resumed && attempt == 0 && self.lms_holds(ags, lineitem, line_max, &user, row).await {
                        return (Outcome::Sent, Some("landed before the service stopped".into()));
                    }
                    if attempt == 1 {
                        return (
                            Outcome::Refused,
                            Some(format!("the LMS holds a later score (409): {body}")),
                        );
                    }
                    // The LMS compares whole seconds (Moodle): go at least one second later.
                    let micros = clock::parse_micros(&timestamp).unwrap_or_default();
                    timestamp = clock::format(self.clock.next_after(micros + 1_000_000));
                }
                Err(AgsError::Status { status, body }) if (400..500).contains(&status) => {
                    return (Outcome::Refused, Some(format!("{status}: {body}")));
                }
                Err(e) => return (Outcome::Failed, Some(e.to_string())),
            }
        }
        unreachable!("the loop returns on its second pass")
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
        let Ok(results) = ags.results(lineitem).await else { return false };
        let ours = on_scale(row.score, row.max_score, line_max);
        results.iter().any(|r| r.user_id == user && r.result_score.is_some_and(|held| same(held, ours)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, email: &str, sourcedid: &str) -> Member {
        Member {
            user_id: id.into(),
            status: None,
            name: None,
            email: Some(email.into()),
            lis_person_sourcedid: Some(sourcedid.into()),
            roles: vec!["Learner".into()],
        }
    }

    #[test]
    fn roster_rules_match_once_or_not_at_all() {
        let student = Student {
            id: "ada".into(),
            first_name: None,
            last_name: None,
            email: Some("Ada@Example.org".into()),
            lms_user_id: None,
        };
        let rule = |match_by| AgsTarget {
            platform: crate::config::Platform {
                name: "p".into(),
                issuer: "https://lms".into(),
                client_id: "c".into(),
                deployment_id: "1".into(),
                token_url: "https://lms/token".into(),
                keyset_url: "https://lms/keys".into(),
                audience: None,
            },
            lineitems_url: String::new(),
            memberships_url: String::new(),
            create_line_items: false,
            match_by,
            launch_ids: Arc::new([("ada".to_owned(), "8".to_owned())].into()),
        };
        let roster = [member("7", "ada@example.org", "ada"), member("8", "bob@example.org", "bob")];
        assert_eq!(lms_id_of(&student, &roster, &rule(RosterMatch::Email)).as_deref(), Some("7"));
        assert_eq!(lms_id_of(&student, &roster, &rule(RosterMatch::Sourcedid)).as_deref(), Some("7"));
        assert_eq!(lms_id_of(&student, &roster, &rule(RosterMatch::Launch)).as_deref(), Some("8"));
        assert_eq!(lms_id_of(&student, &roster, &rule(RosterMatch::LmsUserId)), None);
        // Two members with her email: no guess.
        let twice = [member("7", "ada@example.org", "x"), member("9", "ADA@example.org", "y")];
        assert_eq!(lms_id_of(&student, &twice, &rule(RosterMatch::Email)), None);
        // nbgrader's own id wins over any rule.
        let known = Student { lms_user_id: Some("42".into()), ..student };
        assert_eq!(lms_id_of(&known, &roster, &rule(RosterMatch::Email)).as_deref(), Some("42"));
    }
}
