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
///
/// Taken below the kernel's ephemeral range, never from it: a port the kernel handed out and
/// took back can be handed out again at once — to another test's pick or as the source port of
/// any outgoing connection — before the child process that was told to listen there has started
/// (a slow JupyterHub takes seconds), and a hub then proxies to the wrong service. Picks go up
/// from an offset per process, so parallel tests and test binaries do not meet either.
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const FIRST: u32 = 10_000;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let end = ephemeral_start().max(FIRST + 1_000);
    let span = end - FIRST;
    let offset = (std::process::id().wrapping_mul(2_654_435_761)) % span;
    for _ in 0..span {
        let port = FIRST + (offset + NEXT.fetch_add(1, Ordering::Relaxed)) % span;
        if std::net::TcpListener::bind(("127.0.0.1", port as u16)).is_ok() {
            return port as u16;
        }
    }
    panic!("no free loopback port below {end}");
}

/// The first port of the kernel's ephemeral range (Linux's default when it cannot be read).
fn ephemeral_start() -> u32 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse().ok())
        .unwrap_or(32_768)
}
