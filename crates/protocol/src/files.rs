//! The file server API, version 2: JSON over HTTP, bearer JWTs, streamed zips.

use serde::{Deserialize, Serialize};

use crate::WorkspacePath;

/// Response header naming the symlinks an archive left out (a JSON array of paths,
/// percent-encoded so any name fits in a header).
pub const SKIPPED_HEADER: &str = "lablink-skipped";
/// Response header with the number of skipped entries (the list above may be truncated).
pub const SKIPPED_COUNT_HEADER: &str = "lablink-skipped-count";

/// The claims of a v2 bearer token (HS256, key chosen by the `kid` header).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenClaims {
    /// Who minted the token, e.g. the Moodle site's URL.
    pub iss: String,
    /// The home the request acts for.
    pub sub: String,
    /// `read` or `read write`.
    pub scope: String,
    /// HTTP method the token is valid for.
    pub htm: String,
    /// Path (or URL; only its path is compared) the token is valid for.
    pub htu: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

/// What kind of thing an entry is. Symlinks are shown but never followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Folder,
    File,
    Symlink,
    Other,
}

impl EntryKind {
    /// The kind as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Folder => "folder",
            Self::File => "file",
            Self::Symlink => "symlink",
            Self::Other => "other",
        }
    }

    /// Reads a wire name; kinds added by a newer server read as `Other`.
    pub fn from_wire(name: &str) -> Self {
        match name {
            "folder" => Self::Folder,
            "file" => Self::File,
            "symlink" => Self::Symlink,
            _ => Self::Other,
        }
    }
}

/// One item of a folder listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub name: String,
    pub kind: EntryKind,
    /// Bytes for files, 0 for anything else.
    pub size: u64,
    /// Last modification, Unix seconds.
    pub modified: i64,
}

/// Query of `GET /v2/homes/{home}/entries`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntriesQuery {
    #[serde(default)]
    pub path: WorkspacePath,
    /// Opaque, from the previous page's `next_cursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Show names starting with a dot (hidden by default, as JupyterLab does).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
}

/// One page of a folder listing: folders first, then files, each by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntriesPage {
    pub path: WorkspacePath,
    pub entries: Vec<Entry>,
    /// Entries in the whole folder (after the hidden filter), for progress and scroll bars.
    pub total: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Query of `GET /v2/homes/{home}/archive`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveQuery {
    #[serde(default)]
    pub path: WorkspacePath,
    /// Also pack `.ipynb_checkpoints` and `__pycache__` (left out by default).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_caches: bool,
}

/// What to do when the target of an extract already exists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnConflict {
    /// Pick a free name `name-2`, `name-3`, ….
    #[default]
    Rename,
    /// Refuse with 409.
    Fail,
    /// Take the place of an existing folder atomically (the old one is removed afterwards);
    /// a file or a symlink in the way is refused with 409.
    Replace,
}

/// Query of `POST /v2/homes/{home}/extract` (the body is the zip).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractQuery {
    pub path: WorkspacePath,
    #[serde(default)]
    pub on_conflict: OnConflict,
}

/// Result of an extract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtractResult {
    /// Where the content landed (differs from the request after a rename).
    pub path: WorkspacePath,
    pub files: u64,
    pub folders: u64,
    pub bytes: u64,
    /// Entries left out (symbolic links in the archive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
    /// Lowercase hex SHA-256 of the zip exactly as received, so a client can tell which upload
    /// landed. (Empty from a server that predates it.)
    #[serde(default)]
    pub sha256: String,
}

/// Query of `GET` and `PUT /v2/homes/{home}/file` (the `PUT` body is the file's content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileQuery {
    pub path: WorkspacePath,
}

/// Result of `PUT /v2/homes/{home}/file`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileWritten {
    pub path: WorkspacePath,
    pub bytes: u64,
    /// Lowercase hex SHA-256 of the content written.
    pub sha256: String,
}

/// Query of `POST /v2/homes/{home}/folders`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderQuery {
    pub path: WorkspacePath,
    /// Create missing parents too, and accept a folder that already exists.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub parents: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderCreated {
    pub path: WorkspacePath,
    pub created: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub version: String,
}

/// Machine-readable error codes of the v2 API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    BadRequest,
    BadPath,
    Unauthorized,
    TokenReplayed,
    Forbidden,
    NotFound,
    NotAFolder,
    NotAFile,
    Conflict,
    PayloadTooLarge,
    BadArchive,
    ArchiveLimit,
    Busy,
    Internal,
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::BadPath => "bad_path",
            Self::Unauthorized => "unauthorized",
            Self::TokenReplayed => "token_replayed",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::NotAFolder => "not_a_folder",
            Self::NotAFile => "not_a_file",
            Self::Conflict => "conflict",
            Self::PayloadTooLarge => "payload_too_large",
            Self::BadArchive => "bad_archive",
            Self::ArchiveLimit => "archive_limit",
            Self::Busy => "busy",
            Self::Internal => "internal",
        }
    }

    /// The HTTP status that goes with the code (as for the grading API's codes, the map lives
    /// beside the codes, so clients and servers read the same one).
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest | Self::BadPath | Self::BadArchive | Self::NotAFile => 400,
            Self::Unauthorized | Self::TokenReplayed => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::NotAFolder | Self::Conflict => 409,
            Self::PayloadTooLarge | Self::ArchiveLimit => 413,
            Self::Busy => 503,
            Self::Internal => 500,
        }
    }
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 14] = [
        Self::BadRequest,
        Self::BadPath,
        Self::Unauthorized,
        Self::TokenReplayed,
        Self::Forbidden,
        Self::NotFound,
        Self::NotAFolder,
        Self::NotAFile,
        Self::Conflict,
        Self::PayloadTooLarge,
        Self::BadArchive,
        Self::ArchiveLimit,
        Self::Busy,
        Self::Internal,
    ];

    /// Reads a wire name (for clients that decode without serde).
    pub fn from_wire(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: ErrorCode,
    pub message: String,
}

/// Body of every v2 error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_has_a_client_or_server_error_status() {
        for code in ErrorCode::ALL {
            assert!((400..600).contains(&code.status()), "{code:?}");
        }
        assert_eq!(ErrorCode::BadPath.status(), 400);
        assert_eq!(ErrorCode::TokenReplayed.status(), 401);
        assert_eq!(ErrorCode::ArchiveLimit.status(), 413);
        assert_eq!(ErrorCode::Busy.status(), 503);
        assert_eq!((ErrorCode::NotAFile.as_str(), ErrorCode::NotAFile.status()), ("not_a_file", 400));
    }

    #[test]
    fn replace_and_the_file_types_on_the_wire() {
        let q: ExtractQuery = serde_json::from_str(r#"{"path":"a/b","on_conflict":"replace"}"#).unwrap();
        assert_eq!(q.on_conflict, OnConflict::Replace);
        // A reply without `sha256` (an older server) still reads.
        let r: ExtractResult =
            serde_json::from_str(r#"{"path":"x","files":1,"folders":0,"bytes":2}"#).unwrap();
        assert_eq!(r.sha256, "");
        let w = FileWritten { path: WorkspacePath::parse("m.json").unwrap(), bytes: 2, sha256: "ab".into() };
        assert_eq!(serde_json::to_string(&w).unwrap(), r#"{"path":"m.json","bytes":2,"sha256":"ab"}"#);
        assert!(serde_json::from_str::<FileQuery>(r#"{"path":"../x"}"#).is_err());
    }

    #[test]
    fn error_body_shape() {
        let body =
            ErrorBody { error: ErrorDetail { code: ErrorCode::NotFound, message: "no such folder".into() } };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"error":{"code":"not_found","message":"no such folder"}}"#
        );
    }

    #[test]
    fn wire_names_match_serde() {
        for code in ErrorCode::ALL {
            assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{}\"", code.as_str()));
            assert_eq!(ErrorCode::from_wire(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::from_wire("teapot"), None);
        for kind in [EntryKind::Folder, EntryKind::File, EntryKind::Symlink, EntryKind::Other] {
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{}\"", kind.as_str()));
            assert_eq!(EntryKind::from_wire(kind.as_str()), kind);
        }
        assert_eq!(EntryKind::from_wire("socket"), EntryKind::Other);
    }

    #[test]
    fn entries_query_rejects_escaping_path() {
        let err = serde_json::from_str::<EntriesQuery>(r#"{"path":"../bob"}"#);
        assert!(err.is_err());
    }
}
