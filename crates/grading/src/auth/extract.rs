//! The `Caller` extractor: a handler that takes a [`Caller`] runs only for a caller the hub
//! vouches for; a browser without a session is sent to sign in instead.

use std::sync::Arc;

use axum::extract::{FromRef, FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use lablink_protocol::grading::GradingErrorCode;

use super::caller::Caller;
use super::hub_auth::HubAuth;

/// Whether the client would rather have HTML than JSON (a browser navigating, not a script).
pub fn prefers_html(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let (mut html, mut json) = (0.0f32, 0.0f32);
    for range in accept.split(',') {
        let mut params = range.split(';');
        let media = params.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = params
            .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
            .unwrap_or(1.0);
        match media.as_str() {
            "text/html" | "application/xhtml+xml" => html = html.max(q),
            "application/json" => json = json.max(q),
            _ => {}
        }
    }
    html > 0.0 && html > json
}

impl<S> FromRequestParts<S> for Caller
where
    Arc<HubAuth>: FromRef<S>,
    S: Send + Sync,
{
    /// JSON errors; for a browser without a session, the redirect that signs it in.
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let hub = Arc::<HubAuth>::from_ref(state);
        match hub.caller(parts).await {
            Ok(caller) => Ok(caller),
            Err(e)
                if e.code == GradingErrorCode::SignedOut
                    && matches!(parts.method, Method::GET | Method::HEAD)
                    && prefers_html(&parts.headers) =>
            {
                // Nested routers see a shortened URI; come back to the one the browser asked for.
                let uri = parts.extensions.get::<OriginalUri>().map(|o| &o.0).unwrap_or(&parts.uri);
                let next = uri.path_and_query().map(|p| p.as_str());
                Err(hub.sign_in(next, &parts.headers))
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::csrf::tests::headers;
    #[test]
    fn html_is_for_browsers_navigating() {
        let nav = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert!(prefers_html(&headers(&[("accept", nav)])));
        assert!(!prefers_html(&headers(&[("accept", "*/*")])));
        assert!(!prefers_html(&headers(&[("accept", "application/json, text/html;q=0.5")])));
        assert!(!prefers_html(&headers(&[("accept", "text/html;q=0")])));
        assert!(!prefers_html(&HeaderMap::new()));
    }
}
