//! One error type for the v2 API, mapped to status + `{"error":{"code","message"}}` here only.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use lablink_protocol::PathError;
use lablink_protocol::files::{ErrorBody, ErrorCode, ErrorDetail};

/// An error a client may see. Messages never contain a server path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }
    pub fn bad_archive(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadArchive, message)
    }
    pub fn limit(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ArchiveLimit, message)
    }
    pub fn internal() -> Self {
        Self::new(ErrorCode::Internal, "the server could not complete the request")
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// Maps an I/O error met while working at `what` (a home-relative path, safe to show).
    /// Raw OS messages are logged, not sent: they may carry server paths.
    pub fn from_io(err: &std::io::Error, what: &str) -> Self {
        use std::io::ErrorKind::*;
        let shown = if what.is_empty() { "the home folder" } else { what };
        match err.kind() {
            NotFound => Self::not_found(format!("`{shown}` does not exist")),
            AlreadyExists => Self::new(ErrorCode::Conflict, format!("`{shown}` already exists")),
            NotADirectory => Self::new(ErrorCode::NotAFolder, format!("`{shown}` is not a folder")),
            PermissionDenied => Self::forbidden(format!("`{shown}` may not be accessed")),
            IsADirectory => Self::new(ErrorCode::Conflict, format!("`{shown}` is a folder")),
            _ if is_symlink_refusal(err) => Self::forbidden(format!(
                "`{shown}` is or passes through a symbolic link, which is never followed"
            )),
            StorageFull | QuotaExceeded => {
                Self::new(ErrorCode::PayloadTooLarge, "the home folder is out of space")
            }
            _ => {
                tracing::error!(error = %err, path = shown, "i/o error");
                Self::internal()
            }
        }
    }
}

/// ELOOP from O_NOFOLLOW, or cap-std's own refusal to leave the sandbox: PermissionDenied with
/// no OS error behind it (a kernel EACCES always carries its errno).
pub fn is_symlink_refusal(err: &std::io::Error) -> bool {
    err.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
        || (err.kind() == std::io::ErrorKind::PermissionDenied && err.raw_os_error().is_none())
}

impl From<PathError> for ApiError {
    fn from(err: PathError) -> Self {
        Self::new(ErrorCode::BadPath, err.to_string())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.code, self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = ErrorBody { error: ErrorDetail { code: self.code, message: self.message } };
        (status, Json(body)).into_response()
    }
}
