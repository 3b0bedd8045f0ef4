//! The service's one error type: every refusal and failure a client sees, from sign-in to sync,
//! answered as `{"error": {"code", "message"}}` (plus `login_url` with `signed_out`) with the
//! code's status. Rendered here only: the status map, `WWW-Authenticate` and logging.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use lablink_protocol::grading::{GradingErrorBody, GradingErrorCode, GradingErrorDetail};

#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    pub code: GradingErrorCode,
    pub message: String,
    /// Given with `signed_out`, so a client knows where to send the user.
    pub login_url: Option<String>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: GradingErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), login_url: None }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::warn!(code = self.code.as_str(), message = %self.message, "request failed");
        }
        let body = GradingErrorBody {
            error: GradingErrorDetail { code: self.code, message: self.message, login_url: self.login_url },
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("token"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn answer(e: ApiError) -> (StatusCode, Option<String>, serde_json::Value) {
        let response = e.into_response();
        let status = response.status();
        let www = response.headers().get(header::WWW_AUTHENTICATE).map(|v| v.to_str().unwrap().to_owned());
        let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        (status, www, serde_json::from_slice(&body).unwrap())
    }

    #[tokio::test]
    async fn one_rendering_for_every_error() {
        let mut signed_out = ApiError::new(GradingErrorCode::SignedOut, "sign in");
        signed_out.login_url = Some("/services/g/login".into());
        let (status, www, body) = answer(signed_out).await;
        assert_eq!((status, www.as_deref()), (StatusCode::UNAUTHORIZED, Some("token")));
        assert_eq!(
            body,
            serde_json::json!({"error": {"code": "signed_out", "message": "sign in", "login_url": "/services/g/login"}})
        );
        let (status, www, body) = answer(ApiError::new(GradingErrorCode::NotInstructor, "no")).await;
        assert_eq!((status, www), (StatusCode::FORBIDDEN, None));
        assert_eq!(body, serde_json::json!({"error": {"code": "not_instructor", "message": "no"}}));
        let (status, _, _) = answer(ApiError::new(GradingErrorCode::Lms, "down")).await;
        assert_eq!(status, StatusCode::BAD_GATEWAY);
    }
}
