//! The lablink file server API: v2 (bearer JWT, streamed zips) and the noto-legacy protocol,
//! both confined to users' homes by the OS.
//!
//! Modules, each depending only on those above it:
//! - `config`: `[files]` settings, their `LABLINK_FILES_*` variables and `--help` text;
//! - `error`: the one error type (`ApiError`), mapped to status + JSON in one place;
//! - `replay`, `auth`: the v2 token check (HS256 by `kid`, method/path/home binding, single-use `jti`);
//! - `listing`: reading one folder (names, order, stats, the sorted-name cache);
//! - `home`: homes and confinement (descend one name at a time, no symlinks);
//! - `archive`: streamed zips (plan the tree, compress ahead, write);
//! - `extract`: staged, checked unpacking (renamed into place, or swapped with the folder there),
//!   single files carried to their place by rename, and the stale-staging sweep;
//! - `state`: `AppState`, what every request shares;
//! - `upload`: receiving a body into a staging folder, bounded (v2 `extract` and `file`, which
//!   are hashed too, and legacy `/uzu`);
//! - `routes`: the v2 routes, one module per resource, the `Access` extractor, and `support`
//!   (the query parser and blocking work they share);
//! - `legacy`: the noto-legacy routes (`error`: its refusals; `signature`: HMAC query auth;
//!   `pyjson`: Python's JSON text);
//! - this file: [`router`] (both protocols, one access log) and [`serve`].

pub mod archive;
pub mod auth;
pub mod config;
pub mod error;
pub mod extract;
pub mod home;
pub mod legacy;
pub mod listing;
pub mod replay;
pub mod routes;
pub mod state;
pub mod upload;

pub use config::FilesConfig;
pub use state::AppState;

/// The whole API: v2 under `/v2`, noto-legacy at the top level, one access log for both.
pub fn router(state: state::SharedState) -> axum::Router {
    use axum::response::IntoResponse as _;
    axum::Router::new()
        .merge(routes::router())
        .merge(legacy::router())
        .fallback(|| async { error::ApiError::not_found("no such route").into_response() })
        .layer(axum::middleware::from_fn(access_log))
        .with_state(state)
}

/// One line per request. The query is never logged: legacy requests carry their signature
/// there, and paths may be personal.
async fn access_log(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}

/// Binds the configured address and serves until `shutdown` completes.
pub async fn serve(
    config: &FilesConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = AppState::new(config)?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(
        listen = %listener.local_addr()?,
        v2_keys = config.v2_keys.len(),
        legacy_keys = config.legacy_keys.len(),
        "file server ready"
    );
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await?;
    Ok(())
}
