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

/// One timing in the report: its keys in `ui.json` (`{key}_ms`, `_max_ms`, `_ratio`, and the
/// reference's `{reference_key}_ms`), the bench scripts' summary names of ours and the
/// reference's runs, the table's label and the target.
struct Timing {
    key: &'static str,
    ours: &'static str,
    reference: &'static str,
    reference_key: &'static str,
    label: &'static str,
    target_ms: f64,
}

/// A widget in the report: its key prefix in `ui.json`, the table's name for it, the gzip
/// target, its timings.
struct Widget {
    key: &'static str,
    name: &'static str,
    target_gzip_kb: f64,
    timings: [Timing; 2],
}

const PICKER: Widget = Widget {
    key: "picker",
    name: "picker",
    target_gzip_kb: 150.0,
    timings: [
        Timing {
            key: "picker_first_paint",
            ours: "picker_first_paint",
            reference: "reference_first_paint",
            reference_key: "reference_first_paint",
            label: "mount → first listing painted",
            target_ms: 150.0,
        },
        Timing {
            key: "picker_10k_paint",
            ours: "picker_10k",
            reference: "reference_10k",
            reference_key: "reference_10k_paint",
            label: "10,000-entry folder, data → painted",
            target_ms: 50.0,
        },
    ],
};

const PANEL: Widget = Widget {
    key: "panel",
    name: "grades panel",
    target_gzip_kb: 200.0,
    timings: [
        Timing {
            key: "panel_first_paint",
            ours: "panel_first_paint",
            reference: "reference_first_paint_panel",
            reference_key: "reference_panel_first_paint",
            label: "grades panel: mount → first table (100 students) painted",
            target_ms: 150.0,
        },
        Timing {
            key: "panel_2000_paint",
            ours: "panel_2000",
            reference: "reference_2000",
            reference_key: "reference_2000_paint",
            label: "grades panel: 2,000-student table, data → painted",
            target_ms: 100.0,
        },
    ],
};

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

    let widgets = [(&PICKER, &built), (&PANEL, &panel)];
    let mut r = Map::new();
    let mut put = |k: &str, v: f64| {
        r.insert(k.to_owned(), json!((v * 100.0).round() / 100.0));
    };
    for (w, built) in widgets {
        put(&format!("{}_gzip_kb", w.key), kb(built.wasm_gzip + built.js_gzip));
        put(&format!("{}_wasm_gzip_kb", w.key), kb(built.wasm_gzip));
        put(&format!("{}_js_gzip_kb", w.key), kb(built.js_gzip));
        put(&format!("{}_wasm_opt_kept", w.key), if built.optimised { 1.0 } else { 0.0 });
        for t in &w.timings {
            put(&format!("{}_ms", t.key), median(t.ours));
            put(&format!("{}_max_ms", t.key), max(t.ours));
            put(&format!("{}_ms", t.reference_key), median(t.reference));
            put(&format!("{}_ratio", t.key), median(t.ours) / median(t.reference));
        }
    }
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
    for (w, _) in widgets {
        let gzip = num(&format!("{}_gzip_kb", w.key));
        let _ = writeln!(
            md,
            "| {} size, gzip (Wasm {:.1} + JS glue {:.1}) | {gzip:.1} KB | — | — | ≤ {} KB | {} |",
            w.name,
            num(&format!("{}_wasm_gzip_kb", w.key)),
            num(&format!("{}_js_gzip_kb", w.key)),
            w.target_gzip_kb,
            met(gzip <= w.target_gzip_kb)
        );
        for t in &w.timings {
            let value = num(&format!("{}_ms", t.key));
            let _ = writeln!(
                md,
                "| {} | {value:.1} ms | {:.1} ms | {:.2} × | ≤ {} ms | {} |",
                t.label,
                num(&format!("{}_ms", t.reference_key)),
                num(&format!("{}_ratio", t.key)),
                t.target_ms,
                met(value <= t.target_ms)
            );
        }
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
