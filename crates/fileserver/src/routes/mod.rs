//! The v2 routes, under `/v2` (merged with the noto-legacy ones by [`crate::router`]).

mod access;
mod archive;
mod entries;
mod extract;
mod folders;
mod health;

use axum::Router;
use axum::extract::Query;
use axum::http::Uri;
use axum::routing::{get, post};
use lablink_protocol::WorkspacePath;
use lablink_protocol::files::ErrorCode;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult};
use crate::state::SharedState;

pub fn router() -> Router<SharedState> {
    Router::new()
        .route("/v2/health", get(health::health))
        .route("/v2/homes/{home}/entries", get(entries::entries))
        .route("/v2/homes/{home}/archive", get(archive::archive))
        .route("/v2/homes/{home}/extract", post(extract::extract))
        .route("/v2/homes/{home}/folders", post(folders::create_folder))
}

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
