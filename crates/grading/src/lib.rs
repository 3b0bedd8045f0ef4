//! The lablink grading service: reads nbgrader's gradebook and pushes scores to the LMS.

pub mod auth;
pub mod config;
pub mod gradebook;
pub mod journal;
pub mod keys;
pub mod lti;
pub mod routes;
pub mod sync;

use std::sync::Arc;

pub use config::GradingConfig;

/// Loads the key (making it on first run), binds and serves until `shutdown` completes.
pub async fn serve(
    config: &GradingConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let key = keys::SigningKey::load_or_create(&config.key_file)?;
    let prefix = config.prefix(std::env::var("JUPYTERHUB_SERVICE_PREFIX").ok().as_deref());
    let hub = auth::HubAuth::new(config.hub.as_ref(), &prefix)?.unwrap_or_else(|| {
        tracing::warn!("no JupyterHub configured: requests needing a signed-in user will get 503");
        auth::HubAuth::disabled(&prefix)
    });
    let state = routes::AppState { key: Arc::new(key), hub: Arc::new(hub) };
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(listen = %listener.local_addr()?, %prefix, courses = config.courses.len(), "grading service ready");
    axum::serve(listener, routes::router(state, &prefix)).with_graceful_shutdown(shutdown).await?;
    Ok(())
}
