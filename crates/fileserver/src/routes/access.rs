//! The v2 extractor: checks the bearer token for the `{home}` of the route, the method and the
//! path, then parses the query. Handlers receive only what a checked request may use.

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::support::query;
use crate::error::{ApiError, ApiResult};
use crate::state::SharedState;

/// A request whose token allows reading (`WRITE = false`) or writing `home`, with its query.
pub struct Access<Q, const WRITE: bool> {
    pub home: String,
    pub query: Q,
}

pub type Read<Q> = Access<Q, false>;
pub type Write<Q> = Access<Q, true>;

impl<Q: DeserializeOwned + Send, const WRITE: bool> FromRequestParts<SharedState> for Access<Q, WRITE> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &SharedState) -> ApiResult<Self> {
        let Path(home) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::bad_request("the home in the path is not valid"))?;
        // The token is checked before anything else, so a stranger learns nothing from errors.
        let grant = state.tokens.verify(&parts.headers, &parts.method, parts.uri.path(), &home, WRITE)?;
        tracing::debug!(issuer = grant.issuer, home = grant.home, write = grant.write, "token accepted");
        let query = query(&parts.uri)?;
        Ok(Self { home, query })
    }
}
