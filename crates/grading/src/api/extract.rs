//! What handlers take from a request: the service, a course the caller may grade, a JSON body.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use lablink_protocol::grading::GradingErrorCode;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::error::{ApiError, ApiResult};
use crate::auth::Caller;
use crate::config::Course;
use crate::service::Service;
use crate::state::SharedState;

pub(super) fn service(state: &SharedState) -> ApiResult<&Arc<Service>> {
    state
        .service
        .as_ref()
        .ok_or_else(|| ApiError::new(GradingErrorCode::Internal, "the service has no courses"))
}

/// The course, if the caller may grade it: 404 for an unknown course, 403 for a non-instructor.
pub(super) fn course<'a>(service: &'a Service, caller: &Caller, id: &str) -> ApiResult<&'a Course> {
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
pub(super) fn body<T: DeserializeOwned + Default>(bytes: &Bytes) -> ApiResult<T> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(GradingErrorCode::BadRequest, format!("the request body is not valid: {e}"))
    })
}
