//! The [`Syncer`]: plans a job (journalled, one row per student) and runs it; the AGS and
//! LTI 1.1 halves of each step live in `ags` and `lti11`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::watch;

use crate::gradebook::{Gradebook, GradebookError, StudentScore};
use crate::journal::{self, Created, Job, Outcome, SharedJournal, StudentRow};
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
pub(super) fn fraction_of(score: f64, max: f64) -> f64 {
    if max > 0.0 { (score / max).clamp(0.0, 1.0) } else { 0.0 }
}

pub(super) fn same(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
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
        match target {
            Target::Ags(target) => self.send_all_ags(job_id, &lineitem, target, rows).await,
            Target::Outcomes(target) => self.send_all_outcomes(job_id, &job.assignment, target, rows).await,
        }
    }
}
