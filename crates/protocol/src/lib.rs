//! Wire types shared by the lablink servers and the Wasm apps.
//!
//! Nothing here touches the filesystem or an async runtime, so the crate builds for
//! `wasm32-unknown-unknown` as well as natively.
//!
//! - `path`: `WorkspacePath`, the validated home-relative path both services and the widgets use;
//! - `files`: the file server's v2 API (queries, pages, token claims, error codes and statuses);
//! - `legacy`: the noto-legacy payloads and envelope;
//! - `grading`: the grading service's API (grade table, jobs, outcomes, error codes and statuses);
//! - `settings`: the layering of a service's settings (file, then variables, then flags).

pub mod files;
pub mod grading;
pub mod legacy;
pub mod path;
pub mod settings;

pub use path::{PathError, WorkspacePath};
