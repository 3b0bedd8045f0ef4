//! The lablink grading service: reads nbgrader's gradebook and pushes scores to the LMS.

pub mod api;
pub mod auth;
pub mod config;
pub mod gradebook;
pub mod journal;
pub mod keys;
pub mod lti;
pub mod routes;
pub mod service;
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
    let key = Arc::new(key);
    let service = service::Service::new(config.clone(), Arc::clone(&key))?;
    let resumed = service.resume()?;
    if !resumed.is_empty() {
        tracing::info!(jobs = resumed.len(), "resuming syncs a stopped service left unfinished");
    }
    let state = Arc::new(routes::AppState { key, service: Some(service) });
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(listen = %listener.local_addr()?, %prefix, courses = config.courses.len(), "grading service ready");
    axum::serve(listener, routes::router(state, &prefix)).with_graceful_shutdown(shutdown).await?;
    Ok(())
}
