//! The service's HTTP routes, under its prefix (`/services/<name>/` behind JupyterHub).

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::keys::SigningKey;
use crate::service::Service;

pub struct AppState {
    pub key: Arc<SigningKey>,
    /// The courses and their syncs; `None` serves only `/health` and `/jwks`.
    pub service: Option<Arc<Service>>,
}

pub type SharedState = Arc<AppState>;

pub fn router(state: SharedState, prefix: &str) -> Router {
    let routes = Router::new()
        .route(
            "/health",
            get(|| async { Json(json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")})) }),
        )
        .route("/jwks", get(jwks))
        .merge(crate::api::routes())
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
