//! Receiving an upload (a zip) into a staging folder, bounded by the configured size: shared by
//! v2 `extract` and legacy `/uzu`.

use axum::http::{HeaderMap, header};
use futures_util::StreamExt;
use lablink_protocol::files::ErrorCode;
use tokio::io::AsyncWriteExt;

use crate::error::{ApiError, ApiResult};
use crate::extract::Staging;
use crate::state::AppState;

/// Refuses at once an upload that announces more than the limit.
pub fn check_upload_length(state: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > state.limits.max_upload_bytes => Err(too_large(state)),
        _ => Ok(()),
    }
}

pub fn too_large(state: &AppState) -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("uploads are limited to {} bytes", state.limits.max_upload_bytes),
    )
}

/// Why an upload stream stopped early.
#[derive(Debug)]
pub enum UploadError {
    /// The sender's framing (multipart) already counted past the limit.
    TooLarge,
    Interrupted,
}

/// Streams the body into the staging folder, counting as it goes. On any error the staging
/// folder is dropped, and with it everything received.
pub async fn receive_upload<S>(state: &AppState, staging: Staging, mut stream: S) -> ApiResult<Staging>
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
