//! `cargo xtask demo`: the file server on a generated sample workspace, with the commands to
//! call it. `--smoke` (used by `cargo xtask test`) starts it, makes real calls and stops.

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::util::{self, cargo, step};

pub const DEMO_USER: &str = "demo";

/// Builds the binary, lays out the sample homes and writes the config; returns the binary.
fn prepare(root: &Path, port: u16) -> anyhow::Result<(std::path::PathBuf, std::path::PathBuf)> {
    step("building lablink");
    util::run(cargo(root).args(["build", "--quiet", "-p", "lablink"]))?;
    let demo = root.join("target/demo");
    let homes = demo.join("homes");
    sample_workspace(&homes.join(DEMO_USER))?;
    std::fs::create_dir_all(homes.join("someone-else/private"))?;
    std::fs::write(homes.join("someone-else/private/grades.csv"), "alice,12\n")?;
    let config = demo.join("files.toml");
    let secret = random_hex(32)?;
    let legacy = random_hex(32)?;
    std::fs::write(
        &config,
        format!(
            "homes = {homes:?}\nlisten = \"127.0.0.1:{port}\"\n\n[[v2_keys]]\nkid = \"demo\"\nsecret = \"{secret}\"\n\n[[legacy_keys]]\nuser = \"moodle\"\nsecret = \"{legacy}\"\n",
            homes = homes.display().to_string()
        ),
    )?;
    Ok((root.join("target/debug/lablink"), config))
}

/// A small course workspace: notebooks, data, a cache folder, a link to another home, a
/// hostile file name and a folder of 10,000 entries.
fn sample_workspace(home: &Path) -> anyhow::Result<()> {
    if home.join(".demo-v1").exists() {
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(home);
    let course = home.join("intro-python");
    for (i, topic) in ["variables", "loops", "functions", "plotting"].iter().enumerate() {
        let nb = notebook(&format!("# Week {}: {topic}", i + 1), &format!("print('{topic}')"));
        write(&course.join(format!("week{}-{topic}.ipynb", i + 1)), nb.as_bytes())?;
    }
    let mut csv = String::from("student,score\n");
    for i in 0..2000 {
        let _ = writeln!(csv, "s{i:04},{}", (i * 37) % 101);
    }
    write(&course.join("data/scores.csv"), csv.as_bytes())?;
    write(&course.join(".ipynb_checkpoints/week1-variables-checkpoint.ipynb"), b"{}")?;
    write(&course.join("__pycache__/helpers.cpython-311.pyc"), b"\0")?;
    write(&course.join("helpers.py"), b"def mean(xs):\n    return sum(xs) / len(xs)\n")?;
    write(&home.join("<img src=x onerror=alert(1)>.ipynb"), notebook("# hostile name", "1").as_bytes())?;
    write(&home.join("notes ünïcode.md"), "# Notes\n".as_bytes())?;
    let many = home.join("many");
    std::fs::create_dir_all(&many)?;
    for i in 0..10_000 {
        std::fs::write(many.join(format!("item-{i:05}.txt")), format!("{i}\n"))?;
    }
    let link = home.join("link-to-someone-else");
    let _ = std::os::unix::fs::symlink("../someone-else/private", &link);
    std::fs::write(home.join(".demo-v1"), b"")?;
    Ok(())
}

fn notebook(markdown: &str, code: &str) -> String {
    serde_json::json!({
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": [markdown]},
            {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": [code]}
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5
    })
    .to_string()
}

fn write(path: &Path, data: &[u8]) -> anyhow::Result<()> {
    std::fs::create_dir_all(path.parent().expect("has a parent"))?;
    std::fs::write(path, data).with_context(|| format!("writing {}", path.display()))
}

fn random_hex(bytes: usize) -> anyhow::Result<String> {
    let mut buf = vec![0u8; bytes];
    std::io::Read::read_exact(&mut std::fs::File::open("/dev/urandom")?, &mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(bin: &Path, config: &Path, port: u16) -> anyhow::Result<Server> {
    let child = Command::new(bin).args(["files", "--config"]).arg(config).spawn()?;
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    let url = format!("http://127.0.0.1:{port}/v2/health");
    while Instant::now() < deadline {
        if reqwest::blocking::get(&url).is_ok_and(|r| r.status().is_success()) {
            return Ok(server);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("the file server did not come up on port {port}")
}

fn token(bin: &Path, config: &Path, method: &str, path: &str) -> anyhow::Result<String> {
    let out = Command::new(bin)
        .args(["token", "--config"])
        .arg(config)
        .args(["--home", DEMO_USER, "--method", method, "--path", path])
        .output()?;
    if !out.status.success() {
        bail!("lablink token failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8(out.stdout)?.trim().to_owned())
}

pub fn run(root: &Path, port: u16, smoke: bool) -> anyhow::Result<()> {
    let (bin, config) = prepare(root, port)?;
    let server = start(&bin, &config, port)?;
    if smoke {
        return smoke_test(&bin, &config, port);
    }
    let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    let (bin, config) = (rel(&bin), rel(&config));
    println!(
        "\nlablink files is serving the sample homes in target/demo/homes on http://127.0.0.1:{port}\n\
         The user `{DEMO_USER}` has a course folder, a 10,000-entry folder, a hostile file name\n\
         and a link to another home (listed, never followed).\n\n\
         Try, in another terminal:\n\n\
         \x20 T=$({bin} token --config {config} --home {DEMO_USER} --path /v2/homes/{DEMO_USER}/entries)\n\
         \x20 curl -s -H \"Authorization: Bearer $T\" 'http://127.0.0.1:{port}/v2/homes/{DEMO_USER}/entries?path=intro-python'\n\n\
         \x20 T=$({bin} token --config {config} --home {DEMO_USER} --path /v2/homes/{DEMO_USER}/archive)\n\
         \x20 curl -s -D - -o intro-python.zip -H \"Authorization: Bearer $T\" 'http://127.0.0.1:{port}/v2/homes/{DEMO_USER}/archive?path=intro-python'\n\n\
         \x20 T=$({bin} token --config {config} --home {DEMO_USER} --method POST --scope 'read write' --path /v2/homes/{DEMO_USER}/extract)\n\
         \x20 curl -s -H \"Authorization: Bearer $T\" --data-binary @intro-python.zip 'http://127.0.0.1:{port}/v2/homes/{DEMO_USER}/extract?path=copy-of-intro'\n\n\
         Tokens are single-use and live 60 s: mint one per request. Ctrl-C stops the server.\n"
    );
    let mut server = server;
    server.0.wait()?;
    Ok(())
}

/// What a newcomer would do with the demo, checked: list, archive, extract.
fn smoke_test(bin: &Path, config: &Path, port: u16) -> anyhow::Result<()> {
    let client = reqwest::blocking::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let path = format!("/v2/homes/{DEMO_USER}/entries");
    let listing: serde_json::Value = client
        .get(format!("{base}{path}?path=intro-python"))
        .bearer_auth(token(bin, config, "GET", &path)?)
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
        .bearer_auth(token(bin, config, "GET", &path)?)
        .send()?
        .error_for_status()?
        .bytes()?;
    if !zip.starts_with(b"PK\x03\x04") {
        bail!("the demo archive is not a zip");
    }
    let path = format!("/v2/homes/{DEMO_USER}/extract");
    let out = Command::new(bin)
        .args(["token", "--config"])
        .arg(config)
        .args(["--home", DEMO_USER, "--method", "POST", "--scope", "read write", "--path", &path])
        .output()?;
    let t = String::from_utf8(out.stdout)?.trim().to_owned();
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
    std::fs::remove_dir_all(root_of(config).join("homes").join(DEMO_USER).join(&landed_at))?;
    println!("demo smoke test: listed, archived ({} bytes) and extracted to {landed_at}", zip.len());
    Ok(())
}

fn root_of(config: &Path) -> &Path {
    config.parent().expect("config sits in target/demo")
}
