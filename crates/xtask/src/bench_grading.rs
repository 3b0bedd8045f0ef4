//! `cargo xtask bench grading`: one assignment of 1,000 students synced to the LTI 1.3 test
//! platform by `lablink grading … sync` (release build), with the configured concurrency, and
//! in the same run with concurrency 1 as the reference.
//!
//! - The gradebook is made by nbgrader (`tests/grading/nbgrader_many.py`), once, and kept in
//!   `bench/work/grading/`.
//! - The platform holds every score POST for `LMS_SCORE_MS` before answering, as an LMS writing
//!   its gradebook does; without it the run would only measure Python's HTTP server. Pages of
//!   roster and results hold 100 entries.
//! - Each run starts from an empty platform (no line item, no scores), so each sends every
//!   score; `token_requests` is what the platform counted for that run.
//!
//! Results: `bench/results/grading.json` (flat, numbers) and `bench/results/grading.md`.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use serde_json::{Map, Value, json};

use crate::python;
use crate::util::{ChildGuard, cargo, run as run_cmd, step};

const STUDENTS: usize = 1000;
const CONCURRENCY: usize = 16;
const LMS_SCORE_MS: u64 = 20;
const SERVICE_PORT: u16 = 8729;
const LMS_PORT: u16 = 8739;
const RUNS: usize = 3;

const TARGET_S: f64 = 3.0;
const TARGET_SPEEDUP: f64 = 5.0;

const LEARNER: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner";

fn http(method: &str, url: &str, body: Option<Value>) -> anyhow::Result<Value> {
    let client = reqwest::blocking::Client::new();
    let request = match method {
        "POST" => client.post(url).json(&body.unwrap_or(Value::Null)),
        _ => client.get(url),
    };
    Ok(request.send()?.error_for_status()?.json()?)
}

pub fn run(root: &Path) -> anyhow::Result<()> {
    let venv = python::ensure_venv(root)?;
    step("release build of lablink");
    run_cmd(cargo(root).args(["build", "--release", "--quiet", "-p", "lablink"]))?;
    // Where cargo put it: CARGO_TARGET_DIR when set (relative to the root, as cargo reads it).
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), |d| root.join(d));
    let bin = target_dir.join("release/lablink");
    let work = root.join("bench/work/grading");
    std::fs::create_dir_all(&work)?;
    let path = format!("{}:{}", venv.join("bin").display(), std::env::var("PATH").unwrap_or_default());

    let gradebook = work.join(format!("gradebook-{STUDENTS}.db"));
    if !gradebook.exists() {
        step(&format!("nbgrader gradebook of {STUDENTS} students (once; about 15 s)"));
        let partial = work.join("gradebook-partial.db");
        let _ = std::fs::remove_file(&partial);
        run_cmd(
            Command::new(venv.join("bin/python"))
                .arg(root.join("tests/grading/nbgrader_many.py"))
                .arg(&partial)
                .arg(STUDENTS.to_string())
                .env("PATH", &path),
        )?;
        std::fs::rename(&partial, &gradebook)?;
    }

    // The platform and its URLs (fixed ports, so the service's config can name them).
    let lms_base = format!("http://127.0.0.1:{LMS_PORT}");
    let platform_config = work.join("platform.json");
    std::fs::write(&platform_config, json!({"page_size": 100}).to_string())?;
    step("the test platform and the grading service (for /jwks)");
    let mut lms = Command::new(venv.join("bin/python"))
        .arg(root.join("tests/grading/lti_platform.py"))
        .args(["--port", &LMS_PORT.to_string(), "--moodle-paths", "--type-id", "7", "--quiet"])
        .arg("--config")
        .arg(&platform_config)
        .args(["--tool-jwks-url", &format!("http://127.0.0.1:{SERVICE_PORT}/jwks")])
        .stdout(Stdio::piped())
        .spawn()
        .context("starting the test platform")?;
    let mut line = String::new();
    BufReader::new(lms.stdout.take().expect("piped")).read_line(&mut line)?;
    let _lms = ChildGuard(lms);
    let info: Value = serde_json::from_str(&line).with_context(|| format!("the platform said {line:?}"))?;
    ensure!(info["ready"] == true, "the platform is not ready: {line}");
    let config = work.join("grading.toml");
    std::fs::write(
        &config,
        format!(
            r#"listen = "127.0.0.1:{SERVICE_PORT}"
key_file = "key.pem"
journal = "journal.sqlite"
max_concurrency = {CONCURRENCY}
[[platforms]]
name = "bench"
issuer = "{lms_base}"
client_id = "lablink-grading"
deployment_id = "1"
token_url = "{lms_base}/mod/lti/token.php"
keyset_url = "{lms_base}/.well-known/jwks.json"
[[courses]]
id = "big-course"
gradebook = {gradebook:?}
instructor_group = "formgrade-big"
platform = "bench"
lineitems_url = {lineitems}
memberships_url = {memberships}
"#,
            lineitems = info["courses"]["42"]["lineitems"],
            memberships = info["courses"]["42"]["context_memberships_url"],
        ),
    )?;
    let _ = std::fs::remove_file(work.join("journal.sqlite"));

    let _service = ChildGuard(
        Command::new(&bin)
            .current_dir(&work)
            .args(["grading", "--config"])
            .arg(&config)
            .env("LABLINK_LOG", "warn")
            .spawn()
            .context("starting lablink grading")?,
    );
    wait_health(&format!("http://127.0.0.1:{SERVICE_PORT}/health"))?;

    let sync = |concurrency: usize| -> anyhow::Result<(f64, u64, u64)> {
        http("POST", &format!("{lms_base}/_test/reset"), None)?;
        let members: Vec<Value> =
            (0..STUDENTS).map(|i| json!({"user_id": format!("lms-s{i:04}"), "roles": [LEARNER]})).collect();
        http("POST", &format!("{lms_base}/_test/members"), Some(json!({"ctx": "42", "members": members})))?;
        http(
            "POST",
            &format!("{lms_base}/_test/faults"),
            Some(json!([{"method": "POST", "path": "/scores", "delay_ms": LMS_SCORE_MS, "times": null}])),
        )?;
        let started = Instant::now();
        let out = Command::new(&bin)
            .current_dir(&work)
            .args(["grading", "--config"])
            .arg(&config)
            .args(["sync", "--course", "big-course", "--assignment", "big"])
            .args(["--concurrency", &concurrency.to_string()])
            .env("LABLINK_LOG", "warn")
            .output()?;
        let seconds = started.elapsed().as_secs_f64();
        if !out.status.success() {
            bail!("the sync failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let job: Value = serde_json::from_slice(&out.stdout).context("reading the sync's JSON")?;
        let sent = job["counts"]["sent"].as_u64().unwrap_or(0);
        let state = http("GET", &format!("{lms_base}/_test/state"), None)?;
        Ok((seconds, sent, state["tokens_issued"].as_u64().unwrap_or(u64::MAX)))
    };

    step(&format!("reference: {STUDENTS} scores with concurrency 1"));
    let (sequential_s, sequential_sent, sequential_tokens) = sync(1)?;
    eprintln!("{sequential_s:.2} s, {sequential_sent} sent, {sequential_tokens} token request(s)");
    let mut runs = Vec::new();
    for i in 1..=RUNS {
        step(&format!("run {i}/{RUNS}: {STUDENTS} scores with concurrency {CONCURRENCY}"));
        let run = sync(CONCURRENCY)?;
        eprintln!("{:.2} s, {} sent, {} token request(s)", run.0, run.1, run.2);
        runs.push(run);
    }
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (median_s, sent, tokens) = runs[RUNS / 2];
    ensure!(
        sent == STUDENTS as u64 && sequential_sent == STUDENTS as u64,
        "not every score was sent ({sent}, {sequential_sent})"
    );

    let mut r = Map::new();
    let mut put = |k: &str, v: f64| {
        r.insert(k.to_owned(), json!((v * 1000.0).round() / 1000.0));
    };
    put("sync1000_s", median_s);
    put("sync1000_worst_s", runs.last().map_or(f64::NAN, |r| r.0));
    put("sequential_s", sequential_s);
    put("speedup_vs_sequential", sequential_s / median_s);
    put("token_requests", tokens as f64);
    put("token_requests_sequential", sequential_tokens as f64);
    put("scores_per_s", STUDENTS as f64 / median_s);
    put("students", STUDENTS as f64);
    put("concurrency", CONCURRENCY as f64);
    put("lms_score_ms", LMS_SCORE_MS as f64);
    put("runs", RUNS as f64);

    let num = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
    let met = |ok: bool| if ok { "yes" } else { "**no**" };
    let mut md = format!(
        "# Grading bench (`cargo xtask bench grading`)\n\n\
         {STUDENTS} students of a real nbgrader gradebook synced by `lablink grading … sync` (release)\n\
         to the LTI 1.3 test platform on loopback, which holds each score for {LMS_SCORE_MS} ms; whole\n\
         process, from start to the last score. Median of {RUNS} runs with concurrency {CONCURRENCY}; the\n\
         reference is the same sync with concurrency 1, in the same run.\n\n\
         | metric | value | reference | ratio | target | met? |\n|---|---:|---:|---:|---:|:---:|\n"
    );
    let _ = writeln!(
        md,
        "| sync of {STUDENTS} scores | {:.2} s | {:.2} s | {:.1} × faster | ≤ {TARGET_S} s, ≥ {TARGET_SPEEDUP} × | {} |",
        num("sync1000_s"),
        num("sequential_s"),
        num("speedup_vs_sequential"),
        met(num("sync1000_s") <= TARGET_S && num("speedup_vs_sequential") >= TARGET_SPEEDUP)
    );
    let _ = writeln!(
        md,
        "| token requests per run | {} | {} | — | exactly 1 | {} |",
        num("token_requests"),
        num("token_requests_sequential"),
        met(tokens == 1 && sequential_tokens == 1)
    );
    let _ =
        writeln!(md, "\nWorst run {:.2} s; {:.0} scores/s.", num("sync1000_worst_s"), num("scores_per_s"));

    let results = root.join("bench/results");
    std::fs::create_dir_all(&results)?;
    std::fs::write(results.join("grading.json"), serde_json::to_string_pretty(&Value::Object(r))? + "\n")?;
    std::fs::write(results.join("grading.md"), &md)?;
    println!("{md}");
    step(&format!("results written to {}", results.display()));
    Ok(())
}

fn wait_health(url: &str) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        if reqwest::blocking::get(url).is_ok_and(|r| r.status().is_success()) {
            return Ok(());
        }
        ensure!(start.elapsed() < Duration::from_secs(30), "{url} did not answer within 30 s");
        std::thread::sleep(Duration::from_millis(100));
    }
}
