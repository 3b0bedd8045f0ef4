//! The grading service's HTTP API (JSON), as the grades panel and scripts see it.
//!
//! Every path is under the service's prefix (`/services/<name>/` behind JupyterHub):
//!
//! | method | path | body → answer |
//! |---|---|---|
//! | GET, POST | `api/me` | → [`Me`] |
//! | GET | `api/courses` | → [`CourseList`] |
//! | GET | `api/courses/{course}/assignments` | → [`AssignmentList`] |
//! | GET | `api/courses/{course}/assignments/{name}/grades` | → [`GradeTable`] |
//! | GET | `api/courses/{course}/assignments/{name}/grades.csv` | → CSV of the table |
//! | POST | `api/courses/{course}/assignments/{name}/preview` | [`SyncRequest`] → [`SyncPreview`] |
//! | POST | `api/courses/{course}/assignments/{name}/sync` | [`SyncRequest`] → 202 [`JobStatus`] |
//! | GET | `api/courses/{course}/jobs` | → [`JobList`] (newest first) |
//! | GET | `api/jobs/{id}` | → [`JobStatus`] |
//! | GET | `api/jobs/{id}/events` | → `text/event-stream` of [`JobStatus`] until it ends |
//!
//! Errors are [`GradingErrorBody`] with a status that matches the code.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How a course reaches its LMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LmsKind {
    /// LTI 1.3 Assignment and Grade Services.
    Lti13,
    /// LTI 1.1 Basic Outcomes.
    Lti11,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseInfo {
    pub id: String,
    pub lms: LmsKind,
    pub instructor_group: String,
}

/// The courses the caller may grade.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourseList {
    pub user: String,
    pub courses: Vec<CourseInfo>,
    /// The instructor groups of every course this service grades, so that someone who grades
    /// none of them can be told which group to ask for.
    #[serde(default)]
    pub instructor_groups: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignmentInfo {
    pub name: String,
    /// As nbgrader stores it (`YYYY-MM-DD HH:MM:SS`, the course's time zone).
    pub duedate: Option<String>,
    pub max_score: f64,
    /// Students with a submission.
    pub submissions: u64,
    /// Students in the gradebook.
    pub students: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignmentList {
    pub course: String,
    pub assignments: Vec<AssignmentInfo>,
}

/// What a sync would do with (or did to) one student's score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// To be sent (in a preview), or waiting its turn (in a job).
    Pending,
    /// Being sent (or was, when the service stopped).
    Sending,
    Sent,
    /// The LMS already holds this score.
    Unchanged,
    /// Not an active learner of the LMS course.
    NotEnrolled,
    /// nbgrader knows no LMS id for the student.
    NoLmsId,
    /// Not sent: cells await a manual grade and the LMS cannot hold a grade as pending (LTI 1.1).
    Held,
    /// The LMS refused it; its reason is in `detail`.
    Refused,
    /// Failed after the retries (LMS down, 5xx); `detail` says how.
    Failed,
    /// Skipped: the LMS holds a score that is neither nbgrader's nor the one this service last
    /// sent (someone edited it in the LMS gradebook). Sent only when the request names the
    /// student in `overwrite`.
    LmsChanged,
    /// The LMS would not store the score because the grade (or its column) is locked there;
    /// `detail` says so and what to unlock.
    Locked,
}

impl Outcome {
    pub const ALL: [Outcome; 11] = [
        Self::Pending,
        Self::Sending,
        Self::Sent,
        Self::Unchanged,
        Self::NotEnrolled,
        Self::NoLmsId,
        Self::Held,
        Self::Refused,
        Self::Failed,
        Self::LmsChanged,
        Self::Locked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Unchanged => "unchanged",
            Self::NotEnrolled => "not_enrolled",
            Self::NoLmsId => "no_lms_id",
            Self::Held => "held",
            Self::Refused => "refused",
            Self::Failed => "failed",
            Self::LmsChanged => "lms_changed",
            Self::Locked => "locked",
        }
    }

    pub fn from_wire(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == text)
    }

    /// Whether a job is done with this student.
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Pending | Self::Sending)
    }

    /// Whether "Retry failed" sends this student again: the LMS did not take the score for a
    /// reason that may since have gone (it was down, refused, or the grade was locked).
    pub fn is_retryable(self) -> bool {
        matches!(self, Self::Failed | Self::Refused | Self::Locked)
    }
}

/// One student's line of an assignment's grade table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeRow {
    pub student_id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub lms_user_id: Option<String>,
    /// When nbgrader collected the submission; `None` when there is none.
    pub submitted_at: Option<String>,
    pub raw_score: f64,
    pub late_penalty: f64,
    /// nbgrader's score: `max(0, raw_score − late_penalty)`.
    pub score: f64,
    pub max_score: f64,
    /// Cells still waiting for a manual grade (sent as `PendingManual`).
    pub ungraded_cells: u64,
    /// What the LMS holds, on nbgrader's scale; `None` when it holds nothing (or is unknown).
    pub lms_score: Option<f64>,
    /// What a sync would do now (`pending` = send); `None` when the LMS could not be asked.
    pub status: Option<Outcome>,
}

/// The LMS side of a table or preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LmsView {
    /// The line item (LTI 1.3), when it exists.
    pub line_item: Option<String>,
    /// The line item's maximum, which the LMS rescales to.
    pub line_max: Option<f64>,
    /// Why the LMS side is missing (the table still shows nbgrader's scores).
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeTable {
    pub course: String,
    pub assignment: String,
    pub max_score: f64,
    pub lms: LmsView,
    pub rows: Vec<GradeRow>,
}

/// Body of `preview` and `sync`: every student, or just these (nbgrader ids).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub students: Option<Vec<String>>,
    /// Students whose score was changed in the LMS (`lms_changed`) and may be overwritten with
    /// nbgrader's; every other `lms_changed` student is left as the LMS holds it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overwrite: Vec<String>,
}

/// What a sync would change, student by student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncPreview {
    pub course: String,
    pub assignment: String,
    pub lms: LmsView,
    pub rows: Vec<StudentResult>,
    pub counts: BTreeMap<Outcome, u64>,
}

/// One student in a preview or a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentResult {
    pub student_id: String,
    pub lms_user_id: Option<String>,
    pub score: f64,
    pub max_score: f64,
    /// What the LMS held before, on nbgrader's scale.
    pub lms_score: Option<f64>,
    pub outcome: Outcome,
    /// The LMS's reason for a refusal, or other context.
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Running,
    Finished,
    /// Stopped before its end (the LMS refused the service, say); `error` says why.
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobStatus {
    pub id: String,
    pub course: String,
    pub assignment: String,
    /// Who started it (a hub user, or `cli`).
    pub started_by: String,
    /// Unix seconds.
    pub created_at: i64,
    pub state: JobState,
    pub error: Option<String>,
    pub total: u64,
    /// Students with a final outcome.
    pub done: u64,
    pub counts: BTreeMap<Outcome, u64>,
    /// Per student; left out of the event stream's progress events until the last.
    #[serde(default)]
    pub students: Vec<StudentResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobList {
    pub jobs: Vec<JobStatus>,
}

/// Who the service thinks is calling: the answer of `GET api/me` (and of `POST api/me`, which
/// also passes the cross-site check a change must pass).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    pub name: String,
    pub admin: bool,
    pub groups: Vec<String>,
}

/// Machine-readable codes of the grading API's errors (sign-in ones included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradingErrorCode {
    /// 401: no hub identity (sign in again; `login_url` says where).
    SignedOut,
    /// 401: the hub does not accept the token (unknown, revoked, expired, malformed).
    InvalidToken,
    /// 403: a service's token, not a user's.
    NotAUser,
    /// 403: the token lacks the scope to reach this service.
    NoAccess,
    /// 403: a cookie-authenticated change without proof it came from our own pages.
    CrossSiteRequest,
    /// 403: signed in, but not an instructor of the course.
    NotInstructor,
    /// 403: the hub refused or did not complete the sign-in.
    OauthDenied,
    OauthFailed,
    /// 400: a sign-in callback this browser did not start.
    BadOauthState,
    /// 404: no such course, assignment or job.
    NotFound,
    /// 400: a malformed request.
    BadRequest,
    /// 409: a sync of this assignment is already running.
    Conflict,
    /// 409: the course's LMS endpoints come from an LTI launch, and the caller has none of it.
    NoLaunch,
    /// 502: the LMS failed or refused the service.
    Lms,
    /// 502: JupyterHub did not answer as expected.
    HubUnavailable,
    /// 503: the service has no JupyterHub to check callers with.
    HubNotConfigured,
    /// 503: the service's hub role lacks a scope it needs.
    HubMisconfigured,
    /// 500: the gradebook could not be read.
    Gradebook,
    Internal,
}

impl GradingErrorCode {
    pub const ALL: [GradingErrorCode; 19] = [
        Self::SignedOut,
        Self::InvalidToken,
        Self::NotAUser,
        Self::NoAccess,
        Self::CrossSiteRequest,
        Self::NotInstructor,
        Self::OauthDenied,
        Self::OauthFailed,
        Self::BadOauthState,
        Self::NotFound,
        Self::BadRequest,
        Self::Conflict,
        Self::NoLaunch,
        Self::Lms,
        Self::HubUnavailable,
        Self::HubNotConfigured,
        Self::HubMisconfigured,
        Self::Gradebook,
        Self::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignedOut => "signed_out",
            Self::InvalidToken => "invalid_token",
            Self::NotAUser => "not_a_user",
            Self::NoAccess => "no_access",
            Self::CrossSiteRequest => "cross_site_request",
            Self::NotInstructor => "not_instructor",
            Self::OauthDenied => "oauth_denied",
            Self::OauthFailed => "oauth_failed",
            Self::BadOauthState => "bad_oauth_state",
            Self::NotFound => "not_found",
            Self::BadRequest => "bad_request",
            Self::Conflict => "conflict",
            Self::NoLaunch => "no_launch",
            Self::Lms => "lms",
            Self::HubUnavailable => "hub_unavailable",
            Self::HubNotConfigured => "hub_not_configured",
            Self::HubMisconfigured => "hub_misconfigured",
            Self::Gradebook => "gradebook",
            Self::Internal => "internal",
        }
    }

    pub fn from_wire(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The HTTP status that goes with the code.
    pub fn status(self) -> u16 {
        match self {
            Self::SignedOut | Self::InvalidToken => 401,
            Self::NotAUser
            | Self::NoAccess
            | Self::CrossSiteRequest
            | Self::NotInstructor
            | Self::OauthDenied
            | Self::OauthFailed => 403,
            Self::BadOauthState | Self::BadRequest => 400,
            Self::NotFound => 404,
            Self::Conflict | Self::NoLaunch => 409,
            Self::Lms | Self::HubUnavailable => 502,
            Self::HubNotConfigured | Self::HubMisconfigured => 503,
            Self::Gradebook | Self::Internal => 500,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradingErrorDetail {
    pub code: GradingErrorCode,
    pub message: String,
    /// With `signed_out`: where to send the browser to sign in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradingErrorBody {
    pub error: GradingErrorDetail,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_wire_names_match_serde() {
        for o in Outcome::ALL {
            assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
            assert_eq!(Outcome::from_wire(o.as_str()), Some(o));
        }
        assert_eq!(Outcome::from_wire("exploded"), None);
        assert_eq!(Outcome::from_wire("lms_changed"), Some(Outcome::LmsChanged));
        let retried: Vec<Outcome> = Outcome::ALL.into_iter().filter(|o| o.is_retryable()).collect();
        assert_eq!(retried, [Outcome::Refused, Outcome::Failed, Outcome::Locked]);
        let counts: BTreeMap<Outcome, u64> = [(Outcome::Sent, 3), (Outcome::NoLmsId, 1)].into();
        assert_eq!(serde_json::to_string(&counts).unwrap(), r#"{"sent":3,"no_lms_id":1}"#);
    }

    #[test]
    fn sync_request_refuses_unknown_fields() {
        // A client that thinks it can name the user gets an error, not silent acceptance.
        assert!(serde_json::from_str::<SyncRequest>(r#"{"user":"teacher"}"#).is_err());
        assert_eq!(serde_json::from_str::<SyncRequest>("{}").unwrap(), SyncRequest::default());
        let ticked: SyncRequest = serde_json::from_str(r#"{"overwrite":["s1"]}"#).unwrap();
        assert_eq!(ticked.overwrite, vec!["s1".to_owned()]);
        assert_eq!(serde_json::to_string(&SyncRequest::default()).unwrap(), "{}");
    }

    #[test]
    fn error_codes_name_their_status() {
        let body = GradingErrorBody {
            error: GradingErrorDetail {
                code: GradingErrorCode::NotInstructor,
                message: "no".into(),
                login_url: None,
            },
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"error":{"code":"not_instructor","message":"no"}}"#
        );
        assert_eq!(GradingErrorCode::NotInstructor.status(), 403);
        for code in GradingErrorCode::ALL {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
            assert_eq!(GradingErrorCode::from_wire(code.as_str()), Some(code));
        }
    }
}
