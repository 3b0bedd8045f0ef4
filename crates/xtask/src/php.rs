//! The PHP side of `cargo xtask test`: `php -l` on every PHP file under `lms-plugin/`, then the
//! Moodle-free PHPUnit suite of `lms-plugin/tests/` (unit tests, and contract tests that start
//! the built `lablink files`, found through `LABLINK_BIN`, and run nbgrader from the test venv,
//! found through `LABLINK_VENV`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, bail};

use crate::util::{cargo, run, step};

/// Debian packages CI installs for these checks (`.ci/run`).
pub const PACKAGES: &str = "php8.2-cli php8.2-curl php8.2-zip php8.2-mbstring php8.2-xml phpunit";

pub fn test(root: &Path, venv: &Path) -> anyhow::Result<()> {
    require("php", &["-v"])?;
    require("phpunit", &["--version"])?;
    let plugin = root.join("lms-plugin");
    step("php -l on every PHP file under lms-plugin/");
    let mut files = Vec::new();
    php_files(&plugin, &mut files)?;
    files.sort();
    let mut failed = Vec::new();
    for file in &files {
        // One file per run: PHP 8.2 lints only the first file it is given.
        let out = Command::new("php").arg("-l").arg(file).output()?;
        if !out.status.success() {
            eprint!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            failed.push(file.strip_prefix(root).unwrap_or(file).display().to_string());
        }
    }
    if !failed.is_empty() {
        bail!("php -l failed for {}", failed.join(", "));
    }
    eprintln!("{} files, no syntax errors", files.len());

    step("PHPUnit: lms-plugin/tests (with contract tests against lablink files)");
    run(cargo(root).args(["build", "-p", "lablink", "--bin", "lablink"]))?;
    let bin = lablink_bin(root, "debug");
    run(Command::new("phpunit")
        .current_dir(root)
        .arg("-c")
        .arg(plugin.join("tests/phpunit.xml"))
        .env("LABLINK_BIN", &bin)
        .env("LABLINK_VENV", venv))
}

/// The `lablink` binary cargo built in `profile`: under CARGO_TARGET_DIR when set (relative to
/// the root, as cargo reads it).
pub fn lablink_bin(root: &Path, profile: &str) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), |d| root.join(d))
        .join(profile)
        .join("lablink")
}

/// Fails with what to install when a tool is missing.
pub fn require(tool: &str, args: &[&str]) -> anyhow::Result<()> {
    let found = Command::new(tool).args(args).stdout(Stdio::null()).stderr(Stdio::null()).status();
    if !found.is_ok_and(|s| s.success()) {
        bail!("`{tool}` is needed for the PHP checks: apt-get install {PACKAGES} (.ci/run installs them)");
    }
    Ok(())
}

fn php_files(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let entry = entry?;
        let path = entry.path();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            php_files(&path, out)?;
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "php") {
            out.push(path);
        }
    }
    Ok(())
}
