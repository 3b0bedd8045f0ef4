//! The service's core, apart from HTTP: courses from the config, sync jobs started, run in the
//! background and resumed after a restart, and their status read back from the journal.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lablink_protocol::grading::{JobState, JobStatus, LmsKind, LmsView, StudentResult, SyncPreview};

use crate::config::{Course, GradingConfig};
use crate::journal::{self, Job, Journal, StudentRow};
use crate::keys::SigningKey;
use crate::lti::clock::ScoreClock;
use crate::lti::http::{self, RetryPolicy};
use crate::lti::token::TokenCache;
use crate::sync::{AgsTarget, Assessment, OutcomesTarget, Plan, Summary, SyncError, Syncer, Target};

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

    /// Where the course's scores go; `launch` fills the URLs the config leaves out.
    pub fn target(&self, course: &Course) -> Result<Target, ServiceError> {
        self.target_with(course, &Launches::default())
    }

    pub fn target_with(&self, course: &Course, launches: &Launches) -> Result<Target, ServiceError> {
        let launch = launches.course.as_ref();
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
            lineitems_url: course
                .lineitems_url
                .clone()
                .or_else(|| launch.map(|l| l.lineitems_url.clone()))
                .ok_or_else(
                || why("no lineitems_url, and no LTI launch to read it from".into()),
            )?,
            memberships_url: course
                .memberships_url
                .clone()
                .or_else(|| launch.map(|l| l.memberships_url.clone()))
                .ok_or_else(|| why("no memberships_url, and no LTI launch to read it from".into()))?,
            create_line_items: course.create_line_items,
            match_by: course.match_by,
            launch_ids: Arc::new(launches.students.clone()),
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
        launches: &Launches,
    ) -> Result<String, ServiceError> {
        let target = self.target_with(self.course(course)?, launches)?;
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
        let unfinished = self.syncer.journal(|j| j.unfinished())?;
        let mut resumed = Vec::new();
        for id in unfinished {
            let Some(job) = self.syncer.journal(|j| j.job(&id))? else { continue };
            // Running needs the platform and the journalled line item, not the launch URLs.
            let unused = Launch { lineitems_url: String::new(), memberships_url: String::new() };
            let launches = Launches { course: Some(unused), students: HashMap::new() };
            let target = self.course(&job.course).and_then(|c| self.target_with(c, &launches));
            match target {
                Ok(target) => {
                    self.claim(&job.course, &job.assignment, &id)?;
                    tracing::info!(job = %id, course = %job.course, assignment = %job.assignment, "resuming an interrupted sync");
                    self.spawn_run(id.clone(), job.course, job.assignment, target);
                    resumed.push(id);
                }
                Err(e) => {
                    let why = format!("not resumed: {e}");
                    self.syncer.journal(|j| j.finish_job(&id, Some(&why)))?;
                }
            }
        }
        Ok(resumed)
    }

    /// A job as the API shows it; per-student rows only when `students`.
    pub fn status(&self, job_id: &str, students: bool) -> Result<Option<JobStatus>, ServiceError> {
        let Some(job) = self.syncer.journal(|j| j.job(job_id))? else { return Ok(None) };
        let rows = self.syncer.journal(|j| j.students(job_id))?;
        Ok(Some(job_status(job, &rows, students)))
    }

    /// The course's jobs, newest first, without per-student rows.
    pub fn jobs(&self, course: &str) -> Result<Vec<JobStatus>, ServiceError> {
        let jobs = self.syncer.journal(|j| j.jobs(course, JOBS_LISTED))?;
        let mut out = Vec::with_capacity(jobs.len());
        for job in jobs {
            let rows = self.syncer.journal(|j| j.students(&job.id))?;
            out.push(job_status(job, &rows, false));
        }
        Ok(out)
    }
}

/// What the hub's stored launches add to a course's config: the caller's (for the endpoints)
/// and the students' own (for their LMS ids, with `match_by = "launch"`).
#[derive(Debug, Clone, Default)]
pub struct Launches {
    pub course: Option<Launch>,
    /// nbgrader student id → `sub` of their last launch on the course's platform.
    pub students: HashMap<String, String>,
}

/// The AGS and NRPS endpoints of an instructor's LTI 1.3 launch of the course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    pub lineitems_url: String,
    pub memberships_url: String,
}

const CLAIM_CONTEXT: &str = "https://purl.imsglobal.org/spec/lti/claim/context";
const CLAIM_AGS: &str = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint";
const CLAIM_NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice";

impl Launch {
    /// Reads the launch claims jupyterhub-ltiauthenticator keeps as `auth_state` (the id_token's
    /// claims), if they are a launch of LMS course `context_id`.
    pub fn from_claims(claims: &serde_json::Value, context_id: &str) -> Result<Self, String> {
        let context = claims[CLAIM_CONTEXT]["id"].as_str();
        if context != Some(context_id) {
            return Err(match context {
                Some(other) => format!(
                    "your last LTI launch was from LMS course {other:?}, not {context_id:?}: open this course's tool link in the LMS, then try again"
                ),
                None => "no LTI 1.3 launch is stored for you: open this course's tool link in the LMS, then try again".into(),
            });
        }
        let url = |claim: &str, key: &str| claims[claim][key].as_str().map(str::to_owned);
        match (url(CLAIM_AGS, "lineitems"), url(CLAIM_NRPS, "context_memberships_url")) {
            (Some(lineitems_url), Some(memberships_url)) => Ok(Self { lineitems_url, memberships_url }),
            _ => Err("your last LTI launch carries no grade or roster service: enable both for the tool in the LMS".into()),
        }
    }
}

/// The LMS side of an assessment, as the API shows it.
pub fn lms_view(assessment: &Assessment) -> LmsView {
    LmsView {
        line_item: assessment.line_item.as_ref().and_then(|i| i.id.clone()),
        line_max: assessment.line_item.as_ref().map(|i| i.score_maximum),
        error: None,
    }
}

/// What a sync of `assessment` would change (the API's preview, and the script's).
pub fn preview(course: &str, assignment: &str, assessment: &Assessment) -> SyncPreview {
    SyncPreview {
        course: course.to_owned(),
        assignment: assignment.to_owned(),
        lms: lms_view(assessment),
        counts: journal::counts(&assessment.rows),
        rows: assessment.rows.iter().map(student_result).collect(),
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
        counts: journal::counts(rows),
        students: if students { rows.iter().map(student_result).collect() } else { Vec::new() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(context: &str) -> serde_json::Value {
        json!({
            CLAIM_CONTEXT: {"id": context, "label": "INTRO"},
            CLAIM_AGS: {"lineitems": "https://lms.example/li?type_id=3", "scope": []},
            CLAIM_NRPS: {"context_memberships_url": "https://lms.example/members"},
        })
    }

    #[test]
    fn a_launch_counts_only_for_its_own_course() {
        let launch = Launch::from_claims(&claims("12"), "12").unwrap();
        assert_eq!(launch.lineitems_url, "https://lms.example/li?type_id=3");
        assert_eq!(launch.memberships_url, "https://lms.example/members");
        let other = Launch::from_claims(&claims("99"), "12").unwrap_err();
        assert!(other.contains("\"99\", not \"12\""), "{other}");
        assert!(
            Launch::from_claims(&serde_json::Value::Null, "12").unwrap_err().contains("no LTI 1.3 launch")
        );
        let mut no_ags = claims("12");
        no_ags[CLAIM_AGS] = serde_json::Value::Null;
        assert!(Launch::from_claims(&no_ags, "12").unwrap_err().contains("no grade or roster service"));
    }
}
