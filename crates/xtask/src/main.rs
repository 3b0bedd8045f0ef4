//! `cargo xtask <task>`: the project's build, test, demo and bench entry points.

mod bench_files;
mod demo;
mod util;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "lablink build, test, demo and bench tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Start the file server on a generated sample workspace and show how to call it.
    Demo {
        /// Port to listen on (loopback only).
        #[arg(long, default_value_t = 8600)]
        port: u16,
        /// Start, make a few real calls, stop (what `cargo xtask test` runs).
        #[arg(long)]
        smoke: bool,
    },
    /// Everything CI checks: formatting, clippy, the wasm32 build of the protocol crate, all tests.
    Test,
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
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let root = util::workspace_root();
    match cli.task {
        Task::Demo { port, smoke } => demo::run(&root, port, smoke),
        Task::Test => test(&root),
        Task::Bench { which: Bench::Files } => bench_files::run(&root),
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

fn test(root: &std::path::Path) -> anyhow::Result<()> {
    use util::{cargo, run, step};
    step("cargo fmt --check");
    run(cargo(root).args(["fmt", "--all", "--check"]))?;
    step("cargo clippy --all-targets -D warnings");
    run(cargo(root).args(["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"]))?;
    step("protocol crate for wasm32-unknown-unknown");
    run(cargo(root).args(["build", "-p", "lablink-protocol", "--target", "wasm32-unknown-unknown"]))?;
    step("tests");
    run(cargo(root).args(["test", "--workspace", "--all-targets"]))?;
    step("demo smoke test");
    demo::run(root, 8609, true)?;
    Ok(())
}
