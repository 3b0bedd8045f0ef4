//! Receiving a request body into a staging folder, bounded by the configured size and, where the
//! reply reports it, hashed (SHA-256) on the way in: shared by v2 `extract` and `file` (hashed),
//! and legacy `/uzu` (not: its protocol has nowhere to say it).

use axum::http::{HeaderMap, header};
use futures_util::StreamExt;
use lablink_protocol::files::ErrorCode;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::error::{ApiError, ApiResult};
use crate::extract::Staging;
use crate::state::AppState;

/// What a body is received as: a zip to unpack, or a file to write as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Zip,
    File,
}

impl Kind {
    fn limit(self, state: &AppState) -> u64 {
        match self {
            Self::Zip => state.limits.max_upload_bytes,
            Self::File => state.limits.max_file_bytes,
        }
    }
}

/// Refuses at once a body that announces more than the limit of its kind.
pub fn check_length(state: &AppState, headers: &HeaderMap, kind: Kind) -> ApiResult<()> {
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(n) if n > kind.limit(state) => Err(too_large(state, kind)),
        _ => Ok(()),
    }
}

fn too_large(state: &AppState, kind: Kind) -> ApiError {
    let what = match kind {
        Kind::Zip => "uploads",
        Kind::File => "files",
    };
    ApiError::new(ErrorCode::PayloadTooLarge, format!("{what} are limited to {} bytes", kind.limit(state)))
}

/// Why an upload stream stopped early.
#[derive(Debug)]
pub enum UploadError {
    /// The sender's framing (multipart) already counted past the limit.
    TooLarge,
    Interrupted,
}

/// What was received: its length and its SHA-256 (lowercase hex; '' when not hashed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub bytes: u64,
    pub sha256: String,
}

/// Streams a zip into the staging folder (see [`receive`]); an empty one is refused.
pub async fn receive_upload<S>(
    state: &AppState,
    staging: Staging,
    stream: S,
    hashed: bool,
) -> ApiResult<(Staging, Received)>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, UploadError>> + Unpin,
{
    let (staging, received) = receive(state, staging, stream, Kind::Zip, hashed).await?;
    if received.bytes == 0 {
        return Err(ApiError::bad_archive("the upload is empty"));
    }
    Ok((staging, received))
}

/// Streams the body into the staging folder's upload file, counting against the limit of
/// `kind` and, when `hashed`, hashing as it goes (the hash is of the bytes exactly as they
/// came). On any error the staging folder is dropped, and with it everything received.
pub async fn receive<S>(
    state: &AppState,
    staging: Staging,
    mut stream: S,
    kind: Kind,
    hashed: bool,
) -> ApiResult<(Staging, Received)>
where
    S: futures_util::Stream<Item = Result<bytes::Bytes, UploadError>> + Unpin,
{
    let file = staging.upload_file()?;
    let mut file = tokio::fs::File::from_std(file);
    let limit = kind.limit(state);
    let mut hash = hashed.then(Sha256::new);
    let mut received: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| match e {
            UploadError::TooLarge => too_large(state, kind),
            UploadError::Interrupted => ApiError::bad_request("the upload was interrupted"),
        })?;
        received += chunk.len() as u64;
        if received > limit {
            return Err(too_large(state, kind));
        }
        if let Some(hash) = hash.as_mut() {
            hash.update(&chunk);
        }
        file.write_all(&chunk).await.map_err(|e| ApiError::from_io(&e, ""))?;
    }
    file.flush().await.map_err(|e| ApiError::from_io(&e, ""))?;
    let sha256 = hash.map(|hash| format!("{:x}", hash.finalize())).unwrap_or_default();
    Ok((staging, Received { bytes: received, sha256 }))
}
