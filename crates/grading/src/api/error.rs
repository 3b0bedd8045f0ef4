//! How the grade routes' failures map onto the service's error codes.

use lablink_protocol::grading::GradingErrorCode;

pub use crate::error::{ApiError, ApiResult};
use crate::gradebook::GradebookError;
use crate::service::ServiceError;
use crate::sync::SyncError;

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
