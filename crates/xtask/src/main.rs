//! `cargo xtask <task>`: the project's build, test, demo and bench entry points.
//!
//! - this file: the tasks, and `test` (what CI runs) and `dist` in full;
//! - `util`: running commands, steps, the workspace root, a child-process guard;
//! - `wasm`: the Wasm pipeline (cargo, the pinned wasm-bindgen CLI with the web and no-modules
//!   glues, wasm-opt kept only if smaller), `npm ci`;
//! - `moodle`: the Moodle plugins' zips (each plugin folder; the submission plugin's with the
//!   picker's no-modules build);
//! - `php`: `php -l` and the Moodle-free PHPUnit suite of `lms-plugin/` (in `test`);
//! - `lab_extension`: the JupyterLab extension's wheel (the panel's Wasm inside), its checks;
//! - `python`: the test venv (nbgrader, JupyterHub, the LTI test platform);
//! - `demo`: `cargo xtask demo` (build the picker, start `lablink demo`), with `demo_hub`: the
//!   JupyterHub stack (hub, JupyterLab with the grades panel, grading service, test LMS);
//! - `bench_files/`, `bench_ui`, `bench_grading`, `bench_moodle` (+ `bench_moodle_collect`): the
//!   benches, each against a reference in the same run.

mod bench_files;
mod bench_grading;
mod bench_moodle;
mod bench_moodle_collect;
mod bench_ui;
mod demo;
mod demo_hub;
mod lab_extension;
mod moodle;
mod php;
mod python;
mod util;
mod wasm;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "lablink build, test, demo and bench tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Build and start the demo on loopback until Ctrl-C: the picker on a page over a generated
    /// sample workspace (with the file server under /files), and a JupyterHub whose JupyterLab
    /// has the grades panel, on a sample nbgrader course synced to a test LMS.
    Demo {
        /// The picker page's port (loopback only); the hub, the test LMS and the hub's inner
        /// ports take the five after it.
        #[arg(long, default_value_t = 8700)]
        port: u16,
        /// Start, make a few real calls, stop (what `cargo xtask test` runs).
        #[arg(long)]
        smoke: bool,
        /// Only the JupyterHub stack, without the picker page.
        #[arg(long)]
        hub_only: bool,
        /// The JupyterHub stack's folder, emptied on start (default target/demo/hub).
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
    },
    /// Everything CI checks: formatting, clippy (host and wasm32), all tests, the PHP checks
    /// (`php -l`, PHPUnit with the client's contract tests), the component tests in headless
    /// chromium, the demo smoke test and the end-to-end tests.
    Test,
    /// Build the installable artefacts into target/dist: the picker (JS + Wasm), the Moodle
    /// plugin's zip (with the picker inside), the JupyterLab extension's wheel (with the grades
    /// panel inside) and the binary.
    Dist,
    /// Benchmarks, written to bench/results/.
    Bench {
        #[command(subcommand)]
        which: Bench,
    },
    /// Run the WorkspacePath fuzzer for a while (needs cargo-fuzz).
    Fuzz {
        #[arg(long, default_value_t = 60)]
        seconds: u64,
    },
}

#[derive(Subcommand)]
enum Bench {
    /// File server: archive/extract throughput vs zip/unzip, peak RSS, listing latency.
    Files,
    /// Widgets: gzip sizes, and paint times measured in headless chromium.
    Ui,
    /// Grading: 1,000 scores synced to the test LMS, against a sequential run.
    Grading,
    /// Moodle plugin: the PHP client submitting the ≈1 GiB workspace and copying a snapshot
    /// back, against curl; PHP peak memory; where the legacy protocol runs out of memory.
    Moodle,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let root = util::workspace_root();
    match cli.task {
        Task::Demo { port, smoke, hub_only, dir } => {
            demo::run(&root, demo::Options { port, smoke, hub_only, dir })
        }
        Task::Test => test(&root),
        Task::Dist => dist(&root),
        Task::Bench { which: Bench::Files } => bench_files::run(&root),
        Task::Bench { which: Bench::Ui } => bench_ui::run(&root),
        Task::Bench { which: Bench::Grading } => bench_grading::run(&root),
        Task::Bench { which: Bench::Moodle } => bench_moodle::run(&root),
        Task::Fuzz { seconds } => {
            util::run(util::cargo(&root.join("crates/protocol")).env("RUSTC_BOOTSTRAP", "1").args([
                "fuzz",
                "run",
                "workspace_path",
                "--",
                &format!("-max_total_time={seconds}"),
            ]))
        }
    }
}

/// The browser crates, linted and tested for wasm32 (the protocol crate is built for it too,
/// but its property tests need a host).
const WASM_CRATES: [&str; 4] = ["lablink-client", "lablink-ui", "lablink-picker", "lablink-grades-panel"];

fn wasm_args(command: &str) -> Vec<&str> {
    let mut args = vec![command, "--target", "wasm32-unknown-unknown"];
    for krate in WASM_CRATES {
        args.extend(["-p", krate]);
    }
    args
}

/// Where chromedriver is; the wasm-bindgen test runner drives chromium through it.
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn test(root: &std::path::Path) -> anyhow::Result<()> {
    use util::{cargo, run, step};
    step("cargo fmt --check");
    run(cargo(root).args(["fmt", "--all", "--check"]))?;
    step("cargo clippy --all-targets -D warnings");
    run(cargo(root).args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    step("cargo clippy for wasm32 (protocol, client, ui, picker)");
    let mut clippy = wasm_args("clippy");
    clippy.extend(["-p", "lablink-protocol", "--", "-D", "warnings"]);
    run(cargo(root).args(clippy))?;
    let mut clippy = wasm_args("clippy");
    clippy.extend(["--tests", "--", "-D", "warnings"]);
    run(cargo(root).args(clippy))?;
    let venv = python::ensure_venv(root)?;
    // Before the tests: the hub tests start configurable-http-proxy from node_modules.
    wasm::ensure_npm(root)?;
    step("tests");
    run(cargo(root).env("LABLINK_VENV", &venv).args(["test", "--workspace", "--all-targets"]))?;
    php::test(root, &venv)?;
    step("the demo's own tests (cargo feature `demo`)");
    run(cargo(root).args(["test", "-p", "lablink", "--features", "demo", "--bins"]))?;
    step("component tests in headless chromium (wasm-bindgen-test)");
    // The runner sits beside the CLI xtask checked, whatever PATH says.
    let runner = wasm::ensure_wasm_bindgen(root)?.with_file_name("wasm-bindgen-test-runner");
    run(cargo(root)
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", runner)
        .args(wasm_args("test")))?;
    step("demo smoke test");
    // One picker build for the demo page and for the Moodle plugin's zip.
    let (bin, assets) = demo::prepare(root, &[wasm::Glue::NoModules])?;
    demo::smoke(root, &bin, &assets, 8609)?;
    step("the Moodle plugins' zips");
    let plugin = moodle_zip(root)?;
    let wheel = lab_extension::build_wheel(root, &venv)?;
    step("the demo's JupyterHub stack, for the grades panel's end-to-end tests");
    // The same stack as `cargo xtask demo`, in its own folder and on its own ports.
    let (dir, ports) = (root.join("target/e2e/hub"), demo_hub::Ports::from_base(8620));
    let stack = demo::start_stack(root, &venv, &bin, dir, ports, &wheel)?;
    demo_hub::smoke(&stack)?;
    step("end-to-end tests in headless chromium (tests/e2e)");
    wasm::ensure_npm(root)?;
    run(std::process::Command::new("npm")
        .current_dir(root)
        .args(["test", "--workspace", "tests/e2e"])
        .env("LABLINK_BIN", bin)
        .env("LABLINK_ASSETS", assets)
        .env("LABLINK_MOODLE_PICKER", plugin.join("picker"))
        .env("LABLINK_STACK", &stack.info_file))?;
    drop(stack);
    Ok(())
}

/// Writes `target/dist/moodle-assignsubmission_lablink.zip` from the plugin folder and the
/// picker's no-modules build (already built), and `moodle-assignfeedback_lablink.zip`, and checks
/// both; returns the submission plugin's folder.
fn moodle_zip(root: &std::path::Path) -> anyhow::Result<std::path::PathBuf> {
    let dist = root.join("target/dist");
    let plugin = root.join(moodle::PLUGIN_DIR);
    let zip = dist.join(moodle::ZIP_NAME);
    let files = moodle::build_zip(&plugin, &wasm::Glue::NoModules.picker_dir(root), &zip)?;
    moodle::check_zip(&zip, &plugin, true)?;
    eprintln!("{}: {files} files under lablink/", zip.display());
    let feedback = root.join(moodle::FEEDBACK_DIR);
    let zip = dist.join(moodle::FEEDBACK_ZIP_NAME);
    let files = moodle::build_plain_zip(&feedback, &zip)?;
    moodle::check_zip(&zip, &feedback, false)?;
    eprintln!("{}: {files} files under lablink/", zip.display());
    Ok(plugin)
}

fn dist(root: &std::path::Path) -> anyhow::Result<()> {
    use util::{cargo, run, step};
    let dist = root.join("target/dist");
    wasm::build_picker(root, &[wasm::Glue::Web, wasm::Glue::NoModules])?;
    step("the Moodle plugins' zips");
    moodle_zip(root)?;
    let wheel = lab_extension::build_wheel(root, &python::ensure_venv(root)?)?;
    step("lablink binary (release)");
    // Without the `demo` feature: the shipped binary has no token-minting route.
    run(cargo(root).args(["build", "--release", "-p", "lablink", "--no-default-features"]))?;
    let bin = util::target_dir(root).join("release/lablink");
    let probe = std::process::Command::new(&bin).args(["demo", "--listen", "0.0.0.0:1"]).output()?;
    anyhow::ensure!(
        !probe.status.success() && String::from_utf8_lossy(&probe.stderr).contains("built without the demo"),
        "the release binary still holds the demo"
    );
    std::fs::create_dir_all(dist.join("bin"))?;
    std::fs::copy(&bin, dist.join("bin/lablink"))?;
    eprintln!(
        "\nartefacts in {}: picker/ (serve with .wasm as application/wasm), {}, {}, {} (pip install \
         into the lab's environment), bin/lablink",
        dist.display(),
        moodle::ZIP_NAME,
        moodle::FEEDBACK_ZIP_NAME,
        wheel.file_name().unwrap_or_default().to_string_lossy(),
    );
    Ok(())
}
