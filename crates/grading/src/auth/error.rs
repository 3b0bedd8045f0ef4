//! The refusals of sign-in and authorisation: constructors on the service's one error type, so
//! the words a caller reads are written once.

use lablink_protocol::grading::GradingErrorCode;

use crate::error::ApiError;

/// The refusals of sign-in and authorisation (the type is the service's one error).
impl ApiError {
    pub(super) fn signed_out() -> Self {
        ApiError::new(
            GradingErrorCode::SignedOut,
            "You are not signed in (or your session has ended): sign in through JupyterHub, \
             or send a JupyterHub API token as `Authorization: token <token>`.",
        )
    }
    pub(super) fn invalid_token() -> Self {
        ApiError::new(
            GradingErrorCode::InvalidToken,
            "JupyterHub does not accept this token: it is unknown, revoked or expired.",
        )
    }
    pub(super) fn malformed_authorization() -> Self {
        ApiError::new(
            GradingErrorCode::InvalidToken,
            "The Authorization header must be `token <token>` or `Bearer <token>` with a JupyterHub API token.",
        )
    }
    pub(super) fn not_a_user() -> Self {
        ApiError::new(
            GradingErrorCode::NotAUser,
            "This token belongs to a JupyterHub service, not a user: use a user's token.",
        )
    }
    pub(super) fn no_access(scopes: &[String]) -> Self {
        ApiError::new(
            GradingErrorCode::NoAccess,
            format!(
                "This token does not grant access to the grading service: it needs one of the scopes {}.",
                scopes.join(", ")
            ),
        )
    }
    pub(super) fn csrf() -> Self {
        ApiError::new(
            GradingErrorCode::CrossSiteRequest,
            "This request may come from another site: send it from the grading panel, \
             or add the header `X-Lablink-Request: 1`.",
        )
    }
    pub(super) fn hub_not_configured() -> Self {
        ApiError::new(
            GradingErrorCode::HubNotConfigured,
            "This grading service has no JupyterHub to check who you are: run it as a JupyterHub \
             service or set [grading.hub] in its configuration.",
        )
    }
    pub(super) fn hub_unavailable() -> Self {
        ApiError::new(
            GradingErrorCode::HubUnavailable,
            "JupyterHub did not answer as expected, so who you are could not be checked: try again shortly.",
        )
    }
    pub(super) fn hub_misconfigured() -> Self {
        ApiError::new(
            GradingErrorCode::HubMisconfigured,
            "The grading service may not read users' groups at JupyterHub: give it a role with the \
             scopes read:users:name and read:users:groups.",
        )
    }
    pub(super) fn oauth_failed() -> Self {
        ApiError::new(
            GradingErrorCode::OauthFailed,
            "JupyterHub refused to complete the sign-in (the code is invalid or was used already): sign in again.",
        )
    }
}
