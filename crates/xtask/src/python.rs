//! The Python side of the tests (nbgrader, JupyterHub, the LTI test platform), in a
//! venv under target/ made from `tests/grading/requirements.txt`, whose versions are pinned.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::util::{run, step};

const REQUIREMENTS: &str = "tests/grading/requirements.txt";

/// Makes (or brings up to date) `target/venv`; returns its path.
pub fn ensure_venv(root: &Path) -> anyhow::Result<PathBuf> {
    let venv = root.join("target/venv");
    let requirements = std::fs::read(root.join(REQUIREMENTS))?;
    let stamp = venv.join(".lablink-requirements");
    if std::fs::read(&stamp).ok().as_deref() == Some(&requirements[..]) && venv.join("bin/python").exists() {
        return Ok(venv);
    }
    step("Python venv for the tests (nbgrader, JupyterHub from PyPI; a minute or two, once)");
    if !venv.join("bin/python").exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    run(Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(root.join(REQUIREMENTS)))?;
    std::fs::write(stamp, requirements)?;
    Ok(venv)
}
