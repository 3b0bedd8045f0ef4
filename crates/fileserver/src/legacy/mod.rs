//! The noto-legacy protocol (`/ls /lof /lod /zfs /uzu`), wire-compatible with the original
//! server the noto Moodle plugins call, but with v2's confinement and limits.

pub mod pyjson;
pub mod signature;

use std::collections::HashMap;
use std::io;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use cap_std::fs::Dir;
use lablink_protocol::files::{EntryKind, ErrorCode};
use lablink_protocol::legacy::{
    DestinationPayload, Envelope, FolderPayload, ItemType, LegacyUser, LodNode, LofItem, LsItem, PathPayload,
    ReturnStatus, UzuReply, ZfsReply, code,
};
use lablink_protocol::{PathError, WorkspacePath};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::archive::{plan, write_zip};
use crate::auth::now_secs;
use crate::error::ApiError;
use crate::extract::{Staging, Suffix, owner_for};
use crate::home::{open_folder, open_parent};
use crate::listing::read_folder;
use crate::routes::UploadError;
use crate::state::{AppState, SharedState};
use futures_util::StreamExt;

/// Deepest `/lod` walk (the original had no bound).
const LOD_MAX_DEPTH: u32 = 32;
/// Highest `max_depth` a client may ask of `/lof`.
const LOF_DEPTH_CAP: u32 = 16;

pub fn router() -> Router<SharedState> {
    Router::new()
        .route("/", get(root))
        .route("/healthz", get(|| async { "OK" }))
        .route("/ls", get(ls))
        .route("/lof", get(lof))
        .route("/lod", get(lod))
        .route("/zfs", get(zfs))
        .route("/uzu", post(uzu))
}

/// A refusal in the legacy shape: HTTP 200, `return.code` ≠ 0, payload `{}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyError {
    pub code: i64,
    pub status: String,
}

impl LegacyError {
    pub fn new(code: i64, status: impl Into<String>) -> Self {
        Self { code, status: status.into() }
    }
}

impl From<ApiError> for LegacyError {
    fn from(err: ApiError) -> Self {
        let code = match err.code {
            ErrorCode::NotFound => code::NOT_FOUND,
            _ => code::OTHER,
        };
        Self::new(code, format!("Error: {}", err.message))
    }
}

impl From<PathError> for LegacyError {
    fn from(err: PathError) -> Self {
        ApiError::from(err).into()
    }
}

type LegacyResult<T> = Result<T, LegacyError>;

/// Wraps a payload (or an error) in the envelope, exactly as the original server did.
fn envelope(result: LegacyResult<String>) -> Response {
    let (payload, ret) = match result {
        Ok(payload) => (payload, ReturnStatus { code: code::OK, status: "OK".into() }),
        Err(e) => ("{}".to_owned(), ReturnStatus { code: e.code, status: e.status }),
    };
    let body = Envelope { md5_payload: signature::md5_b64(&payload), payload, ret };
    let mut text = pyjson::jsonify(&body);
    text.push('\n');
    let mut response = text.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

async fn root() -> Response {
    envelope(Ok("{}".into()))
}

fn params(uri: &Uri) -> HashMap<String, String> {
    axum::extract::Query::<HashMap<String, String>>::try_from_uri(uri).map(|q| q.0).unwrap_or_default()
}

/// Authenticates the request and parses its payload.
fn authenticate<T: DeserializeOwned>(state: &AppState, uri: &Uri) -> LegacyResult<T> {
    let l = &state.limits;
    let payload = signature::verify(
        &params(uri),
        &state.legacy_keys,
        l.legacy_ttl_secs,
        l.clock_skew_secs,
        now_secs(),
    )?;
    let value: serde_json::Value = serde_json::from_str(&payload)
        .map_err(|_| LegacyError::new(code::OTHER, "Error: can't convert payload to JSON"))?;
    if value.get("user").is_none_or(|u| u.get("id").is_none()) {
        return Err(LegacyError::new(code::OTHER, "Error: couldn't determine user"));
    }
    serde_json::from_value(value).map_err(|e| {
        let field = e.to_string();
        let missing =
            ["path", "folder", "destination"].into_iter().find(|f| field.contains(&format!("`{f}`")));
        match missing {
            Some(f) => LegacyError::new(code::OTHER, format!("'{f}' missing in payload")),
            None => LegacyError::new(code::OTHER, "Error: the payload does not have the expected fields"),
        }
    })
}

fn home_of(state: &AppState, user: &LegacyUser) -> LegacyResult<(Dir, String)> {
    let folder = state.homes.folder_name(&user.id)?;
    let dir = state.homes.open_home(&user.id).map_err(|e| match e.code {
        ErrorCode::NotFound => LegacyError::new(code::OTHER, "Error: user home does not exist"),
        _ => e.into(),
    })?;
    Ok((dir, folder))
}

fn folder_at(home: &Dir, raw: &str) -> LegacyResult<(Dir, WorkspacePath)> {
    let path = WorkspacePath::parse_home_relative(raw)?;
    let dir = open_folder(home, &path).map_err(|e| match e.code {
        ErrorCode::NotFound | ErrorCode::NotAFolder => {
            LegacyError::new(code::NOT_FOUND, "Directory doesn't exist")
        }
        _ => e.into(),
    })?;
    Ok((dir, path))
}

fn internal() -> LegacyError {
    LegacyError::new(code::OTHER, "Error: internal failure")
}

/// Runs filesystem work off the async threads.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> LegacyResult<T> + Send + 'static,
) -> LegacyResult<T> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|_| Err(internal()))
}

async fn run_blocking(
    state: SharedState,
    uri: Uri,
    work: impl FnOnce(&AppState, &Uri) -> LegacyResult<String> + Send + 'static,
) -> Response {
    envelope(blocking(move || work(&state, &uri)).await)
}

fn dumps<T: Serialize>(value: &T) -> LegacyResult<String> {
    Ok(pyjson::dumps(value))
}

/// Folders and files of one level, sorted as the original sorted them (type, then name).
fn listed(dir: &Dir) -> LegacyResult<Vec<lablink_protocol::files::Entry>> {
    let mut entries: Vec<_> = read_folder(dir, false)
        .map_err(|e| LegacyError::from(ApiError::from_io(&e, "")))?
        .into_iter()
        .filter(|e| matches!(e.kind, EntryKind::Folder | EntryKind::File))
        .collect();
    entries
        .sort_by(|a, b| (a.kind != EntryKind::Folder, &a.name).cmp(&(b.kind != EntryKind::Folder, &b.name)));
    Ok(entries)
}

fn timestamp(secs: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    t.format(&format).unwrap_or_else(|_| "unknown".into())
}

async fn ls(State(state): State<SharedState>, uri: Uri) -> Response {
    run_blocking(state, uri, |state, uri| {
        let p: PathPayload = authenticate(state, uri)?;
        let raw = p.path.ok_or_else(|| LegacyError::new(code::OTHER, "'path' missing in payload"))?;
        let (home, _) = home_of(state, &p.user)?;
        let (dir, _) = folder_at(&home, &raw)?;
        let items: Vec<LsItem> = listed(&dir)?
            .into_iter()
            .map(|e| match e.kind {
                EntryKind::Folder => {
                    LsItem { name: e.name, kind: ItemType::Directory, last_modification: None }
                }
                _ => LsItem {
                    name: e.name,
                    kind: ItemType::File,
                    last_modification: Some(timestamp(e.modified)),
                },
            })
            .collect();
        dumps(&items)
    })
    .await
}

async fn lof(State(state): State<SharedState>, uri: Uri) -> Response {
    run_blocking(state, uri, |state, uri| {
        let p: PathPayload = authenticate(state, uri)?;
        let raw = p.path.ok_or_else(|| LegacyError::new(code::OTHER, "'path' missing in payload"))?;
        let max_depth = p.max_depth.unwrap_or(state.limits.lof_max_depth).min(LOF_DEPTH_CAP);
        let (home, _) = home_of(state, &p.user)?;
        let (dir, _) = folder_at(&home, &raw)?;
        let mut budget = state.limits.max_tree_nodes;
        dumps(&lof_tree(&dir, 0, max_depth, &mut budget)?)
    })
    .await
}

fn too_many() -> LegacyError {
    LegacyError::new(code::OTHER, "Error: the folder holds too many entries to list at once")
}

fn lof_tree(dir: &Dir, depth: u32, max_depth: u32, budget: &mut usize) -> LegacyResult<Vec<LofItem>> {
    let mut out = Vec::new();
    for e in listed(dir)? {
        *budget = budget.checked_sub(1).ok_or_else(too_many)?;
        out.push(match e.kind {
            EntryKind::Folder => {
                let children = if depth > max_depth {
                    None
                } else {
                    match crate::home::open_folder(dir, &WorkspacePath::parse(&e.name)?) {
                        Ok(sub) => Some(lof_tree(&sub, depth + 1, max_depth, budget)?),
                        Err(_) => continue, // replaced by a link since listed
                    }
                };
                LofItem::Directory { name: e.name, kind: ItemType::Directory, children }
            }
            _ => {
                LofItem::File { name: e.name, kind: ItemType::File, last_modification: timestamp(e.modified) }
            }
        });
    }
    Ok(out)
}

async fn lod(State(state): State<SharedState>, uri: Uri) -> Response {
    run_blocking(state, uri, |state, uri| {
        let p: PathPayload = authenticate(state, uri)?;
        let (home, folder) = home_of(state, &p.user)?;
        let mut budget = state.limits.max_tree_nodes;
        dumps(&lod_tree(&home, folder, 0, &mut budget)?)
    })
    .await
}

fn lod_tree(dir: &Dir, name: String, depth: u32, budget: &mut usize) -> LegacyResult<LodNode> {
    let mut children = Vec::new();
    if depth < LOD_MAX_DEPTH {
        for e in listed(dir)?.into_iter().filter(|e| e.kind == EntryKind::Folder) {
            *budget = budget.checked_sub(1).ok_or_else(too_many)?;
            if let Ok(sub) = crate::home::open_folder(dir, &WorkspacePath::parse(&e.name)?) {
                children.push(lod_tree(&sub, e.name, depth + 1, budget)?);
            }
        }
    }
    Ok(LodNode { name, kind: ItemType::Directory, children })
}

async fn zfs(State(state): State<SharedState>, uri: Uri) -> Response {
    let Ok(turn) = state.archives.clone().acquire_owned().await else {
        return envelope(Err(internal()));
    };
    run_blocking(state, uri, move |state, uri| {
        let _turn = turn;
        let p: FolderPayload = authenticate(state, uri)?;
        let (home, home_folder) = home_of(state, &p.user)?;
        let (dir, path) = folder_at(&home, &p.folder)?;
        let limit = state.limits.max_legacy_zip_bytes;
        let plan = plan(&dir, false, state.limits.max_entries as usize)
            .map_err(|e| LegacyError::from(e.into_api(path.as_str())))?;
        let sink = BoundedVec { data: Vec::new(), limit };
        let (sink, _late) = write_zip(&dir, &plan, sink, &state.pool, usize::MAX).map_err(|e| {
            if e.kind() == io::ErrorKind::FileTooLarge {
                LegacyError::new(
                    code::OTHER,
                    format!("Error: the zip would exceed {limit} bytes; use the v2 API for large folders"),
                )
            } else {
                LegacyError::from(ApiError::from_io(&e, path.as_str()))
            }
        })?;
        // Python's os.path.join: an absolute second part replaces the first.
        let origin =
            if p.folder.starts_with('/') { p.folder.clone() } else { format!("{home_folder}/{}", p.folder) };
        dumps(&ZfsReply {
            origin,
            blob: STANDARD.encode(&sink.data),
            method: "base64".into(),
            mime: "application/zip".into(),
        })
    })
    .await
}

/// The legacy zip lives in memory (it is sent as base64 inside JSON): bounded.
struct BoundedVec {
    data: Vec<u8>,
    limit: u64,
}

impl io::Write for BoundedVec {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if (self.data.len() + buf.len()) as u64 > self.limit {
            return Err(io::ErrorKind::FileTooLarge.into());
        }
        self.data.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

async fn uzu(State(state): State<SharedState>, uri: Uri, headers: HeaderMap, body: Body) -> Response {
    envelope(uzu_inner(state, uri, headers, body).await)
}

async fn uzu_inner(state: SharedState, uri: Uri, headers: HeaderMap, body: Body) -> LegacyResult<String> {
    let p: DestinationPayload = authenticate(&state, &uri)?;
    crate::routes::check_upload_length(&state, &headers)?;
    let boundary = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok())
        .ok_or_else(|| LegacyError::new(code::OTHER, "No upload archive found in request"))?;
    let st = state.clone();
    let user = p.user.clone();
    let destination = p.destination.clone();
    let (staging, name, owner, home_folder, target) = blocking(move || {
        let (home, home_folder) = home_of(&st, &user)?;
        let target = WorkspacePath::parse_home_relative(&destination)?;
        let (parent, name) = open_parent(&home, &target).map_err(|e| match e.code {
            ErrorCode::NotFound | ErrorCode::NotAFolder => {
                LegacyError::new(code::OTHER, "Error: destination folder not found")
            }
            _ => e.into(),
        })?;
        let name = name.to_owned();
        Ok((Staging::create(parent)?, name, owner_for(&home), home_folder, target))
    })
    .await?;

    let limit = state.limits.max_upload_bytes;
    let constraints = multer::Constraints::new()
        .size_limit(multer::SizeLimit::new().whole_stream(limit + (1 << 20)).per_field(limit));
    let mut multipart = multer::Multipart::with_constraints(body.into_data_stream(), boundary, constraints);
    let mut staging = Some(staging);
    let mut received = None;
    while let Some(field) = multipart.next_field().await.map_err(|_| {
        LegacyError::new(code::OTHER, "Error: the upload is not valid multipart data or is too large")
    })? {
        if field.name() == Some("file") {
            let s =
                staging.take().ok_or_else(|| LegacyError::new(code::OTHER, "Error: more than one file"))?;
            let stream = field.map(|chunk| {
                chunk.map_err(|e| match e {
                    multer::Error::FieldSizeExceeded { .. } | multer::Error::StreamSizeExceeded { .. } => {
                        UploadError::TooLarge
                    }
                    _ => UploadError::Interrupted,
                })
            });
            received = Some(crate::routes::receive_upload(&state, s, stream).await?);
            break;
        }
    }
    let staging =
        received.ok_or_else(|| LegacyError::new(code::OTHER, "No upload archive found in request"))?;
    let st = state.clone();
    let final_name = blocking(move || {
        staging.extract(&st.extract_limits(), &st.pool, owner)?;
        Ok(staging.commit(&name, Some(Suffix::DashV))?)
    })
    .await?;
    let parent = target.parent().unwrap_or_default();
    let landed = parent.join(&final_name)?;
    dumps(&UzuReply { extractpath: format!("/{home_folder}/{landed}") })
}
