//! What the workspace's tests share, so no test file includes another crate's test code.
//! A dev-dependency only; each crate turns on the parts it needs.
//!
//! Modules, each using only those above it:
//! - [`env`](mod@env): the repo root, the test venv (`LABLINK_VENV`), a free loopback port.
//! - [`signers`]: v2 tokens and noto-legacy signatures, written from the protocols' facts.
//! - [`python`]: scripts in the venv; the nbgrader course of `tests/grading/`.
//! - `files` (feature `files`): the file server on a loopback port with two homes, and
//!   readers for its replies and zips.
//! - `lms` (feature `grading`): the LTI test platform (`tests/grading/lti_platform.py`).
//! - `hub` (feature `hub`): a real JupyterHub running the `lablink` binary as its service.

pub mod env;
pub mod python;
pub mod signers;

#[cfg(feature = "files")]
pub mod files;
#[cfg(feature = "hub")]
pub mod hub;
#[cfg(feature = "grading")]
pub mod lms;
