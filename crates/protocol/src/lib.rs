//! Wire types shared by the lablink servers and the Wasm apps.
//!
//! Nothing here touches the filesystem or an async runtime, so the crate builds for
//! `wasm32-unknown-unknown` as well as natively.

pub mod files;
pub mod grading;
pub mod legacy;
pub mod path;
pub mod settings;

pub use path::{PathError, WorkspacePath};
