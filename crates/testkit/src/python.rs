//! Python scripts in the test venv, and the nbgrader course they make.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::env::{repo, venv};

/// Runs a Python script in the venv (nbgrader finds its `alembic` on PATH); panics with its
/// stderr when it fails.
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
