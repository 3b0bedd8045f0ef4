//! `POST /v2/homes/{home}/extract?path=&on_conflict=`: the request body (a zip) is streamed to
//! a staging folder beside the target (hashed on the way), checked, unpacked and renamed into
//! place, or swapped with the folder there (`replace`).

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use futures_util::StreamExt;
use lablink_protocol::files::{ErrorCode, ExtractQuery, ExtractResult, OnConflict};

use super::access::Write;
use super::support::blocking;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Staging, Suffix, owner_for};
use crate::home::open_parent;
use crate::state::SharedState;
use crate::upload::{Kind, UploadError, check_length, receive_upload};

pub async fn extract(
    State(state): State<SharedState>,
    Write { home, query: q }: Write<ExtractQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<(StatusCode, Json<ExtractResult>)> {
    check_length(&state, &headers, Kind::Zip)?;
    let st = state.clone();
    let target = q.path.clone();
    let (staging, name, owner) = blocking(move || {
        let home_dir = st.homes.open_home(&home)?;
        let owner = owner_for(&home_dir);
        let (parent, name) = open_parent(&home_dir, &target)?;
        match q.on_conflict {
            OnConflict::Fail if crate::home::exists(&parent, name) => {
                return Err(ApiError::new(ErrorCode::Conflict, format!("`{target}` already exists")));
            }
            // Refused before the upload is taken; `replace` checks again when it swaps.
            OnConflict::Replace if parent.symlink_metadata(name).is_ok_and(|m| !m.is_dir()) => {
                return Err(ApiError::new(
                    ErrorCode::Conflict,
                    format!("`{target}` is not a folder, so it is not replaced"),
                ));
            }
            _ => {}
        }
        let name = name.to_owned();
        Ok((Staging::create(parent)?, name, owner))
    })
    .await?;
    let stream = body.into_data_stream().map(|chunk| chunk.map_err(|_| UploadError::Interrupted));
    let (staging, received) = receive_upload(&state, staging, stream, true).await?;
    let st = state.clone();
    let on_conflict = q.on_conflict;
    let (result, final_name) = blocking(move || {
        let result = staging.extract(&st.extract_limits(), &st.pool, owner)?;
        let final_name = match on_conflict {
            OnConflict::Rename => staging.commit(&name, Some(Suffix::Dash))?,
            OnConflict::Fail => staging.commit(&name, None)?,
            OnConflict::Replace => staging.replace(&name)?,
        };
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
            sha256: received.sha256,
        }),
    ))
}
