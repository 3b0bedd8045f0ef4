//! `cargo xtask demo`: builds what the demo shows and starts it, on loopback, until Ctrl-C:
//! `lablink demo` (the file server on a generated sample workspace plus a page hosting the
//! picker) and, from `demo_hub`, a real JupyterHub whose JupyterLab has the grades panel, the
//! grading service on a sample nbgrader course, and the test LMS. `--smoke`, run by
//! `cargo xtask test`, starts it, makes real calls and stops.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::bail;

use crate::demo_hub::{self, Ports, Setup, Stack};
use crate::util::{self, cargo, step};
use crate::{lab_extension, python, wasm};

pub const DEMO_USER: &str = "demo";

/// Builds the picker (with the web glue, which the demo page loads, and any other `glues`
/// wanted from the same build) and the binary; returns the binary and the page's picker folder.
pub fn prepare(root: &Path, glues: &[wasm::Glue]) -> anyhow::Result<(PathBuf, PathBuf)> {
    let mut all = vec![wasm::Glue::Web];
    all.extend(glues.iter().filter(|&&g| g != wasm::Glue::Web));
    wasm::build_picker(root, &all)?;
    step("building lablink");
    util::run(cargo(root).args(["build", "--quiet", "-p", "lablink", "--features", "demo"]))?;
    Ok((util::target_dir(root).join("debug/lablink"), wasm::Glue::Web.picker_dir(root)))
}

pub struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `lablink demo` on `port` and waits until it answers.
pub fn start(root: &Path, bin: &Path, assets: &Path, port: u16) -> anyhow::Result<Server> {
    let child = Command::new(bin)
        .current_dir(root)
        .args(["demo", "--dir", "target/demo", "--listen", &format!("127.0.0.1:{port}"), "--assets"])
        .arg(assets)
        .spawn()?;
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    let url = format!("http://127.0.0.1:{port}/files/v2/health");
    while Instant::now() < deadline {
        if reqwest::blocking::get(&url).is_ok_and(|r| r.status().is_success()) {
            return Ok(server);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("the demo did not come up on port {port}")
}

/// What `cargo xtask demo` was asked for.
pub struct Options {
    /// The picker page's port; the hub stack's ports follow it.
    pub port: u16,
    pub smoke: bool,
    /// Only the hub stack (the grades panel's end-to-end tests start it so).
    pub hub_only: bool,
    /// The hub stack's folder (default `target/demo/hub`).
    pub dir: Option<PathBuf>,
}

pub fn run(root: &Path, options: Options) -> anyhow::Result<()> {
    let (bin, assets) = prepare(root, &[])?;
    let venv = python::ensure_venv(root)?;
    wasm::ensure_npm(root)?;
    let dir = options.dir.clone().unwrap_or_else(|| root.join("target/demo/hub"));
    let ports = Ports::from_base(options.port + 1);
    let wheel = lab_extension::build_wheel(root, &venv)?;
    if options.smoke {
        self::smoke(root, &bin, &assets, options.port)?;
        let stack = start_stack(root, &venv, &bin, dir, ports, &wheel)?;
        return demo_hub::smoke(&stack);
    }
    let _picker = match options.hub_only {
        true => None,
        false => Some(start(root, &bin, &assets, options.port)?),
    };
    let mut stack = start_stack(root, &venv, &bin, dir, ports, &wheel)?;
    let picker = (!options.hub_only).then(|| format!("http://127.0.0.1:{}/", options.port));
    println!("{}", demo_hub::instructions(&stack.info, picker.as_deref()));
    // A line for scripts (the end-to-end tests) that start the demo and wait for it.
    println!("stack ready: {}", stack.info_file.display());
    demo_hub::wait_for_stop(&mut stack)
}

/// The hub stack started on `ports` in `dir`, its JupyterLab with the extension's `wheel`.
pub fn start_stack(
    root: &Path,
    venv: &Path,
    bin: &Path,
    dir: PathBuf,
    ports: Ports,
    wheel: &Path,
) -> anyhow::Result<Stack> {
    Stack::start(Setup { root, venv, bin, dir, ports, wheel })
}

/// Starts the demo built by `prepare`, makes real calls, stops it.
pub fn smoke(root: &Path, bin: &Path, assets: &Path, port: u16) -> anyhow::Result<()> {
    let _server = start(root, bin, assets, port)?;
    smoke_test(port)
}

fn token(client: &reqwest::blocking::Client, base: &str, method: &str, path: &str) -> anyhow::Result<String> {
    Ok(client
        .get(format!("{base}/demo/token"))
        .query(&[("method", method), ("path", path)])
        .send()?
        .error_for_status()?
        .text()?)
}

/// What a newcomer would do with the demo, checked: list, archive, extract.
fn smoke_test(port: u16) -> anyhow::Result<()> {
    let client = reqwest::blocking::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let page = client.get(format!("{base}/")).send()?.error_for_status()?.text()?;
    if !page.contains("id=\"picker\"") {
        bail!("the demo page has no picker element");
    }
    let wasm = client.get(format!("{base}/assets/lablink_picker_bg.wasm")).send()?.error_for_status()?;
    if wasm.headers().get("content-type").and_then(|v| v.to_str().ok()) != Some("application/wasm") {
        bail!("the picker's .wasm is not served as application/wasm");
    }
    let base = format!("{base}/files");
    let tokens = format!("http://127.0.0.1:{port}");
    let path = format!("/v2/homes/{DEMO_USER}/entries");
    let listing: serde_json::Value = client
        .get(format!("{base}{path}?path=intro-python"))
        .bearer_auth(token(&client, &tokens, "GET", &path)?)
        .send()?
        .error_for_status()?
        .json()?;
    let names: Vec<&str> =
        listing["entries"].as_array().into_iter().flatten().filter_map(|e| e["name"].as_str()).collect();
    if !names.contains(&"data") || !names.contains(&"week1-variables.ipynb") {
        bail!("unexpected demo listing: {names:?}");
    }
    let path = format!("/v2/homes/{DEMO_USER}/archive");
    let zip = client
        .get(format!("{base}{path}?path=intro-python"))
        .bearer_auth(token(&client, &tokens, "GET", &path)?)
        .send()?
        .error_for_status()?
        .bytes()?;
    if !zip.starts_with(b"PK\x03\x04") {
        bail!("the demo archive is not a zip");
    }
    let path = format!("/v2/homes/{DEMO_USER}/extract");
    let t = token(&client, &tokens, "POST", &path)?;
    let landed: serde_json::Value = client
        .post(format!("{base}{path}?path=smoke-copy"))
        .bearer_auth(t)
        .body(zip.to_vec())
        .send()?
        .error_for_status()?
        .json()?;
    let landed_at = landed["path"].as_str().unwrap_or_default().to_owned();
    if landed["files"].as_u64() != Some(6) {
        bail!("unexpected extract result: {landed}");
    }
    std::fs::remove_dir_all(
        util::workspace_root().join("target/demo/homes").join(DEMO_USER).join(&landed_at),
    )?;
    println!("demo smoke test: listed, archived ({} bytes) and extracted to {landed_at}", zip.len());
    Ok(())
}
