//! `GET` and `PUT /v2/homes/{home}/file?path=`: one small regular file (a manifest, a note),
//! read whole or written whole. A write goes to a staging folder beside the target and is
//! renamed over the old file, so a reader sees the old content or the new, never half.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cap_fs_ext::{FollowSymlinks, OpenOptionsFollowExt};
use cap_std::fs::{Metadata, OpenOptions, OpenOptionsExt};
use futures_util::StreamExt;
use lablink_protocol::files::{ErrorCode, FileQuery, FileWritten};
use tokio::io::AsyncReadExt;

use super::access::{Read, Write};
use super::support::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Staging, owner_for};
use crate::home::open_parent;
use crate::state::SharedState;
use crate::upload::{Kind, UploadError, check_length, receive};

pub async fn get_file(
    State(state): State<SharedState>,
    Read { home, query: q }: Read<FileQuery>,
) -> ApiResult<Response> {
    let (file, len) = blocking(move || {
        let home_dir = state.homes.open_home(&home)?;
        let (parent, name) = open_parent(&home_dir, &q.path)?;
        let shown = q.path.as_str();
        let meta = parent.symlink_metadata(name).map_err(|e| ApiError::from_io(&e, shown))?;
        check_file(&meta, shown)?;
        // No link is followed, and a FIFO swapped in since the look above cannot block the open.
        let mut options = OpenOptions::new();
        options
            .read(true)
            .follow(FollowSymlinks::No)
            .custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
        let file = parent.open_with(name, &options).map_err(|e| ApiError::from_io(&e, shown))?;
        let meta = file.metadata().map_err(|e| ApiError::from_io(&e, shown))?;
        check_file(&meta, shown)?;
        Ok((file.into_std(), meta.len()))
    })
    .await?;
    // At most the length announced, even if the file grows while it is sent.
    let reader = tokio::fs::File::from_std(file).take(len);
    let stream = tokio_util::io::ReaderStream::with_capacity(reader, 64 << 10);
    let mut response = Body::from_stream(stream).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_LENGTH, len.into());
    Ok(response)
}

pub async fn put_file(
    State(state): State<SharedState>,
    Write { home, query: q }: Write<FileQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<FileWritten>)> {
    check_length(&state, &headers, Kind::File)?;
    let st = state.clone();
    let path = q.path.clone();
    let (staging, name, owner) = blocking(move || {
        let home_dir = st.homes.open_home(&home)?;
        let owner = owner_for(&home_dir);
        let (parent, name) = open_parent(&home_dir, &path)?;
        match parent.symlink_metadata(name) {
            Ok(meta) => check_file(&meta, path.as_str())?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(ApiError::from_io(&e, path.as_str())),
        }
        let name = name.to_owned();
        Ok((Staging::create(parent)?, name, owner))
    })
    .await?;
    let stream = body.into_data_stream().map(|chunk| chunk.map_err(|_| UploadError::Interrupted));
    let (staging, received) = receive(&state, staging, stream, Kind::File, true).await?;
    let path = q.path.clone();
    blocking(move || staging.commit_file(&name, path.as_str(), owner)).await?;
    Ok((
        StatusCode::CREATED,
        Json(FileWritten { path: q.path, bytes: received.bytes, sha256: received.sha256 }),
    ))
}

/// Only regular files are read or replaced: a link is refused as everywhere else, a folder or
/// anything else (FIFO, socket, device) is not a file.
fn check_file(meta: &Metadata, shown: &str) -> ApiResult<()> {
    if meta.file_type().is_symlink() {
        return Err(ApiError::forbidden(format!("`{shown}` is a symbolic link; links are never followed")));
    }
    if meta.is_dir() {
        return Err(ApiError::new(ErrorCode::NotAFile, format!("`{shown}` is a folder, not a file")));
    }
    if !meta.is_file() {
        return Err(ApiError::new(ErrorCode::NotAFile, format!("`{shown}` is not a regular file")));
    }
    Ok(())
}
