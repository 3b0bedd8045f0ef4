//! The service's core, apart from HTTP: courses from the config, sync jobs started, run in the
//! background and resumed after a restart, and their status read back from the journal.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lablink_protocol::grading::{JobState, JobStatus, LmsKind, Outcome, StudentResult};

use crate::config::{Course, GradingConfig};
use crate::journal::{Job, Journal, StudentRow};
use crate::keys::SigningKey;
use crate::lti::clock::ScoreClock;
use crate::lti::http::{self, RetryPolicy};
use crate::lti::token::TokenCache;
use crate::sync::{AgsTarget, OutcomesTarget, Plan, Summary, SyncError, Syncer, Target};

/// Jobs listed per course.
pub const JOBS_LISTED: u32 = 50;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("no course {0:?} in this service's configuration")]
    NoCourse(String),
    #[error("a sync of {assignment:?} is already running (job {job})")]
    Busy { assignment: String, job: String },
    #[error("course {course:?}: {why}")]
    Config { course: String, why: String },
    #[error(transparent)]
    Sync(#[from] SyncError),
}

impl From<rusqlite::Error> for ServiceError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sync(SyncError::Journal(e))
    }
}

pub struct Service {
    pub config: GradingConfig,
    pub syncer: Syncer,
    /// Running jobs by (course, assignment): one sync per assignment at a time.
    running: Mutex<HashMap<(String, String), String>>,
}

impl Service {
    /// Opens the journal (made when missing) next to the key unless configured elsewhere.
    pub fn new(config: GradingConfig, key: Arc<SigningKey>) -> anyhow::Result<Arc<Self>> {
        let path = config.journal_path();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let journal = Journal::open(&path)
            .map_err(|e| anyhow::anyhow!("opening the sync journal {}: {e}", path.display()))?;
        let syncer = Syncer {
            client: http::client(Duration::from_secs(30))?,
            tokens: TokenCache::default(),
            key,
            clock: ScoreClock::new(),
            journal: Arc::new(Mutex::new(journal)),
            concurrency: config.max_concurrency,
            retry: RetryPolicy::default(),
            progress: tokio::sync::watch::channel(0).0,
        };
        Ok(Arc::new(Self { config, syncer, running: Mutex::default() }))
    }

    pub fn course(&self, id: &str) -> Result<&Course, ServiceError> {
        self.config.courses.iter().find(|c| c.id == id).ok_or_else(|| ServiceError::NoCourse(id.to_owned()))
    }

    pub fn lms_kind(course: &Course) -> LmsKind {
        if course.lti11.is_some() { LmsKind::Lti11 } else { LmsKind::Lti13 }
    }

    /// Where the course's scores go.
    pub fn target(&self, course: &Course) -> Result<Target, ServiceError> {
        let why = |why: String| ServiceError::Config { course: course.id.clone(), why };
        if let Some(lti11) = &course.lti11 {
            let secret = match (&lti11.secret, &lti11.secret_file) {
                (Some(secret), _) => secret.clone(),
                (None, Some(file)) => std::fs::read_to_string(file)
                    .map_err(|e| why(format!("reading the LTI 1.1 secret {}: {e}", file.display())))?
                    .trim()
                    .to_owned(),
                (None, None) => return Err(why("no LTI 1.1 secret".into())),
            };
            return Ok(Target::Outcomes(OutcomesTarget {
                url: lti11.outcome_service_url.clone(),
                consumer_key: lti11.consumer_key.clone(),
                secret,
                sourcedid: lti11.sourcedid.clone(),
            }));
        }
        let name = course.platform.as_deref().ok_or_else(|| why("no platform".into()))?;
        let platform = self
            .config
            .platforms
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| why(format!("no platform {name:?}")))?;
        Ok(Target::Ags(AgsTarget {
            platform: platform.clone(),
            lineitems_url: course.lineitems_url.clone().ok_or_else(|| why("no lineitems_url".into()))?,
            memberships_url: course
                .memberships_url
                .clone()
                .ok_or_else(|| why("no memberships_url".into()))?,
            create_line_items: course.create_line_items,
        }))
    }

    fn gradebook(&self, course: &str) -> Result<PathBuf, ServiceError> {
        Ok(self.course(course)?.gradebook.clone())
    }

    fn claim(&self, course: &str, assignment: &str, job: &str) -> Result<(), ServiceError> {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        let key = (course.to_owned(), assignment.to_owned());
        if let Some(job) = running.get(&key) {
            return Err(ServiceError::Busy { assignment: assignment.to_owned(), job: job.clone() });
        }
        running.insert(key, job.to_owned());
        Ok(())
    }

    fn release(&self, course: &str, assignment: &str) {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.remove(&(course.to_owned(), assignment.to_owned()));
    }

    /// Plans a job (errors such as an unreachable LMS come back here) and runs it in the
    /// background; returns its id.
    pub async fn start(
        self: &Arc<Self>,
        course: &str,
        assignment: &str,
        only: Option<&[String]>,
        started_by: &str,
    ) -> Result<String, ServiceError> {
        let target = self.target(self.course(course)?)?;
        self.claim(course, assignment, "being planned")?;
        let gradebook = self.gradebook(course)?;
        let plan = Plan { course, gradebook: &gradebook, assignment, only, started_by };
        let job = match self.syncer.plan(plan, &target).await {
            Ok(job) => job,
            Err(e) => {
                self.release(course, assignment);
                return Err(e.into());
            }
        };
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert((course.to_owned(), assignment.to_owned()), job.clone());
        self.spawn_run(job.clone(), course.to_owned(), assignment.to_owned(), target);
        Ok(job)
    }

    /// Plans and runs a job to its end in this task (for scripts).
    pub async fn sync_now(
        &self,
        course: &str,
        assignment: &str,
        only: Option<&[String]>,
        started_by: &str,
    ) -> Result<(String, Summary), ServiceError> {
        let target = self.target(self.course(course)?)?;
        let gradebook = self.gradebook(course)?;
        let job = self
            .syncer
            .plan(Plan { course, gradebook: &gradebook, assignment, only, started_by }, &target)
            .await?;
        let summary = self.syncer.run(&job, &target).await?;
        Ok((job, summary))
    }

    fn spawn_run(self: &Arc<Self>, job: String, course: String, assignment: String, target: Target) {
        let service = Arc::clone(self);
        tokio::spawn(async move {
            match service.syncer.run(&job, &target).await {
                Ok(summary) => tracing::info!(%job, %course, %assignment, ?summary.counts, "sync finished"),
                Err(e) => tracing::warn!(%job, %course, %assignment, error = %e, "sync failed"),
            }
            service.release(&course, &assignment);
        });
    }

    /// Starts again the jobs a stopped service left unfinished; returns their ids. A job whose
    /// course is gone from the config ends `failed` with the reason.
    pub fn resume(self: &Arc<Self>) -> Result<Vec<String>, ServiceError> {
        let unfinished = self.syncer.journal.lock().unwrap_or_else(|e| e.into_inner()).unfinished()?;
        let mut resumed = Vec::new();
        for id in unfinished {
            let Some(job) = self.journal(|j| j.job(&id))? else { continue };
            let target = self.course(&job.course).and_then(|c| self.target(c));
            match target {
                Ok(target) => {
                    self.claim(&job.course, &job.assignment, &id)?;
                    tracing::info!(job = %id, course = %job.course, assignment = %job.assignment, "resuming an interrupted sync");
                    self.spawn_run(id.clone(), job.course, job.assignment, target);
                    resumed.push(id);
                }
                Err(e) => {
                    let why = format!("not resumed: {e}");
                    self.journal(|j| j.finish_job(&id, Some(&why)))?;
                }
            }
        }
        Ok(resumed)
    }

    fn journal<T>(&self, f: impl FnOnce(&mut Journal) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        let mut journal = self.syncer.journal.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut journal)
    }

    /// A job as the API shows it; per-student rows only when `students`.
    pub fn status(&self, job_id: &str, students: bool) -> Result<Option<JobStatus>, ServiceError> {
        let Some(job) = self.journal(|j| j.job(job_id))? else { return Ok(None) };
        let rows = self.journal(|j| j.students(job_id))?;
        Ok(Some(job_status(job, &rows, students)))
    }

    /// The course's jobs, newest first, without per-student rows.
    pub fn jobs(&self, course: &str) -> Result<Vec<JobStatus>, ServiceError> {
        let jobs = self.journal(|j| j.jobs(course, JOBS_LISTED))?;
        let mut out = Vec::with_capacity(jobs.len());
        for job in jobs {
            let rows = self.journal(|j| j.students(&job.id))?;
            out.push(job_status(job, &rows, false));
        }
        Ok(out)
    }
}

pub fn student_result(row: &StudentRow) -> StudentResult {
    StudentResult {
        student_id: row.student_id.clone(),
        lms_user_id: row.lms_user_id.clone(),
        score: row.score,
        max_score: row.max_score,
        lms_score: row.lms_score,
        outcome: row.outcome,
        detail: row.detail.clone(),
    }
}

pub fn counts(rows: &[StudentRow]) -> BTreeMap<Outcome, u64> {
    let mut counts = BTreeMap::new();
    for row in rows {
        *counts.entry(row.outcome).or_default() += 1;
    }
    counts
}

fn job_status(job: Job, rows: &[StudentRow], students: bool) -> JobStatus {
    let state = match (job.finished, &job.error) {
        (false, _) => JobState::Running,
        (true, None) => JobState::Finished,
        (true, Some(_)) => JobState::Failed,
    };
    JobStatus {
        id: job.id,
        course: job.course,
        assignment: job.assignment,
        started_by: job.started_by,
        created_at: job.created_at,
        state,
        error: job.error,
        total: rows.len() as u64,
        done: rows.iter().filter(|r| r.outcome.is_final()).count() as u64,
        counts: counts(rows),
        students: if students { rows.iter().map(student_result).collect() } else { Vec::new() },
    }
}
