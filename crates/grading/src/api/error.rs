//! The API's error: `{"error": {"code", "message"}}` with the code's status.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lablink_protocol::grading::{GradingErrorBody, GradingErrorCode, GradingErrorDetail};

use crate::auth::AuthError;
use crate::gradebook::GradebookError;
use crate::service::ServiceError;
use crate::sync::SyncError;

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

pub(super) type ApiResult<T> = Result<T, ApiError>;
