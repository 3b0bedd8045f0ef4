//! Previewing and starting a sync.

use std::collections::HashMap;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use lablink_protocol::grading::{JobStatus, SyncPreview, SyncRequest};

use super::assess::{assessed, launch, student_launches};
use super::error::{ApiError, ApiResult};
use super::extract::{GradedCourse, body};
use crate::config::RosterMatch;
use crate::service::{self, Launches};
use crate::state::SharedState;
use crate::sync::{SyncError, Syncer};

pub(super) async fn preview(
    State(state): State<SharedState>,
    GradedCourse { caller, course, .. }: GradedCourse,
    Path((_, assignment)): Path<(String, String)>,
    bytes: Bytes,
) -> ApiResult<Json<SyncPreview>> {
    let request: SyncRequest = body(&bytes)?;
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
    let job = service.start(&course.id, &assignment, &request, &caller.name, &launches).await?;
    let status = service.status(&job, true)?.ok_or_else(|| ApiError::from(SyncError::NoSuchJob(job)))?;
    Ok((StatusCode::ACCEPTED, Json(status)))
}
