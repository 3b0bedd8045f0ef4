//! Who is calling. Until the JupyterHub check is wired in, no caller is known and every API
//! request is answered 503 `no_hub`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use lablink_protocol::grading::GradingErrorCode;

use crate::api::ApiError;

/// A hub user, as the hub vouched for them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub name: String,
    pub admin: bool,
    pub groups: Vec<String>,
}

impl Caller {
    /// Hub admins, and members of the course's instructor group.
    pub fn may_grade(&self, instructor_group: &str) -> bool {
        self.admin || self.groups.iter().any(|g| g == instructor_group)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(_parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Err(ApiError::new(GradingErrorCode::NoHub, "this service has no JupyterHub to check callers with"))
    }
}
