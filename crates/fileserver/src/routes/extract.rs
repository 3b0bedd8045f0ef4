//! `POST /v2/homes/{home}/extract?path=&on_conflict=`: the request body (a zip) is streamed to
//! a staging folder beside the target, checked, unpacked and renamed into place.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use futures_util::StreamExt;
use lablink_protocol::files::{ErrorCode, ExtractQuery, ExtractResult, OnConflict};
use tokio::io::AsyncWriteExt;

use super::access::Write;
use super::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Staging, Suffix, owner_for};
use crate::home::open_parent;
use crate::state::{AppState, SharedState};

pub async fn extract(
    State(state): State<SharedState>,
    Write { home, query: q }: Write<ExtractQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<ExtractResult>)> {
    check_upload_length(&state, &headers)?;
    let st = state.clone();
    let target = q.path.clone();
    let (staging, name, owner) = blocking(move || {
        let home_dir = st.homes.open_home(&home)?;
        let owner = owner_for(&home_dir);
        let (parent, name) = open_parent(&home_dir, &target)?;
        if q.on_conflict == OnConflict::Fail && crate::home::exists(&parent, name) {
            return Err(ApiError::new(ErrorCode::Conflict, format!("`{target}` already exists")));
        }
        let name = name.to_owned();
        Ok((Staging::create(parent)?, name, owner))
    })
    .await?;
    let stream = body.into_data_stream().map(|chunk| chunk.map_err(|_| UploadError::Interrupted));
    let staging = receive_upload(&state, staging, stream).await?;
    let st = state.clone();
    let rename = (q.on_conflict == OnConflict::Rename).then_some(Suffix::Dash);
    let (result, final_name) = blocking(move || {
        let result = staging.extract(&st.extract_limits(), &st.pool, owner)?;
        let final_name = staging.commit(&name, rename)?;
        Ok((result, final_name))
    })
    .await?;
    let parent = q.path.parent().unwrap_or_default();
    Ok((
        StatusCode::CREATED,
        Json(ExtractResult {
            path: parent.join(&final_name)?,
            files: result.files,
            folders: result.folders,
            bytes: result.bytes,
            skipped: result.skipped,
        }),
    ))
}

/// Refuses at once an upload that announces more than the limit.
pub(crate) fn check_upload_length(state: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > state.limits.max_upload_bytes => Err(too_large(state)),
        _ => Ok(()),
    }
}

pub(crate) fn too_large(state: &AppState) -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("uploads are limited to {} bytes", state.limits.max_upload_bytes),
    )
}

/// Why an upload stream stopped early.
#[derive(Debug)]
pub(crate) enum UploadError {
    /// The sender's framing (multipart) already counted past the limit.
    TooLarge,
    Interrupted,
}

/// Streams the body into the staging folder, counting as it goes. On any error the staging
/// folder is dropped, and with it everything received.
pub(crate) async fn receive_upload<S>(state: &AppState, staging: Staging, mut stream: S) -> ApiResult<Staging>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, UploadError>> + Unpin,
{
    let file = staging.upload_file()?;
    let mut file = tokio::fs::File::from_std(file);
    let mut received: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| match e {
            UploadError::TooLarge => too_large(state),
            UploadError::Interrupted => ApiError::bad_request("the upload was interrupted"),
        })?;
        received += chunk.len() as u64;
        if received > state.limits.max_upload_bytes {
            return Err(too_large(state));
        }
        file.write_all(&chunk).await.map_err(|e| ApiError::from_io(&e, ""))?;
    }
    file.flush().await.map_err(|e| ApiError::from_io(&e, ""))?;
    if received == 0 {
        return Err(ApiError::bad_archive("the upload is empty"));
    }
    Ok(staging)
}
