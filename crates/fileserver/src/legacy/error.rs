//! The refusals of the legacy protocol, and how v2's errors become them.

use lablink_protocol::PathError;
use lablink_protocol::files::ErrorCode;
use lablink_protocol::legacy::code;

use crate::error::ApiError;

/// A refusal in the legacy shape: HTTP 200, `return.code` ≠ 0, payload `{}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyError {
    pub code: i64,
    pub status: String,
}

impl LegacyError {
    pub fn new(code: i64, status: impl Into<String>) -> Self {
        Self { code, status: status.into() }
    }
}

impl From<ApiError> for LegacyError {
    fn from(err: ApiError) -> Self {
        let code = match err.code {
            ErrorCode::NotFound => code::NOT_FOUND,
            _ => code::OTHER,
        };
        Self::new(code, format!("Error: {}", err.message))
    }
}

impl From<PathError> for LegacyError {
    fn from(err: PathError) -> Self {
        ApiError::from(err).into()
    }
}

pub(super) type LegacyResult<T> = Result<T, LegacyError>;
