//! Where things are on this machine: the repo, the test venv, a free port.

use std::path::{Path, PathBuf};

/// The repository's root (this crate is `crates/testkit`).
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/testkit is two levels down")
        .to_owned()
}

/// The venv `cargo xtask test` makes from `tests/grading/requirements.txt` (nbgrader,
/// JupyterHub, the LTI test platform), named by `LABLINK_VENV`.
pub fn venv() -> PathBuf {
    let venv = std::env::var_os("LABLINK_VENV")
        .map(PathBuf::from)
        .expect("LABLINK_VENV is not set: run these tests through `cargo xtask test`, which makes the venv");
    assert!(venv.join("bin/python").exists(), "no python in LABLINK_VENV={}", venv.display());
    venv
}

/// A loopback port free at the time of asking (for a process that takes its port as an option).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}
