//! The Python side of the tests (nbgrader, JupyterHub, the LTI test platform), in a venv made
//! from `tests/grading/requirements.txt`, whose versions are pinned: `target/venv`, or the one
//! `LABLINK_VENV` names.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::util::{run, step};

const REQUIREMENTS: &str = "tests/grading/requirements.txt";
/// A venv made by us holds the requirements it was made from, to tell when it is out of date.
const STAMP: &str = ".lablink-requirements";
/// Names a venv to use instead of making `target/venv` (one crate's tests read it too).
const VENV_VAR: &str = "LABLINK_VENV";

/// The venv for the tests: the one `LABLINK_VENV` names, used as it is (it may be another
/// checkout's, so it is never changed) when it is valid; else `target/venv`, made or brought
/// up to date. A `LABLINK_VENV` that is not valid is refused, saying why.
pub fn ensure_venv(root: &Path) -> anyhow::Result<PathBuf> {
    venv_for(root, std::env::var_os(VENV_VAR))
}

/// [`ensure_venv`] with the value of `LABLINK_VENV` given.
fn venv_for(root: &Path, given: Option<OsString>) -> anyhow::Result<PathBuf> {
    let requirements = std::fs::read(root.join(REQUIREMENTS))?;
    if let Some(given) = given.filter(|v| !v.is_empty()) {
        let given = PathBuf::from(given);
        check_venv(&given, &requirements)
            .with_context(|| format!("{VENV_VAR}={} cannot be used for the tests", given.display()))?;
        return Ok(given);
    }
    let venv = root.join("target/venv");
    let stamp = venv.join(STAMP);
    if check_venv(&venv, &requirements).is_ok() {
        return Ok(venv);
    }
    step("Python venv for the tests (nbgrader, JupyterHub; a minute or two, once)");
    if !venv.join("bin/python").exists() {
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    }
    run(Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(root.join(REQUIREMENTS)))?;
    std::fs::write(stamp, requirements)?;
    Ok(venv)
}

/// Whether `venv` has a Python and was made from exactly these requirements.
fn check_venv(venv: &Path, requirements: &[u8]) -> anyhow::Result<()> {
    if !venv.join("bin/python").exists() {
        bail!("it has no bin/python, so it is not a venv (unset {VENV_VAR} to let xtask make target/venv)");
    }
    match std::fs::read(venv.join(STAMP)) {
        Ok(stamp) if stamp == requirements => Ok(()),
        Ok(_) => bail!(
            "it was made from other requirements than today's {REQUIREMENTS}: bring it up to date \
             (`cargo xtask test` without {VENV_VAR} does so for target/venv), or unset {VENV_VAR}"
        ),
        Err(_) => bail!("it has no {STAMP}, so xtask did not make it from {REQUIREMENTS}: unset {VENV_VAR}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn venv(dir: &Path, python: bool, stamp: Option<&[u8]>) -> PathBuf {
        let venv = dir.join("venv");
        std::fs::create_dir_all(venv.join("bin")).unwrap();
        if python {
            std::fs::write(venv.join("bin/python"), b"").unwrap();
        }
        if let Some(stamp) = stamp {
            std::fs::write(venv.join(STAMP), stamp).unwrap();
        }
        venv
    }

    #[test]
    fn a_venv_made_from_these_requirements_is_valid() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_venv(&venv(dir.path(), true, Some(b"nbgrader==1\n")), b"nbgrader==1\n").is_ok());
    }

    /// A repo whose requirements are `nbgrader==1`, and no `target/venv` in it.
    fn repo(dir: &Path) -> PathBuf {
        let root = dir.join("repo");
        std::fs::create_dir_all(root.join("tests/grading")).unwrap();
        std::fs::write(root.join(REQUIREMENTS), b"nbgrader==1\n").unwrap();
        root
    }

    #[test]
    fn a_valid_lablink_venv_is_used_as_it_is() {
        let dir = tempfile::tempdir().unwrap();
        let (root, given) = (repo(dir.path()), venv(dir.path(), true, Some(b"nbgrader==1\n")));
        assert_eq!(venv_for(&root, Some(given.clone().into())).unwrap(), given);
        assert!(!root.join("target/venv").exists(), "no venv of its own was made");
        assert_eq!(std::fs::read(given.join(STAMP)).unwrap(), b"nbgrader==1\n");
    }

    #[test]
    fn a_stale_lablink_venv_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let (root, given) = (repo(dir.path()), venv(dir.path(), true, Some(b"nbgrader==0\n")));
        let err = venv_for(&root, Some(given.clone().into())).unwrap_err();
        let text = format!("{err:#}");
        assert!(text.contains("LABLINK_VENV=") && text.contains("other requirements"), "{text}");
        assert!(!root.join("target/venv").exists());
        assert_eq!(std::fs::read(given.join(STAMP)).unwrap(), b"nbgrader==0\n", "not changed");
    }

    #[test]
    fn other_venvs_are_refused_saying_why() {
        for (python, stamp, why) in [
            (false, Some(&b"nbgrader==1\n"[..]), "no bin/python"),
            (true, Some(&b"nbgrader==0\n"[..]), "other requirements"),
            (true, None, "no .lablink-requirements"),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let err = check_venv(&venv(dir.path(), python, stamp), b"nbgrader==1\n").unwrap_err();
            assert!(err.to_string().contains(why), "{err}");
        }
    }
}
