//! Typed browser clients for the picker and the grades panel: the file server's v2 API
//! (bearer tokens from the host page) and Moodle's AJAX endpoint (sesskey), behind one small
//! trait so a widget does not care which one it talks to.
//!
//! - `files`: the v2 client (a token per request from the host);
//! - `moodle`: calls through Moodle's `lib/ajax/service.php`, in `core/ajax`'s shapes;
//! - `grading`: the grading service's API for the grades panel (hub sign-in, jobs' event streams);
//! - `wire`: reading the protocol's types from `JSON.parse`d values (no serde in the bundle);
//! - `error`: `ClientError` and the `ErrorKind` a widget picks its sentence by.

mod error;
pub mod files;
pub mod grading;
pub mod moodle;
pub mod wire;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

pub use error::{ClientError, ErrorKind};
pub use files::{FilesClient, TokenSource};
pub use grading::{GradingClient, JobWatch};
use lablink_protocol::WorkspacePath;
use lablink_protocol::files::{EntriesPage, FolderCreated};
pub use moodle::{MoodleClient, MoodleMethods};

/// A future as the browser runs it: single-threaded, so not `Send`.
pub type LocalFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ClientError>> + 'a>>;

/// One page of a folder listing to ask for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListRequest {
    pub path: WorkspacePath,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

/// Where a widget reads folders from and creates them in.
pub trait FolderSource {
    fn list(&self, request: ListRequest) -> LocalFuture<'_, EntriesPage>;
    fn create_folder(&self, path: WorkspacePath) -> LocalFuture<'_, FolderCreated>;
}

/// A shared handle, cheap to clone into Yew props and async tasks.
pub type SharedSource = Rc<dyn FolderSource>;
