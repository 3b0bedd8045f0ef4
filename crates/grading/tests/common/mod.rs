//! Shared by the grading tests: the Python venv, the nbgrader course, the test LMS. Each test
//! file uses part of it.
#![allow(dead_code)]

pub mod lms;

use std::path::{Path, PathBuf};
use std::process::Command;

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

/// Runs a Python script in the venv (nbgrader finds its `alembic` on PATH).
pub fn python(args: &[&str]) {
    let venv = venv();
    let path = format!("{}:{}", venv.join("bin").display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new(venv.join("bin/python")).args(args).env("PATH", path).output().unwrap();
    assert!(out.status.success(), "python {args:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
}

/// The nbgrader course of `tests/grading/nbgrader_course.py`, made in `dir`; returns the
/// gradebook and nbgrader's own export of it.
pub fn nbgrader_course(dir: &Path) -> (PathBuf, PathBuf) {
    let (db, csv) = (dir.join("gradebook.db"), dir.join("expected.csv"));
    let script = repo().join("tests/grading/nbgrader_course.py");
    python(&[script.to_str().unwrap(), db.to_str().unwrap(), csv.to_str().unwrap()]);
    (db, csv)
}
