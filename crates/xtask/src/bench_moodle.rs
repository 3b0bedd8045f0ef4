//! `cargo xtask bench moodle`: the Moodle plugin's PHP client (`lms-plugin/tests/bench/
//! moodle_bench.php`, which runs the plugin's own classes with the ext-curl transport) against
//! `curl` doing the same transfer in the same run, on the file bench's ≈1 GiB workspace:
//! - submit: `GET …/archive` of the whole workspace streamed into a file (`archive_to_file`
//!   vs `curl -o`, token minted beforehand with `lablink token`);
//! - copy: `POST …/extract` of a ≈300 MiB snapshot zip streamed from a file
//!   (`extract_from_file` vs `curl -T`);
//! - PHP's `memory_get_peak_usage(true)` and the PHP process's peak RSS in each;
//! - legacy: the largest zip the noto-legacy `/zfs` (base64 inside JSON) still decodes at
//!   `memory_limit` 128M and 256M (found by bisection on incompressible zips).
//!
//! Each timed run is a whole process (PHP or curl), five runs each, alternating which goes
//! first, after a `sync`. A run's ratio compares its PHP transfer with the curl transfer right
//! beside it, and the ratio reported is the median of those: on a shared machine whose load
//! drifts, neighbours in time compare better than two medians taken apart. Results:
//! `bench/results/moodle.json` (flat) and `moodle.md`.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail, ensure};
use serde_json::{Map, Value, json};

use crate::bench_files::workspace::{TreeStats, ensure_workspace, warm_up};
use crate::bench_files::{loadavg, median, nproc, remove_dir, remove_file, settle, shell_line};
use crate::util::{self, ChildGuard, cargo, step};

const HOME: &str = "bench";
const KID: &str = "moodle-bench";
const SECRET: &str = "lablink moodle-bench-only HS256 secret";
const LEGACY_USER: &str = "moodle-bench-legacy";
const LEGACY_SECRET: &str = "lablink moodle-bench-only legacy secret";
const RUNS: usize = 5;
/// The snapshot a student copies: the workspace's `data/` folder, zipped by the server.
const SNAPSHOT_FOLDER: &str = "ws/data";
const COPY_NAME: &str = "moodle-copy";
const PROBE_FOLDER: &str = "legacy-probe";
const MIB: f64 = 1024.0 * 1024.0;
/// Targets of the issue: PHP peak memory and wall time against curl's.
const PEAK_TARGET_MIB: f64 = 32.0;
const RATIO_TARGET: f64 = 1.2;

pub fn run(root: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    crate::php::require("php", &["-v"])?;
    let curl = Command::new("curl").arg("--version").stdout(Stdio::null()).status();
    ensure!(curl.is_ok_and(|s| s.success()), "`curl` is needed (apt-get install curl)");
    let work = root.join("bench/work");
    let home = work.join("homes").join(HOME);
    let ws = home.join("ws");
    let script = root.join("lms-plugin/tests/bench/moodle_bench.php");

    step("synthetic workspace (shared with `cargo xtask bench files`)");
    let generation_s = ensure_workspace(&work, &ws)?;
    let tree = TreeStats::of(&ws)?;

    step("release build of the server");
    let revision = shell_line("git", &["-C", &root.to_string_lossy(), "describe", "--always", "--dirty"]);
    util::run(cargo(root).args(["build", "--release", "-p", "lablink"]))?;
    let bin = crate::php::lablink_bin(root, "release");
    ensure!(bin.is_file(), "{} was not built", bin.display());

    let out = Outputs { work: work.clone(), home: home.clone() };
    out.clean()?;
    step("warm-up read of the workspace");
    warm_up(&ws)?;

    let mut r = Map::new();
    let mut put = |k: &str, v: f64| {
        r.insert(k.to_owned(), json!(v));
    };
    put("workspace_bytes", tree.bytes as f64);
    put("workspace_files", tree.files as f64);
    put("workspace_reused", if generation_s.is_none() { 1.0 } else { 0.0 });
    put("runs", RUNS as f64);
    put("nproc", nproc() as f64);
    put("loadavg_1m_start", loadavg());

    let server = Server::start(&bin, &work)?;
    let measured = measure(&server, &script, &out, &mut put);
    drop(server);
    let cleaned = out.clean();
    measured?;
    cleaned?;
    put("loadavg_1m_end", loadavg());
    put("bench_total_s", started.elapsed().as_secs_f64());

    let results = root.join("bench/results");
    fs::create_dir_all(&results)?;
    fs::write(results.join("moodle.json"), serde_json::to_string_pretty(&Value::Object(r.clone()))? + "\n")?;
    let md = markdown(&r, &revision);
    fs::write(results.join("moodle.md"), &md)?;
    step(&format!("results written to {}", results.display()));
    println!("{md}");
    Ok(())
}

/// What the runs write, all on the workspace's disk; removed before and after.
struct Outputs {
    work: PathBuf,
    home: PathBuf,
}

impl Outputs {
    fn file(&self, name: &str) -> PathBuf {
        self.work.join(name)
    }

    fn clean(&self) -> anyhow::Result<()> {
        for name in ["moodle-php.zip", "moodle-curl.zip", "moodle-snapshot.zip", "moodle-legacy.zip"] {
            remove_file(&self.file(name))?;
        }
        remove_dir(&self.home.join(PROBE_FOLDER))?;
        if self.home.is_dir() {
            for entry in fs::read_dir(&self.home)? {
                let entry = entry?;
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with(COPY_NAME) || name.starts_with(".lablink-") {
                    remove_dir(&entry.path())?;
                }
            }
        }
        Ok(())
    }
}

fn measure(
    server: &Server,
    script: &Path,
    out: &Outputs,
    put: &mut impl FnMut(&str, f64),
) -> anyhow::Result<()> {
    let php = |args: &[&str], limit: &str| -> anyhow::Result<(f64, Value)> {
        let t = Instant::now();
        let output = Command::new("php")
            .args(["-d", &format!("memory_limit={limit}")])
            .arg(script)
            .args(args)
            .stderr(Stdio::inherit())
            .output()?;
        let s = t.elapsed().as_secs_f64();
        let text = String::from_utf8_lossy(&output.stdout);
        let reply: Value = serde_json::from_str(text.lines().last().unwrap_or("")).unwrap_or(Value::Null);
        Ok((s, reply))
    };
    let ok = |reply: &Value, what: &str| -> anyhow::Result<()> {
        ensure!(reply["ok"] == json!(true), "{what} failed: {reply}");
        Ok(())
    };
    let common = [server.base.as_str(), KID, SECRET, HOME];

    step(&format!("submit: PHP archive_to_file vs curl -o of the whole workspace, {RUNS} runs each"));
    let (php_zip, curl_zip) = (out.file("moodle-php.zip"), out.file("moodle-curl.zip"));
    let (mut php_s, mut curl_s, mut php_inner_s) = (Vec::new(), Vec::new(), Vec::new());
    let (mut peak, mut rss, mut zip_bytes): (f64, f64, u64) = (0.0, 0.0, 0);
    for i in 0..RUNS {
        for ours in [i % 2 == 0, i % 2 == 1] {
            remove_file(&php_zip)?;
            remove_file(&curl_zip)?;
            settle()?;
            if ours {
                let dest = php_zip.to_string_lossy();
                let (s, reply) = php(&[&["submit"], &common[..], &["ws", &dest]].concat(), "128M")?;
                ok(&reply, "the PHP submit")?;
                let bytes = fs::metadata(&php_zip)?.len();
                ensure!(
                    reply["bytes"].as_u64() == Some(bytes),
                    "PHP reported {} bytes, wrote {bytes}",
                    reply["bytes"]
                );
                zip_bytes = bytes;
                php_s.push(s);
                php_inner_s.push(reply["seconds"].as_f64().unwrap_or(0.0));
                peak = peak.max(reply["peak_bytes"].as_f64().unwrap_or(0.0));
                rss = rss.max(reply["maxrss_kib"].as_f64().unwrap_or(0.0) * 1024.0);
            } else {
                let token = server.token("GET", "archive", "read")?;
                let t = Instant::now();
                util::run(Command::new("curl").args(["-sS", "-f", "-o"]).arg(&curl_zip).args([
                    "-H",
                    &format!("Authorization: Bearer {token}"),
                    &format!("{}/v2/homes/{HOME}/archive?path=ws", server.base),
                ]))?;
                curl_s.push(t.elapsed().as_secs_f64());
            }
        }
        eprintln!("run {}: PHP {:.2} s, curl {:.2} s", i + 1, php_s[i], curl_s[i]);
    }
    let curl_bytes = fs::metadata(&curl_zip)?.len();
    ensure!(curl_bytes == zip_bytes, "curl got {curl_bytes} bytes, PHP {zip_bytes}: not the same transfer");
    remove_file(&php_zip)?;
    remove_file(&curl_zip)?;
    put("submit_zip_bytes", zip_bytes as f64);
    put("submit_php_s", median(&php_s));
    put("submit_php_inner_s", median(&php_inner_s));
    put("submit_curl_s", median(&curl_s));
    put("submit_vs_curl_ratio", median_ratio(&php_s, &curl_s));
    put("submit_vs_curl_ratio_of_medians", median(&php_s) / median(&curl_s));
    put("submit_1g_php_peak_mib", peak / MIB);
    put("submit_php_rss_mib", rss / MIB);

    step("copy: the snapshot zip (the workspace's data/ folder, zipped by the server)");
    let snapshot = out.file("moodle-snapshot.zip");
    let token = server.token("GET", "archive", "read")?;
    util::run(Command::new("curl").args(["-sS", "-f", "-o"]).arg(&snapshot).args([
        "-H",
        &format!("Authorization: Bearer {token}"),
        &format!("{}/v2/homes/{HOME}/archive?path={SNAPSHOT_FOLDER}", server.base),
    ]))?;
    let snapshot_bytes = fs::metadata(&snapshot)?.len();
    put("copy_zip_bytes", snapshot_bytes as f64);
    eprintln!("snapshot: {:.1} MiB", snapshot_bytes as f64 / MIB);

    step(&format!("copy: PHP extract_from_file vs curl -T of the snapshot, {RUNS} runs each"));
    let (mut php_s, mut curl_s, mut php_inner_s) = (Vec::new(), Vec::new(), Vec::new());
    let (mut peak, mut rss): (f64, f64) = (0.0, 0.0);
    let src = snapshot.to_string_lossy().into_owned();
    for i in 0..RUNS {
        for ours in [i % 2 == 0, i % 2 == 1] {
            settle()?;
            let landed = if ours {
                let (s, reply) =
                    php(&[&["copy"], &common[..], &[&format!("/{COPY_NAME}"), &src]].concat(), "128M")?;
                ok(&reply, "the PHP copy")?;
                php_s.push(s);
                php_inner_s.push(reply["seconds"].as_f64().unwrap_or(0.0));
                peak = peak.max(reply["peak_bytes"].as_f64().unwrap_or(0.0));
                rss = rss.max(reply["maxrss_kib"].as_f64().unwrap_or(0.0) * 1024.0);
                reply["path"].as_str().unwrap_or("").trim_start_matches('/').to_owned()
            } else {
                let token = server.token("POST", "extract", "read write")?;
                let t = Instant::now();
                let output = Command::new("curl")
                    .args(["-sS", "-f", "-X", "POST", "-T", &src, "-H", "Content-Type: application/zip"])
                    .args(["-H", &format!("Authorization: Bearer {token}")])
                    .arg(format!("{}/v2/homes/{HOME}/extract?path={COPY_NAME}", server.base))
                    .output()?;
                curl_s.push(t.elapsed().as_secs_f64());
                ensure!(
                    output.status.success(),
                    "curl extract failed: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
                let reply: Value = serde_json::from_slice(&output.stdout)?;
                reply["path"].as_str().unwrap_or("").to_owned()
            };
            ensure!(landed.starts_with(COPY_NAME), "the copy landed at `{landed}`");
            let copy = out.home.join(&landed);
            ensure!(copy.join("csv").is_dir(), "the copy at {} lacks its files", copy.display());
            remove_dir(&copy)?;
        }
        eprintln!("run {}: PHP {:.2} s, curl {:.2} s", i + 1, php_s[i], curl_s[i]);
    }
    put("copy_php_s", median(&php_s));
    put("copy_php_inner_s", median(&php_inner_s));
    put("copy_curl_s", median(&curl_s));
    put("copy_vs_curl_ratio", median_ratio(&php_s, &curl_s));
    put("copy_vs_curl_ratio_of_medians", median(&php_s) / median(&curl_s));
    put("copy_php_peak_mib", peak / MIB);
    put("copy_php_rss_mib", rss / MIB);
    remove_file(&snapshot)?;

    step("legacy /zfs: the largest incompressible zip PHP still decodes, at memory_limit 128M and 256M");
    let probe = out.home.join(PROBE_FOLDER);
    fs::create_dir_all(&probe)?;
    let legacy_zip = out.file("moodle-legacy.zip");
    let dest = legacy_zip.to_string_lossy().into_owned();
    for limit in [128u64, 256] {
        // Fits at `lo` MiB of file, not at `hi` (bisected to 2 MiB).
        let (mut lo, mut hi) = (0u64, limit);
        let mut fits_zip: u64 = 0;
        while hi - lo > 2 {
            let mid = (lo + hi) / 2;
            random_file(&probe.join("blob.bin"), mid << 20)?;
            let folder = format!("/{PROBE_FOLDER}");
            let args = ["legacy-submit", &server.base, LEGACY_USER, LEGACY_SECRET, HOME, &folder, &dest];
            let (_, reply) = php(&args, &format!("{limit}M"))?;
            remove_file(&legacy_zip)?;
            if reply["ok"] == json!(true) {
                lo = mid;
                fits_zip = reply["bytes"].as_u64().unwrap_or(0);
            } else if reply.is_null() {
                hi = mid; // PHP's fatal "Allowed memory size exhausted"
            } else {
                bail!("the legacy probe failed otherwise: {reply}");
            }
            eprintln!(
                "memory_limit {limit}M, {mid} MiB: {}",
                if lo == mid { "fits" } else { "out of memory" }
            );
        }
        put(&format!("legacy_max_zip_mib_at_{limit}m"), fits_zip as f64 / MIB);
    }
    remove_dir(&probe)?;
    Ok(())
}

/// The median of each run's PHP time over the curl time beside it.
fn median_ratio(php: &[f64], curl: &[f64]) -> f64 {
    let ratios: Vec<f64> = php.iter().zip(curl).map(|(p, c)| p / c).collect();
    median(&ratios)
}

/// `size` bytes from /dev/urandom: a zip of it is as large as it is.
fn random_file(path: &Path, size: u64) -> anyhow::Result<()> {
    let mut src = File::open("/dev/urandom")?.take(size);
    let mut dst = File::create(path)?;
    std::io::copy(&mut src, &mut dst)?;
    dst.flush()?;
    Ok(())
}

/// The `lablink files` this bench started, with one v2 and one legacy key.
struct Server {
    _child: ChildGuard,
    bin: PathBuf,
    config: PathBuf,
    base: String,
}

impl Server {
    fn start(bin: &Path, work: &Path) -> anyhow::Result<Self> {
        step("starting lablink files");
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let config = work.join("moodle-files.toml");
        let homes = work.join("homes");
        let big = 8u64 << 30;
        fs::write(
            &config,
            format!(
                "[files]\nhomes = {}\nlisten = \"127.0.0.1:{port}\"\n\n[[files.v2_keys]]\nkid = \"{KID}\"\n\
                 secret = \"{SECRET}\"\n\n[[files.legacy_keys]]\nuser = \"{LEGACY_USER}\"\nsecret = \"{LEGACY_SECRET}\"\n\n\
                 [files.limits]\nmax_upload_bytes = {big}\nmax_uncompressed_bytes = {big}\nmax_entries = 1000000\n\
                 max_legacy_zip_bytes = {big}\n",
                serde_json::to_string(homes.to_str().context("the bench folder's path is not UTF-8")?)?,
            ),
        )?;
        let log = File::create(work.join("moodle-server.log"))?;
        let mut cmd = Command::new(bin);
        cmd.args(["files", "--config"]).arg(&config).stdin(Stdio::null()).stdout(Stdio::null()).stderr(log);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("LABLINK_") {
                cmd.env_remove(name);
            }
        }
        let mut child = ChildGuard(cmd.spawn().with_context(|| format!("starting {}", bin.display()))?);
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + std::time::Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = child.0.try_wait()? {
                bail!(
                    "the server exited at start ({status}); see {}",
                    work.join("moodle-server.log").display()
                );
            }
            ensure!(Instant::now() < deadline, "the server did not come up in 30 s");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Ok(Self { _child: child, bin: bin.to_path_buf(), config, base })
    }

    /// A v2 token for one request on the bench home, minted by `lablink token` as a script would.
    fn token(&self, method: &str, route: &str, scope: &str) -> anyhow::Result<String> {
        let output = Command::new(&self.bin)
            .args(["token", "--config"])
            .arg(&self.config)
            .args(["--home", HOME, "--method", method, "--scope", scope, "--path"])
            .arg(format!("/v2/homes/{HOME}/{route}"))
            .output()?;
        ensure!(output.status.success(), "lablink token failed: {}", String::from_utf8_lossy(&output.stderr));
        Ok(String::from_utf8(output.stdout)?.trim().to_owned())
    }
}

fn markdown(r: &Map<String, Value>, revision: &str) -> String {
    let v = |k: &str| r.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let met = |ok: bool| if ok { "yes" } else { "**no**" };
    let when = shell_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let php = shell_line("php", &["-r", "echo PHP_VERSION;"]);
    let curl = shell_line("curl", &["--version"]);
    let curl = curl.split_whitespace().take(2).collect::<Vec<_>>().join(" ");
    let mut md = format!(
        "Measured {when} (server built from `{revision}`, release) with PHP {php} and {curl}, `nproc` = {}, \
         1-minute load average {:.1} at the start and {:.1} at the end (the machine is shared with other \
         builds). {} whole-process runs each (PHP script or curl), alternating which goes first, each after a \
         `sync`; times are medians, a ratio is the median of each run's PHP time over the curl time beside \
         it.\n\n",
        v("nproc"),
        v("loadavg_1m_start"),
        v("loadavg_1m_end"),
        v("runs"),
    );
    md.push_str("| metric | value | target | met? |\n|---|---:|---:|:---:|\n");
    let rows = [
        ("PHP peak memory, submit of the ≈1 GiB workspace", "submit_1g_php_peak_mib", PEAK_TARGET_MIB, "MiB"),
        ("submit time vs curl (PHP s ÷ curl s)", "submit_vs_curl_ratio", RATIO_TARGET, "×"),
        ("PHP peak memory, copy of the snapshot", "copy_php_peak_mib", PEAK_TARGET_MIB, "MiB"),
        ("copy time vs curl (PHP s ÷ curl s)", "copy_vs_curl_ratio", RATIO_TARGET, "×"),
    ];
    for (label, key, target, unit) in rows {
        md.push_str(&format!(
            "| {label} | {:.2} {unit} | ≤ {target:.1} {unit} | {} |\n",
            v(key),
            met(v(key) <= target)
        ));
    }
    md.push_str(&format!(
        "| legacy `/zfs`: largest zip that fits, `memory_limit` 128M | {:.0} MiB | — | — |\n\
         | legacy `/zfs`: largest zip that fits, `memory_limit` 256M | {:.0} MiB | — | — |\n\n",
        v("legacy_max_zip_mib_at_128m"),
        v("legacy_max_zip_mib_at_256m"),
    ));
    md.push_str(&format!(
        "Submit: the workspace ({} files, {:.2} GiB on disk) as a {:.0} MiB zip streamed into a file: PHP {:.2} s \
         (of which {:.2} s inside the client call) vs curl {:.2} s (ratio of the medians {:.2}); the PHP process's \
         peak RSS {:.1} MiB. \
         Copy: a {:.0} MiB snapshot zip (the workspace's `data/`, zipped by the server) streamed to `extract`: \
         PHP {:.2} s ({:.2} s in the call) vs curl {:.2} s (ratio of the medians {:.2}); peak RSS {:.1} MiB. PHP ran the plugin's own classes \
         (`client_v2` over `curl_transport`, `lms-plugin/tests/bench/moodle_bench.php`) at `memory_limit=128M`; \
         curl used a token minted beforehand by `lablink token`. Each PHP zip has the size curl's has.\n\n",
        v("workspace_files"),
        v("workspace_bytes") / MIB / 1024.0,
        v("submit_zip_bytes") / MIB,
        v("submit_php_s"),
        v("submit_php_inner_s"),
        v("submit_curl_s"),
        v("submit_vs_curl_ratio_of_medians"),
        v("submit_php_rss_mib"),
        v("copy_zip_bytes") / MIB,
        v("copy_php_s"),
        v("copy_php_inner_s"),
        v("copy_curl_s"),
        v("copy_vs_curl_ratio_of_medians"),
        v("copy_php_rss_mib"),
    ));
    md.push_str(
        "Legacy: `/zfs` sends the zip base64-encoded inside a JSON string inside the envelope, so PHP must hold \
         the payload text and the decoded blob at once (about 2.7 × the zip); the reply is streamed to a \
         temporary file first, so only decoding needs the memory. Figures bisected to 2 MiB on incompressible \
         zips; beyond them PHP stops with \"Allowed memory size exhausted\". Full figures: `moodle.json`.\n",
    );
    md
}
