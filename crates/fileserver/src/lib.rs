//! The lablink file server API: v2 (bearer JWT, streamed zips) and the noto-legacy protocol,
//! both confined to users' homes by the OS.

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

pub use config::FilesConfig;
pub use routes::router;
pub use state::AppState;

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
