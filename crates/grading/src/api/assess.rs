//! The LMS side of a request: the caller's and the students' launches, and what a sync would do.

use std::collections::HashMap;

use futures_util::StreamExt as _;
use lablink_protocol::grading::{GradingErrorCode, LmsView, SyncRequest};

use super::error::{ApiError, ApiResult};
use super::extract::service;
use crate::auth::Caller;
use crate::config::{Course, Platform, RosterMatch};
use crate::gradebook::StudentScore;
use crate::service::{self, Launch, Launches, Service};
use crate::state::SharedState;
use crate::sync::{Assessment, Scores, Syncer};

/// The LMS endpoints of the caller's last launch, when the config leaves them to a launch.
pub(super) async fn launch(
    state: &SharedState,
    caller: &Caller,
    course: &Course,
) -> ApiResult<Option<Launch>> {
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

pub(super) fn platform_of<'a>(service: &'a Service, course: &Course) -> ApiResult<&'a Platform> {
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
pub(super) async fn student_launches(
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

/// nbgrader's scores beside what the LMS holds, and what a sync of `request` would do. The
/// caller's launch (or why there is none) comes in `launch`.
pub(super) async fn assessed(
    state: &SharedState,
    course: &Course,
    assignment: &str,
    request: &SyncRequest,
    launch: ApiResult<Option<Launch>>,
) -> ApiResult<(f64, Vec<StudentScore>, Result<Assessment, ApiError>)> {
    let service = service(state)?;
    let only = request.students.as_deref();
    let (max, scores) = Syncer::read_gradebook(&course.gradebook, assignment, only).await?;
    let assessment = async {
        let launches =
            Launches { course: launch?, students: student_launches(state, service, course, &scores).await? };
        let target = service.target_with(course, &launches)?;
        let what = Scores {
            course: &course.id,
            assignment,
            max_score: max,
            scores: &scores,
            overwrite: &request.overwrite,
        };
        Ok(service.syncer.assess(&target, what, false).await?)
    }
    .await;
    Ok((max, scores, assessment))
}

pub(super) fn lms_view(assessment: &Result<Assessment, ApiError>) -> LmsView {
    match assessment {
        Ok(a) => service::lms_view(a),
        Err(e) => LmsView { line_item: None, line_max: None, error: Some(e.message.clone()) },
    }
}
