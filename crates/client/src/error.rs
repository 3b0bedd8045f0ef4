use lablink_protocol::files::ErrorCode;

/// What went wrong, coarse enough for a widget to pick a message in the host's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The server could not be reached at all.
    Offline,
    /// Not signed in any more (bad or expired token, Moodle session gone).
    SignedOut,
    Forbidden,
    NotFound,
    /// The request was refused as invalid (bad path, folder exists …).
    Refused,
    /// The server failed or answered something unreadable.
    Server,
}

/// A failed call. `message` is the server's own explanation when it gave one; it is text,
/// never markup.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ClientError {
    pub kind: ErrorKind,
    pub message: String,
    /// The API's error code (`not_found`, `invalidsesskey` …) when there was one.
    pub code: Option<String>,
    /// Where to send the browser to sign in again (the grading service says so with
    /// `signed_out`).
    pub login_url: Option<String>,
}

impl ClientError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), code: None, login_url: None }
    }

    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    pub(crate) fn offline(detail: impl std::fmt::Display) -> Self {
        Self::new(ErrorKind::Offline, format!("the server could not be reached ({detail})"))
    }

    pub(crate) fn unreadable(detail: impl std::fmt::Display) -> Self {
        Self::new(ErrorKind::Server, format!("the server's answer could not be read ({detail})"))
    }

    /// Maps a v2 error code to a kind.
    pub fn from_v2(code: ErrorCode, message: String) -> Self {
        let kind = match code {
            ErrorCode::Unauthorized | ErrorCode::TokenReplayed => ErrorKind::SignedOut,
            ErrorCode::Forbidden => ErrorKind::Forbidden,
            ErrorCode::NotFound => ErrorKind::NotFound,
            ErrorCode::Busy | ErrorCode::Internal => ErrorKind::Server,
            ErrorCode::BadRequest
            | ErrorCode::BadPath
            | ErrorCode::NotAFolder
            | ErrorCode::NotAFile
            | ErrorCode::Conflict
            | ErrorCode::PayloadTooLarge
            | ErrorCode::BadArchive
            | ErrorCode::ArchiveLimit => ErrorKind::Refused,
        };
        Self { kind, message, code: Some(code.as_str().to_owned()), login_url: None }
    }

    /// A non-2xx answer without a readable body.
    pub fn from_status(status: u16, text: &str) -> Self {
        let kind = match status {
            401 => ErrorKind::SignedOut,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            400..=499 => ErrorKind::Refused,
            // A proxy in front of a stopped server answers 502/503/504.
            502..=504 => ErrorKind::Offline,
            _ => ErrorKind::Server,
        };
        Self::new(kind, format!("HTTP {status} {text}").trim().to_owned())
    }
}
