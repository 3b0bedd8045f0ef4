//! `lablink`: one binary for the lablink services.
//!
//! This file parses the command line and hands over: `files` to `lablink_fileserver::serve`,
//! `grading` to `lablink_grading` (`serve`, or `sync_once` for scripts), `token` mints a v2
//! token; `demo/` (only with the `demo` feature) is the picker's demo host and sample workspace.

#[cfg(feature = "demo")]
mod demo;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use lablink_fileserver::FilesConfig;
use lablink_protocol::files::TokenClaims;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "lablink", version, about = "Moodle ↔ JupyterHub bridge services")]
struct Cli {
    /// Log as JSON lines (for log collectors) instead of text.
    #[arg(long, global = true, env = "LABLINK_LOG_JSON")]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve users' homes over the file server API (v2 and noto-legacy).
    #[command(
        after_long_help = lablink_fileserver::config::env_help(),
        after_help = "See --help for the configuration file and environment variables."
    )]
    Files {
        /// TOML configuration file.
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Folder holding one folder per user home (overrides the file and environment).
        #[arg(long)]
        homes: Option<PathBuf>,
        /// Address to listen on (overrides the file and environment).
        #[arg(long)]
        listen: Option<String>,
    },
    /// Print a v2 token for one request, signed with a key from the configuration (for scripts).
    Token {
        /// TOML configuration file holding the key.
        #[arg(long, short)]
        config: Option<PathBuf>,
        /// Key id to sign with (default: the first key).
        #[arg(long)]
        kid: Option<String>,
        /// Home the request acts for.
        #[arg(long)]
        home: String,
        /// HTTP method of the request.
        #[arg(long, default_value = "GET")]
        method: String,
        /// Path of the request, without the query (e.g. /v2/homes/alice/entries).
        #[arg(long)]
        path: String,
        /// `read` or `read write`.
        #[arg(long, default_value = "read")]
        scope: String,
        /// Seconds the token stays valid (at most 120).
        #[arg(long, default_value_t = 60)]
        ttl: i64,
        /// Issuer claim.
        #[arg(long, default_value = "lablink-cli")]
        issuer: String,
    },
    /// Run the grading service (nbgrader gradebook → LMS), standalone or as a JupyterHub service.
    #[command(
        after_long_help = lablink_grading::config::env_help(),
        after_help = "See --help for the environment variables."
    )]
    Grading {
        /// TOML configuration file.
        #[arg(long, short)]
        config: PathBuf,
        /// Address to listen on (overrides the file and environment).
        #[arg(long)]
        listen: Option<String>,
        /// Without an action, serve (and resume interrupted syncs).
        #[command(subcommand)]
        action: Option<GradingAction>,
    },
    /// Serve a sample workspace and a page hosting the folder picker (for trying lablink).
    // Kept (hidden) in builds without the demo so that `lablink demo` says why it is missing.
    #[cfg_attr(not(feature = "demo"), command(hide = true))]
    Demo {
        /// Folder for the sample homes and the demo's configuration (made when missing).
        #[arg(long, default_value = "target/demo")]
        dir: PathBuf,
        /// Loopback address of the page and the file server (under /files).
        #[arg(long, default_value = "127.0.0.1:8700")]
        listen: SocketAddr,
        /// Folder holding the built picker (`lablink_picker.js` and its `.wasm`).
        #[arg(long, default_value = "target/dist/picker")]
        assets: PathBuf,
    },
}

#[derive(Subcommand)]
enum GradingAction {
    /// Sync one assignment now, from this process (for scripts); prints the job as JSON.
    Sync {
        #[arg(long)]
        course: String,
        #[arg(long)]
        assignment: String,
        /// Only this nbgrader student (repeat for several).
        #[arg(long = "student")]
        students: Vec<String>,
        /// Scores sent at once (overrides the file and environment).
        #[arg(long)]
        concurrency: Option<usize>,
        /// Print what would change, and send nothing.
        #[arg(long)]
        preview: bool,
    },
}

/// The flags of `lablink files`, as the variables they stand for (they win over the environment).
fn files_flags(homes: Option<PathBuf>, listen: Option<String>) -> Vec<(String, String)> {
    let prefix = lablink_fileserver::config::ENV_PREFIX;
    let mut flags = Vec::new();
    if let Some(homes) = homes {
        flags.push((format!("{prefix}HOMES"), homes.display().to_string()));
    }
    if let Some(listen) = listen {
        flags.push((format!("{prefix}LISTEN"), listen));
    }
    flags
}

/// The flags of `lablink grading`, as the variables they stand for.
fn grading_flags(listen: Option<String>, concurrency: Option<usize>) -> Vec<(String, String)> {
    let prefix = lablink_grading::config::ENV_PREFIX;
    let mut flags = Vec::new();
    if let Some(listen) = listen {
        flags.push((format!("{prefix}LISTEN"), listen));
    }
    if let Some(n) = concurrency {
        flags.push((format!("{prefix}MAX_CONCURRENCY"), n.to_string()));
    }
    flags
}

fn init_logging(json: bool) {
    let filter = EnvFilter::try_from_env("LABLINK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down");
}

#[cfg(feature = "demo")]
async fn demo(dir: PathBuf, listen: SocketAddr, assets: PathBuf) -> anyhow::Result<()> {
    anyhow::ensure!(listen.ip().is_loopback(), "the demo hands out tokens: it only listens on loopback");
    demo::serve(dir, listen, assets, shutdown_signal()).await
}

#[cfg(not(feature = "demo"))]
async fn demo(_dir: PathBuf, _listen: SocketAddr, _assets: PathBuf) -> anyhow::Result<()> {
    anyhow::bail!(
        "this lablink is built without the demo (cargo feature `demo`), as release builds are: the \
         demo mints tokens for anyone who asks. Run it from a checkout with `cargo xtask demo`."
    )
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging(cli.log_json);
    match cli.command {
        Command::Files { config, homes, listen } => {
            let flags = files_flags(homes, listen);
            let config = FilesConfig::load_with_flags(config.as_deref(), std::env::vars(), &flags)?;
            lablink_fileserver::serve(&config, shutdown_signal()).await
        }
        Command::Grading { config, listen, action } => {
            let concurrency = match &action {
                Some(GradingAction::Sync { concurrency, .. }) => *concurrency,
                None => None,
            };
            let flags = grading_flags(listen, concurrency);
            let config = lablink_grading::GradingConfig::load(&config, std::env::vars(), &flags)?;
            match action {
                None => lablink_grading::serve(&config, shutdown_signal()).await,
                Some(GradingAction::Sync { course, assignment, students, preview, .. }) => {
                    let only = (!students.is_empty()).then_some(students);
                    let request = lablink_grading::SyncOnce { course, assignment, only, preview };
                    let out = lablink_grading::sync_once(config, request).await?;
                    println!("{}", serde_json::to_string_pretty(&out)?);
                    Ok(())
                }
            }
        }
        Command::Demo { dir, listen, assets } => demo(dir, listen, assets).await,
        Command::Token { config, kid, home, method, path, scope, ttl, issuer } => {
            let config = FilesConfig::load(config.as_deref(), std::env::vars())?;
            let key = match &kid {
                Some(kid) => config.v2_keys.iter().find(|k| &k.kid == kid),
                None => config.v2_keys.first(),
            }
            .ok_or_else(|| anyhow::anyhow!("no such v2 key in the configuration"))?;
            let now = lablink_fileserver::auth::now_secs();
            let claims = TokenClaims {
                iss: issuer,
                sub: home,
                scope,
                htm: method.to_uppercase(),
                htu: path,
                iat: now,
                exp: now + ttl.clamp(1, lablink_fileserver::auth::MAX_TOKEN_LIFETIME),
                jti: format!(
                    "cli-{}-{}",
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map_or(0, |d| d.as_nanos()),
                    std::process::id()
                ),
            };
            let secret = key.secret.as_deref().unwrap_or_default();
            println!("{}", lablink_fileserver::auth::mint(&key.kid, secret, &claims)?);
            Ok(())
        }
    }
}
