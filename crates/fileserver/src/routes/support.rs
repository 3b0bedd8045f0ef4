//! What the v2 handlers share: the query parser with typed path errors, and blocking work off
//! the async threads.

use axum::extract::Query;
use axum::http::Uri;
use lablink_protocol::WorkspacePath;
use lablink_protocol::files::ErrorCode;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult};

/// Parses the query string into `T`, with errors in the API's own shape. A refused `path` is
/// told apart by parsing it again as a `WorkspacePath` (its typed error), not by the wording
/// of the deserializer's message.
pub(crate) fn query<T: DeserializeOwned>(uri: &Uri) -> ApiResult<T> {
    Query::<T>::try_from_uri(uri).map(|q| q.0).map_err(|rejection| {
        let raw = Query::<Vec<(String, String)>>::try_from_uri(uri).map(|q| q.0).unwrap_or_default();
        let bad_path =
            raw.iter().filter(|(key, _)| key == "path").find_map(|(_, v)| WorkspacePath::parse(v).err());
        match bad_path {
            Some(e) => ApiError::new(ErrorCode::BadPath, e.to_string()),
            None => ApiError::bad_request(rejection.body_text()),
        }
    })
}

/// Runs blocking filesystem work off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|_| Err(ApiError::internal()))
}
