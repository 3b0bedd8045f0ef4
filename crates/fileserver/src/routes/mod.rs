//! The router: v2 routes under `/v2`, the noto-legacy routes at the top level.

mod access;
mod archive;
mod entries;
mod extract;
mod folders;
mod health;

pub(crate) use extract::{UploadError, check_upload_length, receive_upload};

use std::time::Instant;

use axum::Router;
use axum::extract::{Query, Request};
use axum::http::Uri;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use lablink_protocol::PathError;
use lablink_protocol::files::ErrorCode;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult};
use crate::legacy;
use crate::state::SharedState;

pub fn router(state: SharedState) -> Router {
    Router::new()
        .route("/v2/health", get(health::health))
        .route("/v2/homes/{home}/entries", get(entries::entries))
        .route("/v2/homes/{home}/archive", get(archive::archive))
        .route("/v2/homes/{home}/extract", post(extract::extract))
        .route("/v2/homes/{home}/folders", post(folders::create_folder))
        .merge(legacy::router())
        .fallback(|| async { ApiError::not_found("no such route").into_response() })
        .layer(middleware::from_fn(access_log))
        .with_state(state)
}

/// One line per request. The query is never logged: legacy requests carry their signature
/// there, and paths may be personal.
async fn access_log(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
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

/// Parses the query string into `T`, with errors in the API's own shape.
pub(crate) fn query<T: DeserializeOwned>(uri: &Uri) -> ApiResult<T> {
    Query::<T>::try_from_uri(uri).map(|q| q.0).map_err(|rejection| {
        let text = rejection.body_text();
        let path_errors = [
            PathError::Absolute,
            PathError::EscapesRoot,
            PathError::ControlCharacter,
            PathError::NameTooLong,
            PathError::PathTooLong,
            PathError::TooDeep,
        ];
        match path_errors.iter().find(|e| text.contains(&e.to_string())) {
            Some(e) => ApiError::new(ErrorCode::BadPath, e.to_string()),
            None => ApiError::bad_request(text),
        }
    })
}

/// Runs blocking filesystem work off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|_| Err(ApiError::internal()))
}
