//! The noto-legacy protocol (`/ls /lof /lod /zfs /uzu`), wire-compatible with the original
//! server the noto Moodle plugins call, but with v2's confinement and limits.

mod error;
pub mod pyjson;
pub mod signature;

pub use error::LegacyError;

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
use lablink_protocol::WorkspacePath;
use lablink_protocol::files::{EntryKind, ErrorCode};
use lablink_protocol::legacy::{
    DestinationPayload, Envelope, FolderPayload, ItemType, LegacyUser, LodNode, LofItem, LsItem, PathPayload,
    ReturnStatus, UzuReply, ZfsReply, code,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::archive::{plan, write_zip};
use crate::auth::now_secs;
use crate::config::LegacyTimes;
use crate::error::ApiError;
use crate::extract::{Staging, Suffix, owner_for};
use crate::home::{open_folder, open_parent};
use crate::listing::read_folder;
use crate::state::{AppState, SharedState};
use crate::upload::{self, UploadError};
use error::LegacyResult;
use futures_util::StreamExt;
use jiff::tz::TimeZone;
use md5::{Digest, Md5};

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

/// The zone of `last-modification` times: the original server wrote local time.
fn zone(state: &AppState) -> TimeZone {
    match state.legacy_times {
        LegacyTimes::Local => TimeZone::system(),
        LegacyTimes::Utc => TimeZone::UTC,
    }
}

fn timestamp(secs: i64, zone: &TimeZone) -> String {
    let t = jiff::Timestamp::from_second(secs).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    zone.to_datetime(t).strftime("%Y-%m-%d %H:%M:%S").to_string()
}

async fn ls(State(state): State<SharedState>, uri: Uri) -> Response {
    run_blocking(state, uri, |state, uri| {
        let p: PathPayload = authenticate(state, uri)?;
        let raw = p.path.ok_or_else(|| LegacyError::new(code::OTHER, "'path' missing in payload"))?;
        let (home, _) = home_of(state, &p.user)?;
        let (dir, _) = folder_at(&home, &raw)?;
        let zone = zone(state);
        let items: Vec<LsItem> = listed(&dir)?
            .into_iter()
            .map(|e| match e.kind {
                EntryKind::Folder => {
                    LsItem { name: e.name, kind: ItemType::Directory, last_modification: None }
                }
                _ => LsItem {
                    name: e.name,
                    kind: ItemType::File,
                    last_modification: Some(timestamp(e.modified, &zone)),
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
        let mut budget = Budget::new(state);
        dumps(&lof_tree(&dir, 0, max_depth, &zone(state), &mut budget)?)
    })
    .await
}

/// What a recursive listing may still hold: nodes, and bytes of the reply they make.
struct Budget {
    nodes: usize,
    bytes: u64,
}

/// Bytes a node adds to the reply besides its escaped name (a file's is the longer: type,
/// time, separators).
const FILE_NODE_BYTES: u64 = 72;
const FOLDER_NODE_BYTES: u64 = 48;

impl Budget {
    fn new(state: &AppState) -> Self {
        Self { nodes: state.limits.max_tree_nodes, bytes: state.limits.max_tree_bytes }
    }

    fn take(&mut self, name: &str, overhead: u64) -> LegacyResult<()> {
        let size = pyjson::dumps(&name).len() as u64 + overhead;
        match (self.nodes.checked_sub(1), self.bytes.checked_sub(size)) {
            (Some(nodes), Some(bytes)) => {
                (self.nodes, self.bytes) = (nodes, bytes);
                Ok(())
            }
            _ => Err(LegacyError::new(
                code::OTHER,
                "Error: the folder holds too many entries to list at once (max_tree_nodes, max_tree_bytes)",
            )),
        }
    }
}

/// Opens a listed folder to walk into it. A name no path can hold (a control character, say)
/// could never be sent back by a client, so the folder is left out of the tree and logged,
/// rather than failing the whole answer; the same for one swapped for a link since listed.
fn sub_folder(dir: &Dir, name: &str) -> Option<Dir> {
    let opened = WorkspacePath::parse(name)
        .map_err(ApiError::from)
        .and_then(|path| crate::home::open_folder(dir, &path));
    match opened {
        Ok(sub) => Some(sub),
        Err(e) => {
            tracing::warn!(name = ?name, reason = %e.message, "folder left out of a legacy listing");
            None
        }
    }
}

fn lof_tree(
    dir: &Dir,
    depth: u32,
    max_depth: u32,
    zone: &TimeZone,
    budget: &mut Budget,
) -> LegacyResult<Vec<LofItem>> {
    let mut out = Vec::new();
    for e in listed(dir)? {
        out.push(match e.kind {
            EntryKind::Folder => {
                let children = if depth > max_depth {
                    // Not walked into, but left out by the same rule as the walked ones.
                    if WorkspacePath::parse(&e.name).is_err() {
                        tracing::warn!(name = ?e.name, "folder left out of a legacy listing");
                        continue;
                    }
                    budget.take(&e.name, FOLDER_NODE_BYTES)?;
                    None
                } else {
                    let Some(sub) = sub_folder(dir, &e.name) else { continue };
                    budget.take(&e.name, FOLDER_NODE_BYTES)?;
                    Some(lof_tree(&sub, depth + 1, max_depth, zone, budget)?)
                };
                LofItem::Directory { name: e.name, kind: ItemType::Directory, children }
            }
            _ => {
                budget.take(&e.name, FILE_NODE_BYTES)?;
                LofItem::File {
                    name: e.name,
                    kind: ItemType::File,
                    last_modification: timestamp(e.modified, zone),
                }
            }
        });
    }
    Ok(out)
}

async fn lod(State(state): State<SharedState>, uri: Uri) -> Response {
    run_blocking(state, uri, |state, uri| {
        let p: PathPayload = authenticate(state, uri)?;
        let (home, folder) = home_of(state, &p.user)?;
        let mut budget = Budget::new(state);
        dumps(&lod_tree(&home, folder, 0, &mut budget)?)
    })
    .await
}

fn lod_tree(dir: &Dir, name: String, depth: u32, budget: &mut Budget) -> LegacyResult<LodNode> {
    let mut children = Vec::new();
    if depth < LOD_MAX_DEPTH {
        for e in listed(dir)?.into_iter().filter(|e| e.kind == EntryKind::Folder) {
            if let Some(sub) = sub_folder(dir, &e.name) {
                budget.take(&e.name, FOLDER_NODE_BYTES)?;
                children.push(lod_tree(&sub, e.name, depth + 1, budget)?);
            }
        }
    }
    Ok(LodNode { name, kind: ItemType::Directory, children })
}

async fn zfs(State(state): State<SharedState>, uri: Uri) -> Response {
    // The signature is checked on arrival, before queueing: a valid request cannot expire while
    // it waits its turn, and an unauthenticated one takes no place in the queue.
    let p: FolderPayload = match authenticate(&state, &uri) {
        Ok(p) => p,
        Err(e) => return envelope(Err(e)),
    };
    let Ok(turn) = state.archives.clone().acquire_owned().await else {
        return envelope(Err(internal()));
    };
    // The turn covers writing the zip; sending it (as slow as the client) holds only a file.
    match blocking(move || build_zfs(&state, &p, turn)).await {
        Ok(built) => stream_zfs(built),
        Err(e) => envelope(Err(e)),
    }
}

/// A `/zfs` reply ready to send: the zip in an unlinked temp file and the MD5 of the payload
/// it makes, so the envelope (which starts with that MD5) can be streamed from the file.
struct ZfsBuilt {
    zip: std::fs::File,
    zip_len: u64,
    head: String,
    tail: String,
}

fn build_zfs(
    state: &AppState,
    p: &FolderPayload,
    turn: tokio::sync::OwnedSemaphorePermit,
) -> LegacyResult<ZfsBuilt> {
    let _turn = turn;
    let (home, home_folder) = home_of(state, &p.user)?;
    let (dir, path) = folder_at(&home, &p.folder)?;
    let limit = state.limits.max_legacy_zip_bytes;
    let plan = plan(&dir, false, state.limits.max_entries as usize)
        .map_err(|e| LegacyError::from(e.into_api(path.as_str())))?;
    // Python's os.path.join: an absolute second part replaces the first.
    let origin =
        if p.folder.starts_with('/') { p.folder.clone() } else { format!("{home_folder}/{}", p.folder) };
    let (prefix, suffix) = zfs_payload_parts(&origin);
    let file = tempfile::tempfile().map_err(|e| {
        tracing::error!(error = %e, "cannot create a temporary file for a legacy zip");
        internal()
    })?;
    let sink = Base64Md5Sink::new(io::BufWriter::with_capacity(256 << 10, file), limit, &prefix);
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
    let (file, zip_len, md5) =
        sink.finish(&suffix).map_err(|e| LegacyError::from(ApiError::from_io(&e, "")))?;
    let (head, tail) = envelope_parts(&md5, &prefix, &suffix);
    Ok(ZfsBuilt { zip: file, zip_len, head, tail })
}

/// The `/zfs` payload text around the base64 of the zip: exactly what `dumps` writes for a
/// [`ZfsReply`], cut where its blob goes.
fn zfs_payload_parts(origin: &str) -> (String, String) {
    let text = dumps(&ZfsReply {
        origin: origin.to_owned(),
        blob: String::new(),
        method: "base64".into(),
        mime: "application/zip".into(),
    })
    .unwrap_or_default();
    // Fields after the blob are constants, so the last match is the blob's.
    let marker = "\"blob\": \"";
    let cut = text.rfind(&format!("{marker}\"")).map_or(text.len(), |i| i + marker.len());
    (text[..cut].to_owned(), text[cut..].to_owned())
}

/// The envelope text around the payload text, as [`envelope`] writes it. The payload is
/// printable ASCII (pyjson escapes everything else), and base64 needs no escaping inside a JSON
/// string, so only the parts around the blob are escaped.
fn envelope_parts(md5: &str, prefix: &str, suffix: &str) -> (String, String) {
    let inner = |s: &str| {
        let quoted = pyjson::jsonify(&s);
        quoted[1..quoted.len() - 1].to_owned()
    };
    let head = format!("{{\"md5_payload\":{},\"payload\":\"{}", pyjson::jsonify(&md5), inner(prefix));
    let ok = ReturnStatus { code: code::OK, status: "OK".into() };
    let tail = format!("{}\",\"return\":{}}}\n", inner(suffix), pyjson::jsonify(&ok));
    (head, tail)
}

/// Bytes of zip read per base64 chunk sent (a multiple of 3, so chunks need no padding).
const ZFS_READ: usize = 3 * (64 << 10);

fn stream_zfs(built: ZfsBuilt) -> Response {
    let ZfsBuilt { zip, zip_len, head, tail } = built;
    let length = head.len() as u64 + zip_len.div_ceil(3) * 4 + tail.len() as u64;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<io::Result<bytes::Bytes>>(4);
    tokio::task::spawn_blocking(move || {
        if let Err(e) = send_envelope(zip, &head, &tail, |chunk| {
            tx.blocking_send(Ok(chunk.into())).map_err(|_| io::ErrorKind::BrokenPipe.into())
        }) {
            if e.kind() == io::ErrorKind::BrokenPipe {
                tracing::info!("client went away during a legacy zip");
            } else {
                tracing::error!(error = %e, "legacy zip failed midway");
                let _ = tx.blocking_send(Err(e));
            }
        }
    });
    let stream = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let mut response = Body::from_stream(stream).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    response
}

/// Writes the envelope: `head`, the base64 of the zip in `file` (read from its start), `tail`.
fn send_envelope(
    mut file: std::fs::File,
    head: &str,
    tail: &str,
    mut send: impl FnMut(Vec<u8>) -> io::Result<()>,
) -> io::Result<()> {
    use std::io::{Read, Seek};
    send(head.as_bytes().to_vec())?;
    file.seek(io::SeekFrom::Start(0))?;
    let mut buf = vec![0u8; ZFS_READ];
    loop {
        let mut filled = 0;
        while filled < buf.len() {
            match file.read(&mut buf[filled..])? {
                0 => break,
                n => filled += n,
            }
        }
        if filled == 0 {
            break;
        }
        send(STANDARD.encode(&buf[..filled]).into_bytes())?;
        if filled < buf.len() {
            break;
        }
    }
    send(tail.as_bytes().to_vec())
}

/// Where the legacy zip is written: a file (bounded in bytes) and, in the same pass, the MD5 of
/// the payload text it will be sent in (`prefix`, the zip's base64, then the suffix).
struct Base64Md5Sink {
    out: io::BufWriter<std::fs::File>,
    limit: u64,
    written: u64,
    md5: Md5,
    /// Bytes after the last whole group of three, not yet hashed as base64.
    carry: [u8; 3],
    carried: usize,
    encoded: String,
}

impl Base64Md5Sink {
    fn new(out: io::BufWriter<std::fs::File>, limit: u64, prefix: &str) -> Self {
        let mut md5 = Md5::new();
        md5.update(prefix.as_bytes());
        Self { out, limit, written: 0, md5, carry: [0; 3], carried: 0, encoded: String::new() }
    }

    fn hash_base64(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(ZFS_READ) {
            self.encoded.clear();
            STANDARD.encode_string(chunk, &mut self.encoded);
            self.md5.update(self.encoded.as_bytes());
        }
    }

    /// Flushes the file and returns it with the zip's length and base64(MD5(payload)).
    fn finish(mut self, suffix: &str) -> io::Result<(std::fs::File, u64, String)> {
        let (carry, carried) = (self.carry, self.carried);
        self.hash_base64(&carry[..carried]);
        self.md5.update(suffix.as_bytes());
        let md5 = STANDARD.encode(self.md5.finalize());
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        Ok((file, self.written, md5))
    }
}

impl io::Write for Base64Md5Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.written + buf.len() as u64 > self.limit {
            return Err(io::ErrorKind::FileTooLarge.into());
        }
        self.out.write_all(buf)?;
        self.written += buf.len() as u64;
        let mut rest = buf;
        if self.carried > 0 {
            let take = (3 - self.carried).min(rest.len());
            self.carry[self.carried..self.carried + take].copy_from_slice(&rest[..take]);
            self.carried += take;
            rest = &rest[take..];
            if self.carried < 3 {
                return Ok(buf.len());
            }
            let group = self.carry;
            self.hash_base64(&group);
            self.carried = 0;
        }
        let whole = rest.len() / 3 * 3;
        self.hash_base64(&rest[..whole]);
        let left = &rest[whole..];
        self.carry[..left.len()].copy_from_slice(left);
        self.carried = left.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

async fn uzu(State(state): State<SharedState>, uri: Uri, headers: HeaderMap, body: Body) -> Response {
    envelope(uzu_inner(state, uri, headers, body).await)
}

async fn uzu_inner(state: SharedState, uri: Uri, headers: HeaderMap, body: Body) -> LegacyResult<String> {
    let p: DestinationPayload = authenticate(&state, &uri)?;
    upload::check_length(&state, &headers, upload::Kind::Zip)?;
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
            received = Some(upload::receive_upload(&state, s, stream, false).await?.0);
            break;
        }
    }
    let staging =
        received.ok_or_else(|| LegacyError::new(code::OTHER, "No upload archive found in request"))?;
    let st = state.clone();
    let wanted = name.clone();
    let final_name = blocking(move || {
        staging.extract(&st.extract_limits(), &st.pool, owner)?;
        Ok(staging.commit(&wanted, Some(Suffix::DashV))?)
    })
    .await?;
    let parent = target.parent().unwrap_or_default();
    let landed = parent.join(&final_name)?;
    dumps(&UzuReply { extractpath: extract_path(&p.destination, &home_folder, &name, &final_name, &landed) })
}

/// `extractpath` in the original server's form: the destination as the client wrote it, joined
/// to the home folder as Python's `os.path.join` joins (an absolute destination stands alone),
/// with the `-V<n>` suffix appended. The plugins look for the `./` they sent (`.///dir/name`) and
/// take what follows it as the folder created, so the text they sent must come back unchanged.
/// A destination whose last segment is not the name used (`a/b/..`) gets the tidy form instead.
fn extract_path(
    raw: &str,
    home_folder: &str,
    name: &str,
    final_name: &str,
    landed: &WorkspacePath,
) -> String {
    let suffix = final_name.strip_prefix(name).unwrap_or_default();
    let base = raw.trim_end_matches('/');
    if base.rsplit('/').next() != Some(name) {
        return format!("/{home_folder}/{landed}");
    }
    if base.starts_with('/') { format!("{base}{suffix}") } else { format!("/{home_folder}/{base}{suffix}") }
}
