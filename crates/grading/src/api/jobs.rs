//! Sync jobs: listed, read, and followed as server-sent events.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use lablink_protocol::grading::{JobList, JobState, JobStatus};

use super::error::{ApiError, ApiResult};
use super::extract::{GradedCourse, course, service};
use crate::auth::Caller;
use crate::service::Service;
use crate::state::SharedState;
use crate::sync::SyncError;

/// Progress events are sent at most this often, however fast scores land.
const EVENT_INTERVAL: Duration = Duration::from_millis(200);

pub(super) async fn jobs(GradedCourse { service, course, .. }: GradedCourse) -> ApiResult<Json<JobList>> {
    Ok(Json(JobList { jobs: service.jobs(&course.id)? }))
}

/// The job, if the caller may grade its course.
pub(super) fn authorized_job(
    service: &Service,
    caller: &Caller,
    id: &str,
    students: bool,
) -> ApiResult<JobStatus> {
    let status =
        service.status(id, students)?.ok_or_else(|| ApiError::from(SyncError::NoSuchJob(id.to_owned())))?;
    course(service, caller, &status.course)?;
    Ok(status)
}

pub(super) async fn job(
    State(state): State<SharedState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<JobStatus>> {
    Ok(Json(authorized_job(service(&state)?, &caller, &id, true)?))
}

/// Server-sent events: a `progress` event whenever the job moved on (at most every 200 ms),
/// then one `done` event with every student's outcome.
pub(super) async fn job_events(
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
