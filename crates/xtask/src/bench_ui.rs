//! `cargo xtask bench ui`: how big the widgets are and how fast the picker paints, in headless
//! chromium against `lablink demo` on loopback.
//!
//! - sizes: gzip (level 9) of each widget's Wasm and JS glue, as a server would send them;
//! - `picker_first_paint_ms`: from `mount()` to the first listing painted;
//! - `picker_10k_paint_ms`: from a page of the 10,000-entry folder arriving to it being painted
//!   (the slowest of its three pages);
//! - each timing also as a ratio to a reference in the same run: the same listing fetched and
//!   drawn with plain DOM calls (`tests/e2e/bench-reference.html`);
//! - `panel_first_paint_ms`: the grades panel, from `mount()` to its first student table (100
//!   students) painted; `panel_2000_paint_ms`: from a 2,000-student table's data arriving to it
//!   being painted; both against a plain-DOM table drawn from the same answers
//!   (`tests/e2e/bench-panel.mjs`, which serves the panel and the API's answers on loopback).
//!
//! Results: `bench/results/ui.json` (a flat object of numbers) and `bench/results/ui.md`.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use anyhow::Context;
use serde_json::{Map, Value, json};

use crate::util::{cargo, run as run_cmd, step};
use crate::{demo, wasm};

const PORT: u16 = 8719;
const RUNS: u32 = 15;

const TARGET_GZIP_KB: f64 = 150.0;
const TARGET_FIRST_PAINT_MS: f64 = 150.0;
const TARGET_10K_MS: f64 = 50.0;
const TARGET_PANEL_GZIP_KB: f64 = 200.0;
const TARGET_PANEL_FIRST_PAINT_MS: f64 = 150.0;
const TARGET_PANEL_2000_MS: f64 = 100.0;

/// Runs one of the bench scripts in `tests/e2e` and reads the JSON it prints.
fn node_bench(root: &Path, args: &[&str]) -> anyhow::Result<Value> {
    let out = Command::new("node")
        .current_dir(root.join("tests/e2e"))
        .args(args)
        .output()
        .context("running node")?;
    anyhow::ensure!(out.status.success(), "{} failed: {}", args[0], String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).with_context(|| format!("reading {} output", args[0]))
}

pub fn run(root: &Path) -> anyhow::Result<()> {
    let built = wasm::build_picker(root, &[wasm::Glue::Web])?.remove(0);
    let (panel_dir, panel) = wasm::build_grades_panel_sized(root)?;
    step("building lablink");
    run_cmd(cargo(root).args(["build", "--quiet", "-p", "lablink", "--features", "demo"]))?;
    let bin = crate::util::target_dir(root).join("debug/lablink");
    let _server = demo::start(root, &bin, &wasm::Glue::Web.picker_dir(root), PORT)?;
    step(&format!("paint timings in headless chromium ({RUNS} runs each)"));
    let timings =
        node_bench(root, &["bench-ui.mjs", &format!("http://127.0.0.1:{PORT}"), &RUNS.to_string()])?;
    step(&format!("the grades panel's paint timings ({RUNS} runs each)"));
    let panel_dir = panel_dir.to_str().context("a UTF-8 path")?;
    let panel_timings = node_bench(root, &["bench-panel.mjs", panel_dir, &RUNS.to_string()])?;
    let s = &timings["summary"];
    let p = &panel_timings["summary"];
    let median = |k: &str| s[k]["median"].as_f64().or(p[k]["median"].as_f64()).unwrap_or(f64::NAN);
    let max = |k: &str| s[k]["max"].as_f64().or(p[k]["max"].as_f64()).unwrap_or(f64::NAN);
    let kb = |bytes: usize| bytes as f64 / 1000.0;

    let mut r = Map::new();
    let mut put = |k: &str, v: f64| {
        r.insert(k.to_owned(), json!((v * 100.0).round() / 100.0));
    };
    put("picker_gzip_kb", kb(built.wasm_gzip + built.js_gzip));
    put("picker_wasm_gzip_kb", kb(built.wasm_gzip));
    put("picker_js_gzip_kb", kb(built.js_gzip));
    put("picker_wasm_opt_kept", if built.optimised { 1.0 } else { 0.0 });
    put("picker_first_paint_ms", median("picker_first_paint"));
    put("picker_first_paint_max_ms", max("picker_first_paint"));
    put("reference_first_paint_ms", median("reference_first_paint"));
    put("picker_first_paint_ratio", median("picker_first_paint") / median("reference_first_paint"));
    put("picker_10k_paint_ms", median("picker_10k"));
    put("picker_10k_paint_max_ms", max("picker_10k"));
    put("reference_10k_paint_ms", median("reference_10k"));
    put("picker_10k_paint_ratio", median("picker_10k") / median("reference_10k"));
    put("panel_gzip_kb", kb(panel.wasm_gzip + panel.js_gzip));
    put("panel_wasm_gzip_kb", kb(panel.wasm_gzip));
    put("panel_js_gzip_kb", kb(panel.js_gzip));
    put("panel_wasm_opt_kept", if panel.optimised { 1.0 } else { 0.0 });
    put("panel_first_paint_ms", median("panel_first_paint"));
    put("panel_first_paint_max_ms", max("panel_first_paint"));
    put("reference_panel_first_paint_ms", median("reference_first_paint_panel"));
    put("panel_first_paint_ratio", median("panel_first_paint") / median("reference_first_paint_panel"));
    put("panel_2000_paint_ms", median("panel_2000"));
    put("panel_2000_paint_max_ms", max("panel_2000"));
    put("reference_2000_paint_ms", median("reference_2000"));
    put("panel_2000_paint_ratio", median("panel_2000") / median("reference_2000"));
    put("runs", f64::from(RUNS));

    let num = |k: &str| r[k].as_f64().unwrap_or(f64::NAN);
    let met = |ok: bool| if ok { "yes" } else { "**no**" };
    let mut md = String::from(
        "# UI bench (`cargo xtask bench ui`)\n\n\
         Headless chromium on loopback (the picker against `lablink demo`, the grades panel against the\n\
         API's answers served by the bench script); medians of the runs. The references draw the same\n\
         listing or table with plain DOM calls (every row, no Wasm), in the same run.\n\n\
         | metric | value | reference | ratio | target | met? |\n|---|---:|---:|---:|---:|:---:|\n",
    );
    let _ = writeln!(
        md,
        "| picker size, gzip (Wasm {:.1} + JS glue {:.1}) | {:.1} KB | — | — | ≤ {TARGET_GZIP_KB} KB | {} |",
        num("picker_wasm_gzip_kb"),
        num("picker_js_gzip_kb"),
        num("picker_gzip_kb"),
        met(num("picker_gzip_kb") <= TARGET_GZIP_KB)
    );
    for (label, key, target) in [
        ("mount → first listing painted", "picker_first_paint", TARGET_FIRST_PAINT_MS),
        ("10,000-entry folder, data → painted", "picker_10k_paint", TARGET_10K_MS),
    ] {
        let value = num(&format!("{key}_ms"));
        let reference = num(&format!("{}_ms", key.replace("picker", "reference")));
        let _ = writeln!(
            md,
            "| {label} | {value:.1} ms | {reference:.1} ms | {:.2} × | ≤ {target} ms | {} |",
            num(&format!("{key}_ratio")),
            met(value <= target)
        );
    }
    let _ = writeln!(
        md,
        "| grades panel size, gzip (Wasm {:.1} + JS glue {:.1}) | {:.1} KB | — | — | ≤ {TARGET_PANEL_GZIP_KB} KB | {} |",
        num("panel_wasm_gzip_kb"),
        num("panel_js_gzip_kb"),
        num("panel_gzip_kb"),
        met(num("panel_gzip_kb") <= TARGET_PANEL_GZIP_KB)
    );
    for (label, key, reference, target) in [
        (
            "grades panel: mount → first table (100 students) painted",
            "panel_first_paint",
            "reference_panel_first_paint",
            TARGET_PANEL_FIRST_PAINT_MS,
        ),
        (
            "grades panel: 2,000-student table, data → painted",
            "panel_2000_paint",
            "reference_2000_paint",
            TARGET_PANEL_2000_MS,
        ),
    ] {
        let value = num(&format!("{key}_ms"));
        let _ = writeln!(
            md,
            "| {label} | {value:.1} ms | {:.1} ms | {:.2} × | ≤ {target} ms | {} |",
            num(&format!("{reference}_ms")),
            num(&format!("{key}_ratio")),
            met(value <= target)
        );
    }
    let _ = writeln!(
        md,
        "\nWorst runs: picker first paint {:.1} ms, 10,000 entries {:.1} ms; panel first table {:.1} ms, \
         2,000 students {:.1} ms. wasm-opt -Oz: picker {}, panel {} (kept only when the gzip shrinks).",
        num("picker_first_paint_max_ms"),
        num("picker_10k_paint_max_ms"),
        num("panel_first_paint_max_ms"),
        num("panel_2000_paint_max_ms"),
        if built.optimised { "kept" } else { "not kept" },
        if panel.optimised { "kept" } else { "not kept" }
    );

    let results = root.join("bench/results");
    std::fs::create_dir_all(&results)?;
    std::fs::write(results.join("ui.json"), serde_json::to_string_pretty(&Value::Object(r))? + "\n")?;
    std::fs::write(results.join("ui.md"), &md)?;
    println!("{md}");
    step(&format!("results written to {}", results.display()));
    Ok(())
}
