//! Previewing and starting a sync.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use lablink_protocol::grading::{GradingErrorCode, JobStatus, SyncPreview, SyncRequest};

use super::assess::{assessed, launch, student_launches};
use super::error::{ApiError, ApiResult};
use super::extract::{GradedCourse, body};
use crate::config::RosterMatch;
use crate::service::{self, Launches};
use crate::state::SharedState;
use crate::sync::{SyncError, Syncer};

/// The body of `preview` and `sync`. Its lists are checked first, so that a wrong one is named
/// (serde's own message says what it expected, not where).
fn sync_request(bytes: &Bytes) -> ApiResult<SyncRequest> {
    if let Ok(serde_json::Value::Object(fields)) = serde_json::from_slice(bytes) {
        for (name, may_be_null) in [("students", true), ("overwrite", false)] {
            let fine = match fields.get(name) {
                None => true,
                Some(serde_json::Value::Null) => may_be_null,
                Some(serde_json::Value::Array(ids)) => ids.iter().all(serde_json::Value::is_string),
                Some(_) => false,
            };
            if !fine {
                return Err(ApiError::new(
                    GradingErrorCode::BadRequest,
                    format!(
                        "the request body is not valid: {name:?} must be a list of nbgrader student ids, such as [\"alice\"]"
                    ),
                ));
            }
        }
    }
    body(bytes)
}

pub(super) async fn preview(
    State(state): State<SharedState>,
    GradedCourse { caller, course, .. }: GradedCourse,
    Path((_, assignment)): Path<(String, String)>,
    bytes: Bytes,
) -> ApiResult<Json<SyncPreview>> {
    let request = sync_request(&bytes)?;
    let launch = Ok(launch(&state, &caller, &course).await?);
    let (_, _, assessment) = assessed(&state, &course, &assignment, &request, launch).await?;
    Ok(Json(service::preview(&course.id, &assignment, &assessment?)))
}

pub(super) async fn sync(
    State(state): State<SharedState>,
    GradedCourse { caller, service, course }: GradedCourse,
    Path((_, assignment)): Path<(String, String)>,
    bytes: Bytes,
) -> ApiResult<(StatusCode, Json<JobStatus>)> {
    let request = sync_request(&bytes)?;
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
    let job = service.start(&course.id, &assignment, &request, &caller.name, &launches).await?;
    let status = service.status(&job, true)?.ok_or_else(|| ApiError::from(SyncError::NoSuchJob(job)))?;
    Ok((StatusCode::ACCEPTED, Json(status)))
}
