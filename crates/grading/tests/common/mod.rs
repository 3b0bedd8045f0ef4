//! Shared by the grading tests: where the repository and the Python venv are.

use std::path::{Path, PathBuf};

/// The venv `cargo xtask` makes (nbgrader, lti1p3platform), from `LABLINK_VENV`.
pub fn venv() -> PathBuf {
    let venv = std::env::var_os("LABLINK_VENV")
        .map(PathBuf::from)
        .expect("LABLINK_VENV is not set: run these tests through `cargo xtask test`, which makes the venv");
    assert!(venv.join("bin/python").exists(), "no python in LABLINK_VENV={}", venv.display());
    venv
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().nth(2).unwrap().to_owned()
}
