//! The router's state, shared by every handler.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::auth::HubAuth;
use crate::keys::SigningKey;
use crate::service::Service;

/// The router's state; cheap to clone (every field is an `Arc`).
#[derive(Clone)]
pub struct AppState {
    pub key: Arc<SigningKey>,
    pub hub: Arc<HubAuth>,
    /// The courses and their syncs; `None` serves only `/health`, `/jwks` and sign-in.
    pub service: Option<Arc<Service>>,
}

pub type SharedState = AppState;

/// Lets handlers take the `Caller` extractor.
impl FromRef<AppState> for Arc<HubAuth> {
    fn from_ref(state: &AppState) -> Self {
        state.hub.clone()
    }
}
