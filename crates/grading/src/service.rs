//! The service's core, apart from HTTP: courses from the config, sync jobs started, run in the
//! background and resumed after a restart, and their status read back from the journal.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lablink_protocol::grading::{
    JobState, JobStatus, LmsKind, LmsView, StudentResult, SyncPreview, SyncRequest,
};

use crate::config::{Course, GradingConfig, Platform};
use crate::journal::{self, Job, SharedJournal, StudentRow};
use crate::keys::SigningKey;
use crate::lti::ags;
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
        let journal = SharedJournal::open(&path)
            .map_err(|e| anyhow::anyhow!("opening the sync journal {}: {e}", path.display()))?;
        let syncer = Syncer {
            client: http::client(Duration::from_secs(30))?,
            tokens: TokenCache::default(),
            key,
            clock: ScoreClock::new(),
            journal: Arc::new(journal),
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

    /// Claims the assignment for one job: refused while another job of it runs here, or is
    /// unfinished in the journal (run by another process, e.g. `lablink grading … sync`, or
    /// left by a stopped service), other than `resuming`. Released when the claim is dropped.
    fn claim(
        self: &Arc<Self>,
        course: &str,
        assignment: &str,
        job: &str,
        resuming: Option<&str>,
    ) -> Result<Claim, ServiceError> {
        let busy = |job: String| SyncError::Busy { assignment: assignment.to_owned(), job };
        let key = (course.to_owned(), assignment.to_owned());
        {
            let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(job) = running.get(&key) {
                return Err(busy(job.clone()).into());
            }
            running.insert(key.clone(), job.to_owned());
        }
        // Released on any early return from here on.
        let claim = Claim { service: Arc::clone(self), key };
        let unfinished = self.syncer.journal.read(|j| j.unfinished_of(course, assignment))?;
        if let Some(other) = unfinished.into_iter().find(|id| Some(id.as_str()) != resuming) {
            return Err(busy(other).into());
        }
        Ok(claim)
    }

    /// Plans a job (errors such as an unreachable LMS come back here) and runs it in the
    /// background; returns its id. `request` names the students (all when `None`) and those
    /// whose score changed in the LMS may be overwritten.
    pub async fn start(
        self: &Arc<Self>,
        course: &str,
        assignment: &str,
        request: &SyncRequest,
        started_by: &str,
        launches: &Launches,
    ) -> Result<String, ServiceError> {
        let (only, overwrite) = (request.students.as_deref(), request.overwrite.as_slice());
        let target = self.target_with(self.course(course)?, launches)?;
        // Dropped, so released, however planning ends: an error, a panic, or the request
        // future dropped because its client went away.
        let claim = self.claim(course, assignment, "being planned", None)?;
        let gradebook = self.gradebook(course)?;
        let plan = Plan { course, gradebook: &gradebook, assignment, only, overwrite, started_by };
        let job = self.syncer.plan(plan, &target).await?;
        claim.set_job(&job);
        self.spawn_run(job.clone(), claim, target);
        Ok(job)
    }

    /// Plans and runs a job to its end in this task (for scripts). Claims the assignment as
    /// the service does: refused while a job of it is unfinished in the journal. Scores
    /// changed in the LMS are left there (`lms_changed`).
    pub async fn sync_now(
        self: &Arc<Self>,
        course: &str,
        assignment: &str,
        only: Option<&[String]>,
        started_by: &str,
    ) -> Result<(String, Summary), ServiceError> {
        let target = self.target(self.course(course)?)?;
        let _claim = self.claim(course, assignment, "being planned", None)?;
        let gradebook = self.gradebook(course)?;
        let job = self
            .syncer
            .plan(
                Plan { course, gradebook: &gradebook, assignment, only, overwrite: &[], started_by },
                &target,
            )
            .await?;
        let summary = self.syncer.run(&job, &target).await?;
        Ok((job, summary))
    }

    fn spawn_run(self: &Arc<Self>, job: String, claim: Claim, target: Target) {
        let service = Arc::clone(self);
        tokio::spawn(async move {
            let (course, assignment) = &claim.key;
            match service.syncer.run(&job, &target).await {
                Ok(summary) => tracing::info!(%job, %course, %assignment, ?summary.counts, "sync finished"),
                Err(e) => tracing::warn!(%job, %course, %assignment, error = %e, "sync failed"),
            }
            drop(claim);
        });
    }

    /// Starts again the jobs a stopped service left unfinished; returns their ids. Never fails
    /// the start: what cannot be resumed is logged and ended `failed` with the reason (a
    /// course gone from the config; an older unfinished job of an assignment that has a newer
    /// one, which is resumed instead), or left as it is when the journal cannot be written.
    pub async fn resume(self: &Arc<Self>) -> Vec<String> {
        let unfinished = match self.syncer.journal.read(|j| j.unfinished()) {
            Ok(ids) => ids,
            Err(e) => {
                tracing::error!(error = %e, "reading the journal's unfinished syncs failed: none resumed");
                return Vec::new();
            }
        };
        let mut jobs = Vec::new();
        for id in unfinished {
            let found = self.syncer.journal.read(|j| j.job(&id));
            match found {
                Ok(Some(job)) => jobs.push(job),
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(job = %id, error = %e, "reading an unfinished sync failed: not resumed")
                }
            }
        }
        // Oldest first: the last of an assignment's jobs is its newest.
        let newest: HashMap<(String, String), String> =
            jobs.iter().map(|j| ((j.course.clone(), j.assignment.clone()), j.id.clone())).collect();
        let mut resumed = Vec::new();
        for job in jobs {
            let key = (job.course.clone(), job.assignment.clone());
            let end = async |why: String| {
                tracing::warn!(job = %job.id, course = %job.course, assignment = %job.assignment, %why, "an interrupted sync is not resumed");
                let id = job.id.clone();
                if let Err(e) = self.syncer.journal.write(move |j| j.finish_job(&id, Some(&why))).await {
                    tracing::error!(job = %job.id, error = %e, "ending the sync in the journal failed");
                }
            };
            if newest[&key] != job.id {
                end(format!(
                    "not resumed: job {} of the same assignment is newer, and resumed instead",
                    newest[&key]
                ))
                .await;
                continue;
            }
            // Running needs the platform and the journalled line item, not the launch URLs.
            let unused = Launch { lineitems_url: String::new(), memberships_url: String::new() };
            let launches = Launches { course: Some(unused), students: HashMap::new() };
            let target = self.course(&job.course).and_then(|c| self.target_with(c, &launches));
            let claimed = target
                .and_then(|t| Ok((t, self.claim(&job.course, &job.assignment, &job.id, Some(&job.id))?)));
            match claimed {
                Ok((target, claim)) => {
                    tracing::info!(job = %job.id, course = %job.course, assignment = %job.assignment, "resuming an interrupted sync");
                    self.spawn_run(job.id.clone(), claim, target);
                    resumed.push(job.id);
                }
                Err(e) => end(format!("not resumed: {e}")).await,
            }
        }
        resumed
    }

    /// A job as the API shows it; per-student rows only when `students`.
    pub fn status(&self, job_id: &str, students: bool) -> Result<Option<JobStatus>, ServiceError> {
        let Some(job) = self.syncer.journal.read(|j| j.job(job_id))? else { return Ok(None) };
        let rows = self.syncer.journal.read(|j| j.students(job_id))?;
        Ok(Some(job_status(job, &rows, students)))
    }

    /// The course's jobs, newest first, without per-student rows.
    pub fn jobs(&self, course: &str) -> Result<Vec<JobStatus>, ServiceError> {
        let jobs = self.syncer.journal.read(|j| j.jobs(course, JOBS_LISTED))?;
        let mut out = Vec::with_capacity(jobs.len());
        for job in jobs {
            let rows = self.syncer.journal.read(|j| j.students(&job.id))?;
            out.push(job_status(job, &rows, false));
        }
        Ok(out)
    }
}

/// An assignment claimed for a job (see [`Service::claim`]); released on drop.
struct Claim {
    service: Arc<Service>,
    key: (String, String),
}

impl Claim {
    /// Names the planned job where it said "being planned".
    fn set_job(&self, job: &str) {
        let mut running = self.service.running.lock().unwrap_or_else(|e| e.into_inner());
        running.insert(self.key.clone(), job.to_owned());
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let mut running = self.service.running.lock().unwrap_or_else(|e| e.into_inner());
        running.remove(&self.key);
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
const CLAIM_DEPLOYMENT: &str = "https://purl.imsglobal.org/spec/lti/claim/deployment_id";
const CLAIM_AGS: &str = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint";
const CLAIM_NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice";

const RELAUNCH: &str = "open this course's tool link in the LMS, then try again";

/// Whether stored launch `claims` come from `platform`: its issuer, our client id in `aud`
/// (and `azp`, when there), its deployment. Why not, in words, if not.
pub fn launch_is_from(claims: &serde_json::Value, platform: &Platform) -> Result<(), String> {
    let iss = claims["iss"].as_str();
    if iss != Some(platform.issuer.as_str()) {
        return Err(format!(
            "your last LTI launch came from {}, not from this course's LMS ({}): {RELAUNCH}",
            iss.map_or_else(|| "no known LMS".to_owned(), |i| format!("{i:?}")),
            platform.issuer
        ));
    }
    let client = platform.client_id.as_str();
    let aud_ok = match &claims["aud"] {
        serde_json::Value::String(aud) => aud == client,
        serde_json::Value::Array(auds) => auds.iter().any(|a| a.as_str() == Some(client)),
        _ => false,
    };
    let azp_ok = claims.get("azp").is_none_or(|azp| azp.as_str() == Some(client));
    if !(aud_ok && azp_ok) {
        return Err(format!(
            "your last LTI launch was of another tool of {} (not client id {client:?}): {RELAUNCH}",
            platform.issuer
        ));
    }
    let deployment = claims[CLAIM_DEPLOYMENT].as_str();
    if deployment != Some(platform.deployment_id.as_str()) {
        return Err(format!(
            "your last LTI launch was of deployment {}, not {:?} of this course's tool: {RELAUNCH}",
            deployment.map_or_else(|| "(none)".to_owned(), |d| format!("{d:?}")),
            platform.deployment_id
        ));
    }
    Ok(())
}

impl Launch {
    /// Reads the launch claims jupyterhub-ltiauthenticator keeps as `auth_state` (the id_token's
    /// claims), if they are a launch of LMS course `context_id` from `platform` whose service
    /// URLs are on the platform's origin (where its token may go: see [`crate::lti::ags`]).
    pub fn from_claims(
        claims: &serde_json::Value,
        context_id: &str,
        platform: &Platform,
    ) -> Result<Self, String> {
        let context = claims[CLAIM_CONTEXT]["id"].as_str();
        if context != Some(context_id) {
            return Err(match context {
                Some(other) => format!(
                    "your last LTI launch was from LMS course {other:?}, not {context_id:?}: {RELAUNCH}"
                ),
                None => format!("no LTI 1.3 launch is stored for you: {RELAUNCH}"),
            });
        }
        launch_is_from(claims, platform)?;
        let url = |claim: &str, key: &str| claims[claim][key].as_str().map(str::to_owned);
        let launch = match (url(CLAIM_AGS, "lineitems"), url(CLAIM_NRPS, "context_memberships_url")) {
            (Some(lineitems_url), Some(memberships_url)) => Self { lineitems_url, memberships_url },
            _ => return Err("your last LTI launch carries no grade or roster service: enable both for the tool in the LMS".into()),
        };
        let origin = ags::platform_origin(&platform.token_url).map_err(|e| e.to_string())?;
        for url in [&launch.lineitems_url, &launch.memberships_url] {
            ags::on_origin(url, &origin).map_err(|_| {
                format!(
                    "your last LTI launch names a service at {url}, which is not on the LMS's own origin {}: the LMS's token is not sent there",
                    origin.ascii_serialization()
                )
            })?;
        }
        Ok(launch)
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

    fn platform() -> Platform {
        Platform {
            name: "moodle".into(),
            issuer: "https://lms.example".into(),
            client_id: "tool-1".into(),
            deployment_id: "3".into(),
            token_url: "https://lms.example/mod/lti/token.php".into(),
            keyset_url: "https://lms.example/mod/lti/certs.php".into(),
            audience: None,
        }
    }

    fn claims(context: &str) -> serde_json::Value {
        json!({
            "iss": "https://lms.example",
            "aud": "tool-1",
            CLAIM_DEPLOYMENT: "3",
            CLAIM_CONTEXT: {"id": context, "label": "INTRO"},
            CLAIM_AGS: {"lineitems": "https://lms.example/li?type_id=3", "scope": []},
            CLAIM_NRPS: {"context_memberships_url": "https://lms.example/members"},
        })
    }

    #[test]
    fn a_launch_counts_only_for_its_own_course() {
        let p = platform();
        let launch = Launch::from_claims(&claims("12"), "12", &p).unwrap();
        assert_eq!(launch.lineitems_url, "https://lms.example/li?type_id=3");
        assert_eq!(launch.memberships_url, "https://lms.example/members");
        let other = Launch::from_claims(&claims("99"), "12", &p).unwrap_err();
        assert!(other.contains("\"99\", not \"12\""), "{other}");
        assert!(
            Launch::from_claims(&serde_json::Value::Null, "12", &p)
                .unwrap_err()
                .contains("no LTI 1.3 launch")
        );
        let mut no_ags = claims("12");
        no_ags[CLAIM_AGS] = serde_json::Value::Null;
        assert!(Launch::from_claims(&no_ags, "12", &p).unwrap_err().contains("no grade or roster service"));
    }

    #[test]
    fn a_launch_counts_only_from_the_courses_platform() {
        let p = platform();
        let refused = |change: &dyn Fn(&mut serde_json::Value), needle: &str| {
            let mut c = claims("12");
            change(&mut c);
            let why = Launch::from_claims(&c, "12", &p).unwrap_err();
            assert!(why.contains(needle), "{needle}: {why}");
        };
        // Same context id, another LMS.
        refused(
            &|c| c["iss"] = json!("https://other-lms.example"),
            "came from \"https://other-lms.example\"",
        );
        refused(&|c| c["iss"] = serde_json::Value::Null, "came from no known LMS");
        // Another tool of the same LMS.
        refused(&|c| c["aud"] = json!("tool-2"), "another tool");
        refused(&|c| c["aud"] = json!(["tool-2", "tool-3"]), "another tool");
        refused(&|c| c["azp"] = json!("tool-2"), "another tool");
        // Another deployment.
        refused(&|c| c[CLAIM_DEPLOYMENT] = json!("4"), "deployment \"4\", not \"3\"");
        refused(&|c| c[CLAIM_DEPLOYMENT] = serde_json::Value::Null, "deployment (none)");
        // Service URLs elsewhere than the platform's origin (host, scheme, port).
        refused(
            &|c| c[CLAIM_AGS]["lineitems"] = json!("https://evil.example/li"),
            "not on the LMS's own origin",
        );
        refused(
            &|c| c[CLAIM_AGS]["lineitems"] = json!("http://lms.example/li"),
            "not on the LMS's own origin",
        );
        refused(
            &|c| c[CLAIM_NRPS]["context_memberships_url"] = json!("https://lms.example:8443/m"),
            "not on the LMS's own origin",
        );
        // aud as a list holding us, with azp saying so: fine.
        let mut listed = claims("12");
        listed["aud"] = json!(["other", "tool-1"]);
        listed["azp"] = json!("tool-1");
        assert!(Launch::from_claims(&listed, "12", &p).is_ok());
    }
}
