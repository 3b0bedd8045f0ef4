//! The lablink grading service: reads nbgrader's gradebook and pushes scores to the LMS.
//!
//! Modules, in dependency order (each uses only those above it):
//! - [`error`]: the one error type (`ApiError`), answered as status + JSON in one place.
//! - [`keys`]: the RSA key signing LTI client assertions, and its JWKS.
//! - [`journal`]: the SQLite journal of sync jobs, so a stopped sync resumes.
//! - [`gradebook`]: reads scores from nbgrader's gradebook.
//! - [`config`]: the TOML configuration, with the hub's `JUPYTERHUB_*` fallback.
//! - [`lti`]: the LMS side: tokens, Assignment and Grade Services, LTI 1.1 outcomes
//!   (`lti11/`: `oauth.rs` signing, `pox.rs` messages, `outcomes.rs` the client).
//! - [`auth`]: who is calling, checked with JupyterHub (`caller.rs` the caller and who may
//!   grade, `csrf.rs`, `error.rs` its refusals, `hub_auth.rs` the check, `extract.rs` the
//!   handlers' extractor); sign-in routes (`routes.rs`).
//! - [`sync`]: one assignment's scores to the LMS: `syncer.rs` (plan, run), `ags.rs` (LTI 1.3),
//!   `lti11.rs` (LTI 1.1), `roster.rs` (which LMS user a student is).
//! - [`service`]: the configured courses, their syncs and launches.
//! - [`state`]: the router's state.
//! - [`api`]: the JSON API handlers under `api/`.
//! - [`router`]: all routes under the service's prefix, with `/health` and `/jwks`.

pub mod api;
pub mod auth;
pub mod config;
pub mod error;
pub mod gradebook;
pub mod journal;
pub mod keys;
pub mod lti;
pub mod router;
pub mod service;
pub mod state;
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
    let resumed = service.resume().await;
    if !resumed.is_empty() {
        tracing::info!(jobs = resumed.len(), "resuming syncs a stopped service left unfinished");
    }
    let hub = auth::HubAuth::new(config.hub.as_ref(), &prefix)?.unwrap_or_else(|| {
        tracing::warn!("no JupyterHub configured: requests needing a signed-in user will get 503");
        auth::HubAuth::disabled(&prefix)
    });
    let state = state::AppState { key, hub: Arc::new(hub), service: Some(service) };
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    tracing::info!(listen = %listener.local_addr()?, %prefix, courses = config.courses.len(), "grading service ready");
    axum::serve(listener, router::router(state, &prefix)).with_graceful_shutdown(shutdown).await?;
    Ok(())
}

/// One sync run from the command line (`lablink grading … sync`).
pub struct SyncOnce {
    pub course: String,
    pub assignment: String,
    pub only: Option<Vec<String>>,
    /// Print what would change; send nothing.
    pub preview: bool,
}

/// Runs (or previews) one sync in this process; the finished job (or the preview) as JSON.
pub async fn sync_once(config: GradingConfig, request: SyncOnce) -> anyhow::Result<serde_json::Value> {
    let key = Arc::new(keys::SigningKey::load_or_create(&config.key_file)?);
    let service = service::Service::new(config, key)?;
    let SyncOnce { course, assignment, only, preview } = request;
    if preview {
        let found = service.course(&course)?;
        let target = service.target(found)?;
        let (max, scores) =
            sync::Syncer::read_gradebook(&found.gradebook, &assignment, only.as_deref()).await?;
        let what = sync::Scores {
            course: &course,
            assignment: &assignment,
            max_score: max,
            scores: &scores,
            overwrite: &[],
        };
        let assessment = service.syncer.assess(&target, what, false).await?;
        return Ok(serde_json::to_value(service::preview(&course, &assignment, &assessment))?);
    }
    let (job, _) = service.sync_now(&course, &assignment, only.as_deref(), "cli").await?;
    let status = service.status(&job, true)?.ok_or_else(|| anyhow::anyhow!("job {job} vanished"))?;
    Ok(serde_json::to_value(status)?)
}
