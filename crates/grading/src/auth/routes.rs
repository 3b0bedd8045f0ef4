//! The sign-in routes (under the service's prefix): `login`, `oauth_callback`, `logout`, and
//! `api/me`, which tells a caller who the service thinks they are.

use std::sync::Arc;

use axum::extract::{FromRef, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use lablink_protocol::grading::GradingErrorCode;

use super::caller::Caller;
use super::cookie::{self, SESSION_COOKIE, STATE_COOKIE};
use super::extract::prefers_html;
use super::hub_auth::{HubAuth, now};
use crate::error::ApiError;

/// Routes to merge into the service's router (paths relative to its prefix).
pub fn routes<S>() -> Router<S>
where
    Arc<HubAuth>: FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    Router::new()
        .route("/login", get(login))
        .route("/oauth_callback", get(callback))
        .route("/logout", get(logout).post(logout))
        // POST answers the same, after the CSRF check: a client can test that a change would pass.
        .route("/api/me", get(me).post(me))
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
}

async fn login(State(hub): State<Arc<HubAuth>>, Query(q): Query<LoginQuery>, headers: HeaderMap) -> Response {
    hub.sign_in(q.next.as_deref(), &headers)
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(hub): State<Arc<HubAuth>>,
    Query(q): Query<CallbackQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let api = hub.api()?;
    if let Some(error) = q.error {
        tracing::info!(%error, "the hub did not authorize the sign-in");
        return Err(ApiError::new(
            GradingErrorCode::OauthDenied,
            "JupyterHub did not let you sign in to the grading service.",
        ));
    }
    let bad_state = || {
        ApiError::new(
            GradingErrorCode::BadOauthState,
            format!(
                "This sign-in was not started by this browser, or took over ten minutes: start again at {}login.",
                hub.prefix
            ),
        )
    };
    let pending = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|h| cookie::find(h, STATE_COOKIE))
        .and_then(|v| hub.key.open_state(v, now()))
        .ok_or_else(bad_state)?;
    if q.state.as_deref() != Some(pending.state.as_str()) {
        return Err(bad_state());
    }
    let code = q.code.ok_or_else(bad_state)?;
    let token = api.token_for_code(&code, &pending.verifier).await?;
    let name = api.user_for_token(&token).await?;
    tracing::info!(user = %name, "signed in through JupyterHub");
    let secure = hub.secure(&headers);
    let session = hub.key.session(&name, now() + hub.session_seconds);
    let cookies = AppendHeaders([
        (
            header::SET_COOKIE,
            cookie::set_cookie(SESSION_COOKIE, &session, &hub.prefix, hub.session_seconds, secure),
        ),
        (header::SET_COOKIE, cookie::set_cookie(STATE_COOKIE, "", &hub.prefix, 0, secure)),
    ]);
    Ok((cookies, Redirect::to(&pending.next)).into_response())
}

/// Ends our session; a browser then goes on to the hub's logout, else the session would come
/// straight back through the hub's own.
async fn logout(State(hub): State<Arc<HubAuth>>, headers: HeaderMap) -> Response {
    let clear = AppendHeaders([(
        header::SET_COOKIE,
        cookie::set_cookie(SESSION_COOKIE, "", &hub.prefix, 0, hub.secure(&headers)),
    )]);
    if prefers_html(&headers) {
        (clear, Redirect::to(&format!("{}logout", hub.public_hub_url))).into_response()
    } else {
        (clear, Json(json!({"signed_out": true}))).into_response()
    }
}

async fn me(caller: Caller) -> Json<Caller> {
    Json(caller)
}
