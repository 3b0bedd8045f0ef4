//! The JSON API the grades panel and scripts use (types in `lablink_protocol::grading`).
//! Every handler takes the hub-checked [`Caller`] first; a course's grades are shown and
//! synced only to members of its instructor group and hub admins.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::{Stream, StreamExt as _};
use lablink_protocol::grading::{
    AssignmentInfo, AssignmentList, CourseInfo, CourseList, GradeRow, GradeTable, GradingErrorBody,
    GradingErrorCode, GradingErrorDetail, JobList, JobState, JobStatus, LmsView, SyncPreview, SyncRequest,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::auth::{AuthError, Caller};
use crate::config::{Course, Platform, RosterMatch};
use crate::gradebook::{Gradebook, GradebookError, StudentScore};
use crate::service::{self, Launch, Launches, Service, ServiceError};
use crate::state::SharedState;
use crate::sync::{Assessment, SyncError, Syncer};

/// Progress events are sent at most this often, however fast scores land.
const EVENT_INTERVAL: Duration = Duration::from_millis(200);

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/courses", get(courses))
        .route("/api/courses/{course}/assignments", get(assignments))
        .route("/api/courses/{course}/assignments/{name}/grades", get(grades))
        .route("/api/courses/{course}/assignments/{name}/grades.csv", get(grades_csv))
        .route("/api/courses/{course}/assignments/{name}/preview", post(preview))
        .route("/api/courses/{course}/assignments/{name}/sync", post(sync))
        .route("/api/courses/{course}/jobs", get(jobs))
        .route("/api/jobs/{id}", get(job))
        .route("/api/jobs/{id}/events", get(job_events))
}

#[derive(Debug)]
pub struct ApiError {
    pub code: GradingErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: GradingErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::warn!(code = self.code.as_str(), message = %self.message, "request failed");
        }
        let body = GradingErrorBody {
            error: GradingErrorDetail { code: self.code, message: self.message, login_url: None },
        };
        (status, Json(body)).into_response()
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        Self::new(e.code, e.message)
    }
}

impl From<GradebookError> for ApiError {
    fn from(e: GradebookError) -> Self {
        let code = match e {
            GradebookError::NoSuchAssignment(_) => GradingErrorCode::NotFound,
            _ => GradingErrorCode::Gradebook,
        };
        Self::new(code, e.to_string())
    }
}

impl From<SyncError> for ApiError {
    fn from(e: SyncError) -> Self {
        let code = match &e {
            SyncError::Gradebook(GradebookError::NoSuchAssignment(_)) => GradingErrorCode::NotFound,
            SyncError::Gradebook(_) => GradingErrorCode::Gradebook,
            SyncError::Token(_)
            | SyncError::Lms(_)
            | SyncError::Outcomes(_)
            | SyncError::NoLineItem(_)
            | SyncError::NoLineItemReadOnly { .. }
            | SyncError::LineItemWithoutId(_) => GradingErrorCode::Lms,
            SyncError::NoSuchJob(_) => GradingErrorCode::NotFound,
            SyncError::Busy { .. } => GradingErrorCode::Conflict,
            SyncError::Journal(_) => GradingErrorCode::Internal,
        };
        Self::new(code, e.to_string())
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let code = match e {
            ServiceError::Sync(e) => return e.into(),
            ServiceError::NoCourse(_) => GradingErrorCode::NotFound,
            ServiceError::Config { .. } => GradingErrorCode::Internal,
        };
        Self::new(code, e.to_string())
    }
}

type ApiResult<T> = Result<T, ApiError>;

fn service(state: &SharedState) -> ApiResult<&Arc<Service>> {
    state
        .service
        .as_ref()
        .ok_or_else(|| ApiError::new(GradingErrorCode::Internal, "the service has no courses"))
}

/// The course, if the caller may grade it: 404 for an unknown course, 403 for a non-instructor.
fn course<'a>(service: &'a Service, caller: &Caller, id: &str) -> ApiResult<&'a Course> {
    let course = service.course(id)?;
    caller.require_grader(course)?;
    Ok(course)
}

/// `{course}` of the path, if the caller may grade it: extracting it answers like [`course`]
/// (after the caller and the path are checked, and the service is there).
pub struct GradedCourse {
    pub caller: Caller,
    pub service: Arc<Service>,
    pub course: Course,
}

#[derive(Deserialize)]
struct CourseParam {
    course: String,
}

impl FromRequestParts<SharedState> for GradedCourse {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let Path(CourseParam { course: id }) = Path::<CourseParam>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let checked = || {
            let service = service(state)?;
            let course = course(service, &caller, &id)?.clone();
            Ok::<_, ApiError>((Arc::clone(service), course))
        };
        let (service, course) = checked().map_err(IntoResponse::into_response)?;
        Ok(GradedCourse { caller, service, course })
    }
}

/// A JSON body; empty means the type's default. Errors are JSON too, naming serde's reason.
fn body<T: DeserializeOwned + Default>(bytes: &Bytes) -> ApiResult<T> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(GradingErrorCode::BadRequest, format!("the request body is not valid: {e}"))
    })
}

async fn courses(State(state): State<SharedState>, caller: Caller) -> ApiResult<Json<CourseList>> {
    let service = service(&state)?;
    let courses = service
        .config
        .courses
        .iter()
        .filter(|c| caller.may_grade(&c.instructor_group))
        .map(|c| CourseInfo {
            id: c.id.clone(),
            lms: Service::lms_kind(c),
            instructor_group: c.instructor_group.clone(),
        })
        .collect();
    Ok(Json(CourseList { user: caller.name, courses }))
}

async fn assignments(GradedCourse { course, .. }: GradedCourse) -> ApiResult<Json<AssignmentList>> {
    let path = course.gradebook.clone();
    let (assignments, students) = tokio::task::spawn_blocking(move || {
        let gradebook = Gradebook::open(&path)?;
        Ok::<_, GradebookError>((gradebook.assignments()?, gradebook.student_count()?))
    })
    .await
    .map_err(|e| ApiError::new(GradingErrorCode::Internal, e.to_string()))??;
    let assignments = assignments
        .into_iter()
        .map(|a| AssignmentInfo {
            name: a.name,
            duedate: a.duedate,
            max_score: a.max_score,
            submissions: a.submissions,
            students,
        })
        .collect();
    Ok(Json(AssignmentList { course: course.id.clone(), assignments }))
}

/// The LMS endpoints of the caller's last launch, when the config leaves them to a launch.
async fn launch(state: &SharedState, caller: &Caller, course: &Course) -> ApiResult<Option<Launch>> {
    if course.lti11.is_some() || (course.lineitems_url.is_some() && course.memberships_url.is_some()) {
        return Ok(None);
    }
    let Some(context) = course.lms_context_id.as_deref() else { return Ok(None) };
    let platform = platform_of(service(state)?, course)?;
    let claims = state.hub.auth_state(&caller.name).await?;
    Launch::from_claims(&claims.unwrap_or_default(), context, platform)
        .map(Some)
        .map_err(|why| ApiError::new(GradingErrorCode::NoLaunch, why))
}

fn platform_of<'a>(service: &'a Service, course: &Course) -> ApiResult<&'a Platform> {
    course
        .platform
        .as_deref()
        .and_then(|name| service.config.platforms.iter().find(|p| p.name == name))
        .ok_or_else(|| {
            ApiError::new(GradingErrorCode::Internal, format!("course {:?} has no platform", course.id))
        })
}

/// With `match_by = "launch"`: the `sub` of each listed student's own last launch, when it was
/// from the course's platform (issuer, client id, deployment). Students the hub does not know are left out.
async fn student_launches(
    state: &SharedState,
    service: &Service,
    course: &Course,
    scores: &[StudentScore],
) -> ApiResult<HashMap<String, String>> {
    if course.match_by != RosterMatch::Launch {
        return Ok(HashMap::new());
    }
    let platform = platform_of(service, course)?;
    let unknown: Vec<String> =
        scores.iter().filter(|s| s.student.lms_user_id.is_none()).map(|s| s.student.id.clone()).collect();
    let hub = &state.hub;
    let found: Vec<_> = futures_util::stream::iter(unknown)
        .map(|student| async move { (hub.auth_state(&student).await, student) })
        .buffer_unordered(8)
        .collect()
        .await;
    let mut ids = HashMap::new();
    for (claims, student) in found {
        let claims = claims?.unwrap_or_default();
        if service::launch_is_from(&claims, platform).is_ok()
            && let Some(sub) = claims["sub"].as_str()
        {
            ids.insert(student, sub.to_owned());
        }
    }
    Ok(ids)
}

/// nbgrader's scores beside what the LMS holds, and what a sync would do. The caller's launch
/// (or why there is none) comes in `launch`.
async fn assessed(
    state: &SharedState,
    course: &Course,
    assignment: &str,
    only: Option<&[String]>,
    launch: ApiResult<Option<Launch>>,
) -> ApiResult<(f64, Vec<StudentScore>, Result<Assessment, ApiError>)> {
    let service = service(state)?;
    let (max, scores) = Syncer::read_gradebook(&course.gradebook, assignment, only).await?;
    let assessment = async {
        let launches =
            Launches { course: launch?, students: student_launches(state, service, course, &scores).await? };
        let target = service.target_with(course, &launches)?;
        Ok(service.syncer.assess(&target, assignment, max, &scores, false).await?)
    }
    .await;
    Ok((max, scores, assessment))
}

fn lms_view(assessment: &Result<Assessment, ApiError>) -> LmsView {
    match assessment {
        Ok(a) => service::lms_view(a),
        Err(e) => LmsView { line_item: None, line_max: None, error: Some(e.message.clone()) },
    }
}

async fn table(
    state: &SharedState,
    caller: &Caller,
    course: &Course,
    assignment: &str,
) -> ApiResult<GradeTable> {
    // Without a launch the table still shows nbgrader's side, and says why the LMS is missing.
    let launch = launch(state, caller, course).await;
    let (max_score, scores, assessment) = assessed(state, course, assignment, None, launch).await?;
    let lms = lms_view(&assessment);
    let planned = assessment.map(|a| a.rows).unwrap_or_default();
    let rows = scores
        .into_iter()
        .map(|s| {
            let plan = planned.iter().find(|r| r.student_id == s.student.id);
            GradeRow {
                student_id: s.student.id,
                first_name: s.student.first_name,
                last_name: s.student.last_name,
                lms_user_id: s.student.lms_user_id,
                submitted_at: s.submitted_at,
                raw_score: s.raw_score,
                late_penalty: s.late_penalty,
                score: s.score,
                max_score: s.max_score,
                ungraded_cells: s.ungraded_cells,
                lms_score: plan.and_then(|p| p.lms_score),
                status: plan.map(|p| p.outcome),
            }
        })
        .collect();
    Ok(GradeTable { course: course.id.clone(), assignment: assignment.to_owned(), max_score, lms, rows })
}

async fn grades(
    State(state): State<SharedState>,
    GradedCourse { caller, course, .. }: GradedCourse,
    Path((_, assignment)): Path<(String, String)>,
) -> ApiResult<Json<GradeTable>> {
    Ok(Json(table(&state, &caller, &course, &assignment).await?))
}

/// A cell a spreadsheet will not run as a formula (names come from students).
fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}

fn number(n: Option<f64>) -> String {
    n.map(|n| format!("{}", (n * 1e6).round() / 1e6)).unwrap_or_default()
}

async fn grades_csv(
    State(state): State<SharedState>,
    GradedCourse { caller, course, .. }: GradedCourse,
    Path((_, assignment)): Path<(String, String)>,
) -> ApiResult<Response> {
    let table = table(&state, &caller, &course, &assignment).await?;
    let mut csv = csv::Writer::from_writer(Vec::new());
    let internal = |e: csv::Error| ApiError::new(GradingErrorCode::Internal, e.to_string());
    csv.write_record([
        "student_id",
        "first_name",
        "last_name",
        "lms_user_id",
        "submitted_at",
        "raw_score",
        "late_penalty",
        "score",
        "max_score",
        "ungraded_cells",
        "lms_score",
        "status",
    ])
    .map_err(internal)?;
    for r in &table.rows {
        let text = |t: &Option<String>| inert(t.as_deref().unwrap_or_default());
        csv.write_record([
            inert(&r.student_id),
            text(&r.first_name),
            text(&r.last_name),
            text(&r.lms_user_id),
            text(&r.submitted_at),
            number(Some(r.raw_score)),
            number(Some(r.late_penalty)),
            number(Some(r.score)),
            number(Some(r.max_score)),
            r.ungraded_cells.to_string(),
            number(r.lms_score),
            r.status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        ])
        .map_err(internal)?;
    }
    let bytes = csv.into_inner().map_err(|e| ApiError::new(GradingErrorCode::Internal, e.to_string()))?;
    let file: String = format!("{}-{}.csv", table.course, table.assignment)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
        ],
        bytes,
    )
        .into_response())
}

async fn preview(
    State(state): State<SharedState>,
    GradedCourse { caller, course, .. }: GradedCourse,
    Path((_, assignment)): Path<(String, String)>,
    bytes: Bytes,
) -> ApiResult<Json<SyncPreview>> {
    let request: SyncRequest = body(&bytes)?;
    let launch = Ok(launch(&state, &caller, &course).await?);
    let (_, _, assessment) =
        assessed(&state, &course, &assignment, request.students.as_deref(), launch).await?;
    Ok(Json(service::preview(&course.id, &assignment, &assessment?)))
}

async fn sync(
    State(state): State<SharedState>,
    GradedCourse { caller, service, course }: GradedCourse,
    Path((_, assignment)): Path<(String, String)>,
    bytes: Bytes,
) -> ApiResult<(StatusCode, Json<JobStatus>)> {
    let request: SyncRequest = body(&bytes)?;
    let launch = launch(&state, &caller, &course).await?;
    let students = match course.match_by {
        RosterMatch::Launch => {
            let only = request.students.as_deref();
            let (_, scores) = Syncer::read_gradebook(&course.gradebook, &assignment, only).await?;
            student_launches(&state, &service, &course, &scores).await?
        }
        _ => HashMap::new(),
    };
    let launches = Launches { course: launch, students };
    let job =
        service.start(&course.id, &assignment, request.students.as_deref(), &caller.name, &launches).await?;
    let status = service.status(&job, true)?.ok_or_else(|| ApiError::from(SyncError::NoSuchJob(job)))?;
    Ok((StatusCode::ACCEPTED, Json(status)))
}

async fn jobs(GradedCourse { service, course, .. }: GradedCourse) -> ApiResult<Json<JobList>> {
    Ok(Json(JobList { jobs: service.jobs(&course.id)? }))
}

/// The job, if the caller may grade its course.
fn authorized_job(service: &Service, caller: &Caller, id: &str, students: bool) -> ApiResult<JobStatus> {
    let status =
        service.status(id, students)?.ok_or_else(|| ApiError::from(SyncError::NoSuchJob(id.to_owned())))?;
    course(service, caller, &status.course)?;
    Ok(status)
}

async fn job(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<JobStatus>> {
    Ok(Json(authorized_job(service(&state)?, &caller, &id, true)?))
}

/// Server-sent events: a `progress` event whenever the job moved on (at most every 200 ms),
/// then one `done` event with every student's outcome.
async fn job_events(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let service = Arc::clone(service(&state)?);
    authorized_job(&service, &caller, &id, false)?;
    let changes = service.syncer.progress.subscribe();
    let stream = futures_util::stream::unfold(
        (service, changes, id, None::<u64>, false),
        |(service, mut changes, id, last, ended)| async move {
            if ended {
                return None;
            }
            loop {
                let status = match service.status(&id, false) {
                    Ok(Some(status)) => status,
                    _ => return None,
                };
                if status.state != JobState::Running {
                    let full = service.status(&id, true).ok().flatten().unwrap_or(status);
                    let event = Event::default().event("done").json_data(&full).ok()?;
                    return Some((Ok(event), (service, changes, id, last, true)));
                }
                if last != Some(status.done) {
                    let event = Event::default().event("progress").json_data(&status).ok()?;
                    return Some((Ok(event), (service, changes, id, Some(status.done), false)));
                }
                tokio::time::sleep(EVENT_INTERVAL).await;
                // Wakes on the next journal change; the timeout covers a job run elsewhere.
                let _ = tokio::time::timeout(Duration::from_secs(2), changes.changed()).await;
            }
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
