//! Shared state of the router, built once from the configuration.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context;

use crate::archive::HelperPool;
use crate::auth::TokenVerifier;
use crate::config::{FilesConfig, Limits};
use crate::extract::ExtractLimits;
use crate::home::Homes;

pub struct AppState {
    pub homes: Homes,
    pub limits: Limits,
    pub tokens: TokenVerifier,
    /// noto-legacy API key id → HMAC secret.
    pub legacy_keys: HashMap<String, String>,
    pub pool: Arc<HelperPool>,
    /// Archives being written; the rest queue here (see `Limits::max_concurrent_archives`).
    pub archives: Arc<tokio::sync::Semaphore>,
    /// The clock of legacy `last-modification` times.
    pub legacy_times: crate::config::LegacyTimes,
    /// Sorted names of large folders, for listing them page after page.
    pub names: crate::listing::NameCache,
}

pub type SharedState = Arc<AppState>;

impl AppState {
    pub fn new(config: &FilesConfig) -> anyhow::Result<SharedState> {
        let homes = Homes::open(&config.homes, config.home_naming)
            .with_context(|| format!("opening the homes folder {}", config.homes.display()))?;
        let limits = config.limits.clone();
        let v2 = config.v2_keys.iter().filter_map(|k| k.secret.as_deref());
        let legacy = config.legacy_keys.iter().filter_map(|k| k.secret.as_deref());
        crate::extract::init_staging_key(v2.chain(legacy).map(str::as_bytes));
        Ok(Arc::new(Self {
            homes,
            tokens: TokenVerifier::new(&config.v2_keys, limits.clock_skew_secs, limits.replay_cache_size),
            legacy_keys: config
                .legacy_keys
                .iter()
                .filter_map(|k| Some((k.user.clone(), k.secret.clone()?)))
                .collect(),
            pool: HelperPool::new(limits.compress_threads.saturating_sub(1).max(1)),
            archives: Arc::new(tokio::sync::Semaphore::new(limits.max_concurrent_archives.max(1))),
            legacy_times: config.legacy_times,
            names: crate::listing::NameCache::default(),
            limits,
        }))
    }

    pub fn extract_limits(&self) -> ExtractLimits {
        ExtractLimits {
            max_entries: self.limits.max_entries,
            max_uncompressed_bytes: self.limits.max_uncompressed_bytes,
        }
    }
}
