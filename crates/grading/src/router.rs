//! The service's HTTP routes, under its prefix (`/services/<name>/` behind JupyterHub).

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::state::SharedState;
use crate::{api, auth};

pub fn router(state: SharedState, prefix: &str) -> Router {
    let routes = Router::new()
        .route(
            "/health",
            get(|| async { Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")})) }),
        )
        .route("/jwks", get(jwks))
        .merge(auth::routes())
        .merge(api::routes())
        .with_state(state);
    match prefix.trim_end_matches('/') {
        "" => routes,
        prefix => Router::new().nest(prefix, routes),
    }
}

/// The keyset URL an LMS registers: the public key of the client assertions.
async fn jwks(State(state): State<SharedState>) -> impl IntoResponse {
    // Platforms fetch it on every token request; an hour of caching spares the service.
    ([(header::CACHE_CONTROL, "public, max-age=3600")], Json(state.key.jwks()))
}
