//! `cargo xtask bench files`: the file server against Debian's `zip`/`unzip`, in one run, on the
//! same synthetic workspace (≈1 GiB, generated once under `bench/work`, git-ignored).
//!
//! Measured, each as the median of three runs on a warm page cache:
//! - `zip -r -1 -q` of the workspace vs our `GET …/archive` written to a file on the same disk;
//! - `unzip -q` of that zip vs our `POST …/extract` uploading the very same zip;
//! - the legacy `GET /zfs` of the same folder (the reply written to a file) vs the same zip runs;
//! - the server's peak RSS (`VmHWM`, reset through `clear_refs` before each phase) during one
//!   archive, one extract, one legacy `/zfs` and twenty concurrent archives;
//! - client-side latency of listing the 10,000-entry folder, 200 sequential requests.
//!
//! Results: `bench/results/files.json` (a flat object of numbers) and `bench/results/files.md`.
//! Here the orchestration; `workspace` generates the tree, `server` runs and talks to the
//! server, `report` writes the results.

mod report;
mod server;
pub(crate) mod workspace;

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Barrier;
use std::time::Instant;

use anyhow::{Context, ensure};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use lablink_fileserver::archive::CACHE_FOLDERS;
use lablink_protocol::files::EntriesPage;
use lablink_protocol::legacy::{Envelope, ZfsReply};
use serde_json::{Map, Value, json};

use crate::util::{self, cargo, step};
use server::Server;
use workspace::{MANY_FILES, TreeStats, ensure_workspace, warm_up};

const HOME: &str = "bench";
/// Runs of each timed operation; the median is reported.
const RUNS: usize = 3;
const CONCURRENT: usize = 20;
const LIST_REQUESTS: usize = 200;
const MB: f64 = 1e6;
const MIB: f64 = 1024.0 * 1024.0;

pub fn run(root: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    for tool in ["zip", "unzip"] {
        let found = Command::new(tool).arg("-v").stdout(Stdio::null()).stderr(Stdio::null()).status();
        ensure!(found.is_ok_and(|s| s.success()), "`{tool}` is needed (apt-get install zip unzip)");
    }
    let work = root.join("bench/work");
    let home = work.join("homes").join(HOME);
    let ws = home.join("ws");

    step("synthetic workspace");
    let generation_s = ensure_workspace(&work, &ws)?;
    let tree = TreeStats::of(&ws)?;
    eprintln!(
        "{} files in {} folders, {:.1} MiB ({:.0} % incompressible by bytes); {} files ({:.1} MiB) in cache folders",
        tree.files,
        tree.folders,
        tree.bytes as f64 / MIB,
        100.0 * tree.incompressible_bytes as f64 / tree.bytes as f64,
        tree.excluded_files,
        tree.excluded_bytes as f64 / MIB,
    );

    step("release build of the server");
    let root_text = root.to_string_lossy();
    let revision = shell_line("git", &["-C", &root_text, "describe", "--always", "--dirty"]);
    util::run(cargo(root).args(["build", "--release", "-p", "lablink"]))?;
    let target_dir = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root.join(dir),
        None => root.join("target"),
    };
    let bin = target_dir.join("release/lablink");
    ensure!(bin.is_file(), "{} was not built", bin.display());

    let outputs = Outputs::new(&work, &home);
    outputs.clean()?;
    step("warm-up read of the workspace");
    let t = Instant::now();
    let warm_bytes = warm_up(&ws)?;
    eprintln!("read {:.1} MiB in {:.1} s", warm_bytes as f64 / MIB, t.elapsed().as_secs_f64());

    let mut r = Map::new();
    let mut put = |k: &str, v: f64| {
        r.insert(k.to_owned(), json!(v));
    };
    put("workspace_bytes", tree.bytes as f64);
    put("workspace_files", tree.files as f64);
    put("workspace_folders", tree.folders as f64);
    put("workspace_incompressible_share", tree.incompressible_bytes as f64 / tree.bytes as f64);
    put(
        "workspace_incompressible_unnamed_share",
        tree.incompressible_unnamed_bytes as f64 / tree.incompressible_bytes as f64,
    );
    put("archived_bytes", (tree.bytes - tree.excluded_bytes) as f64);
    put("archived_files", (tree.files - tree.excluded_files) as f64);
    put("excluded_cache_files", tree.excluded_files as f64);
    // 0 when the workspace of this version was already there (see `workspace_reused`).
    put("generation_s", generation_s.unwrap_or(0.0));
    put("workspace_reused", if generation_s.is_none() { 1.0 } else { 0.0 });
    put("runs", RUNS as f64);
    put("nproc", nproc() as f64);
    put("loadavg_1m_start", loadavg());

    let server = Server::start(&bin, &work)?;
    let measured = measure(&server, &tree, &outputs, &mut put);
    drop(server);
    let legacy_refusal = measured?;
    let _ = outputs.clean();

    put("bench_total_s", started.elapsed().as_secs_f64());
    let results = root.join("bench/results");
    fs::create_dir_all(&results)?;
    let json_text = serde_json::to_string_pretty(&Value::Object(r.clone()))?;
    fs::write(results.join("files.json"), json_text + "\n")?;
    let md = report::markdown(&r, tree.excluded_files, &revision, legacy_refusal.as_deref());
    fs::write(results.join("files.md"), &md)?;
    step(&format!("results written to {}", results.display()));
    println!("{md}");
    eprintln!("bench total: {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// Where the timed operations put their output (all on the workspace's disk).
struct Outputs {
    zip: PathBuf,
    ours: PathBuf,
    legacy_reply: PathBuf,
    legacy_zip: PathBuf,
    unzip_dir: PathBuf,
    home: PathBuf,
    extract_name: &'static str,
}

impl Outputs {
    fn new(work: &Path, home: &Path) -> Self {
        Self {
            zip: work.join("zip-1.zip"),
            ours: work.join("lablink.zip"),
            legacy_reply: work.join("legacy-zfs.json"),
            legacy_zip: work.join("legacy-zfs.zip"),
            unzip_dir: work.join("unzip-out"),
            home: home.to_path_buf(),
            extract_name: "bench-extract",
        }
    }

    fn extract_dir(&self) -> PathBuf {
        self.home.join(self.extract_name)
    }

    /// Removes what earlier (possibly interrupted) runs left behind.
    fn clean(&self) -> anyhow::Result<()> {
        remove_file(&self.zip)?;
        remove_file(&self.ours)?;
        remove_file(&self.legacy_reply)?;
        remove_file(&self.legacy_zip)?;
        remove_dir(&self.unzip_dir)?;
        for entry in fs::read_dir(&self.home)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(self.extract_name) || name.starts_with(".lablink-") {
                remove_dir(&entry.path())?;
            }
        }
        Ok(())
    }
}

/// Runs every phase; returns why the legacy `/zfs` was refused, if it was (the rest still counts).
fn measure(
    server: &Server,
    tree: &TreeStats,
    out: &Outputs,
    put: &mut impl FnMut(&str, f64),
) -> anyhow::Result<Option<String>> {
    let archived_bytes = (tree.bytes - tree.excluded_bytes) as f64;
    let archived_files = tree.files - tree.excluded_files;
    put("idle_rss_mib", server.status_kib("VmRSS")? as f64 / 1024.0);

    // Reference and ours alternate (and which of the two goes first alternates too), each run
    // after a `sync`, so that load from elsewhere on a shared machine and the writeback of
    // earlier runs weigh on both sides alike.
    step(&format!("archive: zip -r -1 -q vs GET archive written to a file, {RUNS} runs each"));
    let (mut zip_s, mut archive_s) = (Vec::new(), Vec::new());
    let mut archive_peak: f64 = 0.0;
    let mut archive_bytes = 0;
    for i in 0..RUNS {
        for ours in [i % 2 == 1, i % 2 == 0] {
            if ours {
                remove_file(&out.ours)?;
                settle()?;
                server.reset_peak()?;
                let s = timed(|| {
                    archive_bytes = server.download("archive", "path=ws", &mut File::create(&out.ours)?)?;
                    Ok(())
                })?;
                let peak = server.peak_mib()?;
                eprintln!("run {}: ours {s:6.2} s (server peak RSS {peak:.1} MiB)", i + 1);
                archive_s.push(s);
                archive_peak = archive_peak.max(peak);
            } else {
                remove_file(&out.zip)?;
                settle()?;
                let mut cmd = Command::new("zip");
                cmd.current_dir(&out.home).args(["-r", "-1", "-q"]).arg(&out.zip).arg("ws");
                cmd.arg("-x").args(CACHE_FOLDERS.map(|c| format!("*/{c}/*")));
                let s = timed(|| util::run(&mut cmd))?;
                eprintln!("run {}: zip  {s:6.2} s", i + 1);
                zip_s.push(s);
            }
        }
    }
    let zip_bytes = fs::metadata(&out.zip)?.len();

    step("checking our archive (unzip -tq, entry count)");
    util::run(Command::new("unzip").arg("-tq").arg(&out.ours))?;
    let files_in_archive = files_in_zip(&out.ours)?;
    ensure!(
        files_in_archive == archived_files,
        "our archive holds {files_in_archive} files, the workspace {archived_files} (caches left out)"
    );
    eprintln!("ok: {files_in_archive} files");
    remove_file(&out.ours)?;

    let zip_m = median(&zip_s);
    step(&format!("legacy /zfs of the same folder, {RUNS} runs (reference: the zip runs above)"));
    let legacy_refusal = match legacy_zfs(server, out, archived_files) {
        Ok(legacy) => {
            let zfs_m = median(&legacy.runs_s);
            put("legacy_zfs_ratio_vs_zip", zip_m / zfs_m);
            put("legacy_zfs_peak_rss_mib", legacy.peak_mib);
            put("legacy_zfs_s", zfs_m);
            put("legacy_zfs_mb_s", archived_bytes / zfs_m / MB);
            put("legacy_zfs_reply_bytes", legacy.reply_bytes as f64);
            put("legacy_zfs_refused", 0.0);
            None
        }
        Err(e) => {
            eprintln!("legacy /zfs not measured: {e:#}");
            put("legacy_zfs_refused", 1.0);
            Some(format!("{e:#}"))
        }
    };
    remove_file(&out.legacy_reply)?;
    remove_file(&out.legacy_zip)?;

    step(&format!("extract: unzip -q vs POST extract of the same zip -1 archive, {RUNS} runs each"));
    // Read once, outside the timings (it is in the page cache, as it is for unzip): handed to the
    // client as one body, the upload goes out in large writes. From a reader, reqwest's blocking
    // client would pass it on in 8 KiB pieces, each a hand-over between threads.
    let zip_body = Bytes::from(fs::read(&out.zip).with_context(|| format!("reading {}", out.zip.display()))?);
    let (mut unzip_s, mut extract_s) = (Vec::new(), Vec::new());
    let mut extract_peak: f64 = 0.0;
    for i in 0..RUNS {
        for ours in [i % 2 == 1, i % 2 == 0] {
            if ours {
                settle()?;
                server.reset_peak()?;
                let mut result = None;
                let s = timed(|| {
                    result = Some(server.extract(&zip_body, out.extract_name)?);
                    Ok(())
                })?;
                let peak = server.peak_mib()?;
                eprintln!("run {}: ours  {s:6.2} s (server peak RSS {peak:.1} MiB)", i + 1);
                extract_s.push(s);
                extract_peak = extract_peak.max(peak);
                let result = result.expect("set on success");
                let on_disk = TreeStats::of(&out.extract_dir())?;
                ensure!(
                    result.files == archived_files && on_disk.files == archived_files,
                    "extract reported {} files, {} on disk, expected {archived_files}",
                    result.files,
                    on_disk.files
                );
                remove_dir(&out.extract_dir())?;
            } else {
                settle()?;
                let mut cmd = Command::new("unzip");
                cmd.arg("-q").arg(&out.zip).arg("-d").arg(&out.unzip_dir);
                let s = timed(|| util::run(&mut cmd))?;
                eprintln!("run {}: unzip {s:6.2} s", i + 1);
                unzip_s.push(s);
                let unzipped = TreeStats::of(&out.unzip_dir)?;
                ensure!(unzipped.files == archived_files, "unzip produced {} files", unzipped.files);
                remove_dir(&out.unzip_dir)?;
            }
        }
    }
    drop(zip_body);
    eprintln!("ok: {archived_files} files each time, on both sides");

    step(&format!("{CONCURRENT} concurrent GET archive (bodies discarded)"));
    server.reset_peak()?;
    let (concurrent_s, sizes) = concurrent_archives(server)?;
    let concurrent_peak = server.peak_mib()?;
    ensure!(
        sizes.iter().all(|&n| n == archive_bytes),
        "concurrent archives differ in size from the single one: {sizes:?} vs {archive_bytes}"
    );
    eprintln!("{concurrent_s:.2} s, peak RSS {concurrent_peak:.1} MiB");

    step(&format!("listing the {MANY_FILES}-entry folder, {LIST_REQUESTS} requests"));
    let page: EntriesPage = server.get("entries", "path=ws/many&limit=10000")?.json()?;
    ensure!(
        page.total == MANY_FILES as u64 && page.entries.len() == MANY_FILES,
        "listing returned {} of {} entries",
        page.entries.len(),
        page.total
    );
    let mut list_ms = Vec::with_capacity(LIST_REQUESTS);
    for _ in 0..LIST_REQUESTS {
        let t = Instant::now();
        let mut body = Vec::with_capacity(2 << 20);
        server.download("entries", "path=ws/many&limit=10000", &mut body)?;
        list_ms.push(t.elapsed().as_secs_f64() * 1e3);
        ensure!(body.len() > MANY_FILES * 20, "short listing body");
    }
    list_ms.sort_by(f64::total_cmp);
    let pct = |p: f64| list_ms[((p * list_ms.len() as f64).ceil() as usize).clamp(1, list_ms.len()) - 1];
    eprintln!("p50 {:.2} ms, p99 {:.2} ms", pct(0.50), pct(0.99));
    // What a paging client (the picker) waits for before it can paint: the first 500 entries.
    let mut page_ms = Vec::with_capacity(LIST_REQUESTS);
    for _ in 0..LIST_REQUESTS {
        let t = Instant::now();
        let mut body = Vec::with_capacity(256 << 10);
        server.download("entries", "path=ws/many&limit=500", &mut body)?;
        page_ms.push(t.elapsed().as_secs_f64() * 1e3);
        ensure!(body.len() > 500 * 20, "short listing page");
    }
    page_ms.sort_by(f64::total_cmp);
    let page_p50 = page_ms[page_ms.len() / 2];
    eprintln!("first page of 500: p50 {page_p50:.2} ms");

    let archive_m = median(&archive_s);
    let (unzip_m, extract_m) = (median(&unzip_s), median(&extract_s));
    put("archive_ratio_vs_zip", zip_m / archive_m);
    put("extract_ratio_vs_unzip", unzip_m / extract_m);
    put("archive_peak_rss_mib", archive_peak);
    put("extract_peak_rss_mib", extract_peak);
    put("concurrent20_peak_rss_mib", concurrent_peak);
    put("list10k_p50_ms", pct(0.50));
    put("list10k_p99_ms", pct(0.99));
    put("list10k_mean_ms", list_ms.iter().sum::<f64>() / list_ms.len() as f64);
    put("list10k_max_ms", list_ms[list_ms.len() - 1]);
    put("list_requests", LIST_REQUESTS as f64);
    put("list10k_first_page500_p50_ms", page_p50);
    put("zip_s", zip_m);
    put("archive_s", archive_m);
    put("unzip_s", unzip_m);
    put("extract_s", extract_m);
    put("zip_mb_s", archived_bytes / zip_m / MB);
    put("archive_mb_s", archived_bytes / archive_m / MB);
    put("unzip_mb_s", archived_bytes / unzip_m / MB);
    put("extract_mb_s", archived_bytes / extract_m / MB);
    put("zip_bytes", zip_bytes as f64);
    put("archive_bytes", archive_bytes as f64);
    put("concurrent20_s", concurrent_s);
    put("concurrent20_mb_s", CONCURRENT as f64 * archived_bytes / concurrent_s / MB);
    put("concurrent20_requests", CONCURRENT as f64);
    Ok(legacy_refusal)
}

struct LegacyZfs {
    runs_s: Vec<f64>,
    peak_mib: f64,
    reply_bytes: u64,
}

/// `RUNS` legacy `/zfs` of the workspace, each reply written to a file. The first reply is
/// checked (a refusal, e.g. by the legacy zip limit, ends the phase with its message; the zip
/// in it must hold every file), outside the timing.
fn legacy_zfs(server: &Server, out: &Outputs, archived_files: u64) -> anyhow::Result<LegacyZfs> {
    let mut legacy = LegacyZfs { runs_s: Vec::new(), peak_mib: 0.0, reply_bytes: 0 };
    for i in 0..RUNS {
        remove_file(&out.legacy_reply)?;
        settle()?;
        server.reset_peak()?;
        let s = timed(|| {
            legacy.reply_bytes = server.legacy_zfs("ws", &mut File::create(&out.legacy_reply)?)?;
            Ok(())
        })?;
        let peak = server.peak_mib()?;
        eprintln!("run {}: /zfs {s:6.2} s (server peak RSS {peak:.1} MiB)", i + 1);
        if i == 0 {
            check_legacy_reply(out, archived_files)?;
        }
        legacy.runs_s.push(s);
        legacy.peak_mib = legacy.peak_mib.max(peak);
    }
    Ok(legacy)
}

fn check_legacy_reply(out: &Outputs, archived_files: u64) -> anyhow::Result<()> {
    let envelope: Envelope = serde_json::from_slice(&fs::read(&out.legacy_reply)?)
        .context("the legacy /zfs reply is not the JSON envelope")?;
    ensure!(
        envelope.ret.code == 0,
        "the server answered code {}: {}",
        envelope.ret.code,
        envelope.ret.status
    );
    let reply: ZfsReply = serde_json::from_str(&envelope.payload)?;
    drop(envelope);
    ensure!(reply.method == "base64", "the /zfs blob is sent as {:?}", reply.method);
    fs::write(&out.legacy_zip, STANDARD.decode(reply.blob.trim()).context("the /zfs blob is not base64")?)?;
    let files = files_in_zip(&out.legacy_zip)?;
    ensure!(files == archived_files, "the /zfs zip holds {files} files, the workspace {archived_files}");
    eprintln!("ok: the /zfs zip holds {files} files");
    Ok(())
}

/// Files (not folders) listed in a zip, by `unzip -Z1`.
fn files_in_zip(zip: &Path) -> anyhow::Result<u64> {
    let listing = Command::new("unzip").arg("-Z1").arg(zip).output()?;
    ensure!(listing.status.success(), "unzip -Z1 failed on {}", zip.display());
    Ok(String::from_utf8_lossy(&listing.stdout).lines().filter(|l| !l.ends_with('/')).count() as u64)
}

/// `CONCURRENT` threads each download an archive of the whole workspace at once and drop the
/// bytes. Returns the wall time from the common start to the last byte, and each body's size.
fn concurrent_archives(server: &Server) -> anyhow::Result<(f64, Vec<u64>)> {
    let barrier = Barrier::new(CONCURRENT + 1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..CONCURRENT)
            .map(|_| {
                let barrier = &barrier;
                scope.spawn(move || -> anyhow::Result<u64> {
                    barrier.wait();
                    server.download("archive", "path=ws", &mut io::sink())
                })
            })
            .collect();
        barrier.wait();
        let t = Instant::now();
        let sizes: Vec<anyhow::Result<u64>> = handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(anyhow::anyhow!("thread panicked"))))
            .collect();
        let elapsed = t.elapsed().as_secs_f64();
        Ok((elapsed, sizes.into_iter().collect::<anyhow::Result<Vec<u64>>>()?))
    })
}

/// Flushes dirty pages (nothing is dropped from the page cache) so that every timed run starts
/// with no writeback of an earlier one pending.
pub(crate) fn settle() -> anyhow::Result<()> {
    util::run(&mut Command::new("sync"))
}

fn timed(f: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<f64> {
    let t = Instant::now();
    f()?;
    Ok(t.elapsed().as_secs_f64())
}

pub(crate) fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

pub(crate) fn remove_file(path: &Path) -> anyhow::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            Err(e).context(format!("removing {}", path.display()))
        }
        _ => Ok(()),
    }
}

pub(crate) fn remove_dir(path: &Path) -> anyhow::Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            Err(e).context(format!("removing {}", path.display()))
        }
        _ => Ok(()),
    }
}

pub(crate) fn nproc() -> usize {
    Command::new("nproc")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// One-minute load average (-1 when unknown): the machine may be shared.
pub(crate) fn loadavg() -> f64 {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(-1.0)
}

pub(crate) fn shell_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}
