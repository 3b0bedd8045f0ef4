//! `cargo xtask bench files`: the file server against Debian's `zip`/`unzip`, in one run, on the
//! same synthetic workspace (≈1 GiB, generated once under `bench/work`, git-ignored).
//!
//! Measured, each as the median of three runs on a warm page cache:
//! - `zip -r -1 -q` of the workspace vs our `GET …/archive` written to a file on the same disk;
//! - `unzip -q` of that zip vs our `POST …/extract` uploading the very same zip;
//! - the server's peak RSS (`VmHWM`, reset through `clear_refs` before each phase) during one
//!   archive, one extract and twenty concurrent archives;
//! - client-side latency of listing the 10,000-entry folder, 200 sequential requests.
//!
//! Results: `bench/results/files.json` (a flat object of numbers) and `bench/results/files.md`.

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Barrier;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail, ensure};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use lablink_protocol::files::{EntriesPage, ExtractResult, TokenClaims};
use serde_json::{Map, Value, json};

use crate::util::{self, cargo, step};

/// Change when the generator changes: the workspace is rebuilt when the marker differs.
const WORKSPACE_VERSION: &str = "lablink bench files workspace v1";
const HOME: &str = "bench";
const KID: &str = "bench";
const SECRET: &str = "lablink bench-only HS256 secret";
/// Runs of each timed operation; the median is reported.
const RUNS: usize = 3;
const CONCURRENT: usize = 20;
const LIST_REQUESTS: usize = 200;
const MANY_FILES: usize = 10_000;
/// Folders the server leaves out of archives by default (and `zip` is told to leave out).
const CACHE_FOLDERS: [&str; 2] = [".ipynb_checkpoints", "__pycache__"];
/// Extensions the generator fills with random bytes.
const INCOMPRESSIBLE: [&str; 5] = ["png", "npz", "zip", "npy", "bin"];
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
    measured?;
    let _ = outputs.clean();

    put("bench_total_s", started.elapsed().as_secs_f64());
    let results = root.join("bench/results");
    fs::create_dir_all(&results)?;
    let json_text = serde_json::to_string_pretty(&Value::Object(r.clone()))?;
    fs::write(results.join("files.json"), json_text + "\n")?;
    let md = markdown(&r, tree.excluded_files, &revision);
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
    unzip_dir: PathBuf,
    home: PathBuf,
    extract_name: &'static str,
}

impl Outputs {
    fn new(work: &Path, home: &Path) -> Self {
        Self {
            zip: work.join("zip-1.zip"),
            ours: work.join("lablink.zip"),
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

fn measure(
    server: &Server,
    tree: &TreeStats,
    out: &Outputs,
    put: &mut impl FnMut(&str, f64),
) -> anyhow::Result<()> {
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
                cmd.args(["-x", "*/.ipynb_checkpoints/*", "*/__pycache__/*"]);
                let s = timed(|| util::run(&mut cmd))?;
                eprintln!("run {}: zip  {s:6.2} s", i + 1);
                zip_s.push(s);
            }
        }
    }
    let zip_bytes = fs::metadata(&out.zip)?.len();

    step("checking our archive (unzip -tq, entry count)");
    util::run(Command::new("unzip").arg("-tq").arg(&out.ours))?;
    let listing = Command::new("unzip").arg("-Z1").arg(&out.ours).output()?;
    ensure!(listing.status.success(), "unzip -Z1 failed on our archive");
    let files_in_archive =
        String::from_utf8_lossy(&listing.stdout).lines().filter(|l| !l.ends_with('/')).count() as u64;
    ensure!(
        files_in_archive == archived_files,
        "our archive holds {files_in_archive} files, the workspace {archived_files} (caches left out)"
    );
    eprintln!("ok: {files_in_archive} files");
    remove_file(&out.ours)?;

    step(&format!("extract: unzip -q vs POST extract of the same zip -1 archive, {RUNS} runs each"));
    let (mut unzip_s, mut extract_s) = (Vec::new(), Vec::new());
    let mut extract_peak: f64 = 0.0;
    for i in 0..RUNS {
        for ours in [i % 2 == 1, i % 2 == 0] {
            if ours {
                settle()?;
                server.reset_peak()?;
                let mut result = None;
                let s = timed(|| {
                    result = Some(server.extract(&out.zip, out.extract_name)?);
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

    let (zip_m, archive_m) = (median(&zip_s), median(&archive_s));
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
    Ok(())
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

// ---------------------------------------------------------------------------------------------
// The server under test

/// The `lablink files` process this bench started; killed (by its PID) when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    base: String,
    client: reqwest::blocking::Client,
}

impl Server {
    fn start(bin: &Path, work: &Path) -> anyhow::Result<Self> {
        step("starting lablink files");
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let config = work.join("files.toml");
        let homes = work.join("homes");
        let homes = homes.to_str().context("the bench folder's path is not UTF-8")?;
        fs::write(
            &config,
            format!(
                "homes = {}\nlisten = \"127.0.0.1:{port}\"\n\n[[v2_keys]]\nkid = \"{KID}\"\nsecret = \"{SECRET}\"\n\n\
                 [limits]\nmax_upload_bytes = {big}\nmax_uncompressed_bytes = {big}\nmax_entries = 1000000\n",
                serde_json::to_string(homes)?,
                big = 8u64 << 30,
            ),
        )?;
        let log = File::create(work.join("server.log"))?;
        let mut cmd = Command::new(bin);
        cmd.args(["files", "--config"]).arg(&config);
        cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(log);
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("LABLINK_") {
                cmd.env_remove(name);
            }
        }
        let child = cmd.spawn().with_context(|| format!("starting {}", bin.display()))?;
        let client = reqwest::blocking::Client::builder().no_proxy().timeout(None::<Duration>).build()?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let mut server = Self { child, addr, base: format!("http://{addr}"), client };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = server.child.try_wait()? {
                bail!("the server exited at start ({status}); see {}", work.join("server.log").display());
            }
            let health = server
                .client
                .get(format!("{}/v2/health", server.base))
                .timeout(Duration::from_secs(2))
                .send();
            if health.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            ensure!(Instant::now() < deadline, "the server did not answer /v2/health within 30 s");
            std::thread::sleep(Duration::from_millis(100));
        }
        eprintln!("pid {} on {}", server.child.id(), server.base);
        Ok(server)
    }

    /// The path (what a token is bound to) and the full URL of a route of the bench home.
    fn route(&self, route: &str, query: &str) -> (String, String) {
        let path = format!("/v2/homes/{HOME}/{route}");
        let url = format!("{}{path}?{query}", self.base);
        (path, url)
    }

    fn get(&self, route: &str, query: &str) -> anyhow::Result<reqwest::blocking::Response> {
        let (path, url) = self.route(route, query);
        let resp = self.client.get(url).bearer_auth(token("GET", &path, "read")?).send()?;
        checked(resp)
    }

    /// Streams a GET of `route` into `to`; returns the body's length.
    fn download(&self, route: &str, query: &str, to: &mut impl Write) -> anyhow::Result<u64> {
        let mut reply = self.raw("GET", route, query, None)?;
        if !(200..300).contains(&reply.status) {
            let mut text = String::new();
            let _ = reply.body.read_to_string(&mut text);
            bail!("the server answered {}: {text}", reply.status);
        }
        Ok(drain(&mut reply.body, to)?)
    }

    /// Uploads `zip` (streamed from the file) to be unpacked at `target` in the bench home.
    fn extract(&self, zip: &Path, target: &str) -> anyhow::Result<ExtractResult> {
        let query = format!("path={target}&on_conflict=fail");
        let mut reply = self.raw("POST", "extract", &query, Some(zip))?;
        let mut text = String::new();
        reply.body.read_to_string(&mut text)?;
        ensure!((200..300).contains(&reply.status), "the server answered {}: {text}", reply.status);
        Ok(serde_json::from_str(&text)?)
    }

    /// One request over a fresh connection, written by hand; every timed request goes this way.
    /// reqwest's blocking client sends a request body in 8 KiB pieces (which made extracts look
    /// twice as slow as with curl), and built in the dev profile, as xtask is, it adds client CPU
    /// to what is measured on a small machine. Here an upload goes out with one `io::copy`
    /// (sendfile) and a response is read through a 1 MiB buffer.
    fn raw(&self, method: &str, route: &str, query: &str, upload: Option<&Path>) -> anyhow::Result<Reply> {
        let (path, _) = self.route(route, query);
        let scope = if upload.is_some() { "read write" } else { "read" };
        let mut head = format!(
            "{method} {path}?{query} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\nConnection: close\r\n",
            self.addr,
            token(method, &path, scope)?
        );
        let file = match upload {
            Some(zip) => {
                let file = File::open(zip).with_context(|| format!("opening {}", zip.display()))?;
                let len = file.metadata()?.len();
                head.push_str(&format!("Content-Type: application/zip\r\nContent-Length: {len}\r\n"));
                Some(file)
            }
            None => None,
        };
        head.push_str("\r\n");
        let mut stream = TcpStream::connect(self.addr)?;
        stream.set_nodelay(true)?;
        stream.write_all(head.as_bytes())?;
        let sent = match file {
            Some(mut file) => io::copy(&mut file, &mut stream).map(drop),
            None => Ok(()),
        };
        // A server may answer (with an error) before it has taken the whole body.
        match (read_reply(stream), sent) {
            (Ok(reply), _) => Ok(reply),
            (Err(_), Err(send_error)) => Err(send_error).context("sending the request body"),
            (Err(e), Ok(())) => Err(e),
        }
    }

    fn status_kib(&self, field: &str) -> anyhow::Result<u64> {
        let status = fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .with_context(|| format!("no {field} in /proc/<pid>/status"))
    }

    /// Resets the peak RSS (VmHWM) to the current RSS.
    fn reset_peak(&self) -> anyhow::Result<()> {
        fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5")
            .context("resetting the peak RSS through /proc/<pid>/clear_refs")
    }

    fn peak_mib(&self) -> anyhow::Result<f64> {
        Ok(self.status_kib("VmHWM")? as f64 / 1024.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn checked(resp: reqwest::blocking::Response) -> anyhow::Result<reqwest::blocking::Response> {
    if resp.status().is_success() {
        return Ok(resp);
    }
    let status = resp.status();
    let body = resp.text().unwrap_or_default();
    bail!("the server answered {status}: {body}")
}

/// A response read by hand: status, then the body as a reader.
struct Reply {
    status: u16,
    body: BodyReader,
}

fn read_reply(stream: TcpStream) -> anyhow::Result<Reply> {
    let mut inner = BufReader::with_capacity(1 << 20, stream);
    let mut line = String::new();
    inner.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("not an HTTP status line: {line:?}"))?;
    let mut framing = Framing::UntilClose;
    loop {
        line.clear();
        ensure!(inner.read_line(&mut line)? > 0, "the connection closed inside the response head");
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                framing = Framing::Length(value.parse().context("bad Content-Length")?);
            } else if name.eq_ignore_ascii_case("transfer-encoding") && value.eq_ignore_ascii_case("chunked")
            {
                framing = Framing::Chunked(0);
            }
        }
    }
    Ok(Reply { status, body: BodyReader { inner, framing } })
}

enum Framing {
    Length(u64),
    /// Bytes left in the current chunk; 0: a chunk-size line comes next.
    Chunked(u64),
    UntilClose,
    Done,
}

/// A response body: `Content-Length`, chunked, or up to the end of the connection.
struct BodyReader {
    inner: BufReader<TcpStream>,
    framing: Framing,
}

impl Read for BodyReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let eof = || io::Error::new(io::ErrorKind::UnexpectedEof, "the response body was cut short");
        if buf.is_empty() {
            return Ok(0);
        }
        let room = buf.len() as u64;
        loop {
            match self.framing {
                Framing::Done | Framing::Length(0) => return Ok(0),
                Framing::UntilClose => return self.inner.read(buf),
                Framing::Length(left) => {
                    let n = self.inner.read(&mut buf[..left.min(room) as usize])?;
                    if n == 0 {
                        return Err(eof());
                    }
                    self.framing = Framing::Length(left - n as u64);
                    return Ok(n);
                }
                Framing::Chunked(0) => {
                    let mut line = String::new();
                    if self.inner.read_line(&mut line)? == 0 {
                        return Err(eof());
                    }
                    let size = line.trim().split(';').next().unwrap_or("").trim();
                    let size = u64::from_str_radix(size, 16)
                        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad chunk size"))?;
                    if size > 0 {
                        self.framing = Framing::Chunked(size);
                        continue;
                    }
                    // The last chunk: skip trailers up to the empty line.
                    loop {
                        line.clear();
                        if self.inner.read_line(&mut line)? == 0 || line.trim().is_empty() {
                            break;
                        }
                    }
                    self.framing = Framing::Done;
                    return Ok(0);
                }
                Framing::Chunked(left) => {
                    let n = self.inner.read(&mut buf[..left.min(room) as usize])?;
                    if n == 0 {
                        return Err(eof());
                    }
                    let left = left - n as u64;
                    if left == 0 {
                        let mut crlf = [0u8; 2];
                        self.inner.read_exact(&mut crlf)?;
                        if &crlf != b"\r\n" {
                            return Err(io::Error::new(io::ErrorKind::InvalidData, "bad chunk end"));
                        }
                    }
                    self.framing = Framing::Chunked(left);
                    return Ok(n);
                }
            }
        }
    }
}

/// Copies `from` to `to` through a 1 MiB buffer; returns the bytes copied.
fn drain(from: &mut impl Read, to: &mut impl Write) -> io::Result<u64> {
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        to.write_all(&buf[..n])?;
        total += n as u64;
    }
}

/// Flushes dirty pages (nothing is dropped from the page cache) so that every timed run starts
/// with no writeback of an earlier one pending.
fn settle() -> anyhow::Result<()> {
    util::run(&mut Command::new("sync"))
}

/// A fresh single-use v2 token for one request.
fn token(method: &str, path: &str, scope: &str) -> anyhow::Result<String> {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?;
    let iat = now.as_secs() as i64;
    let claims = TokenClaims {
        iss: "lablink-bench".into(),
        sub: HOME.into(),
        scope: scope.into(),
        htm: method.into(),
        htu: path.into(),
        iat,
        exp: iat + 60,
        jti: format!("{}-{}-{}", std::process::id(), now.as_nanos(), SEQ.fetch_add(1, Ordering::Relaxed)),
    };
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(KID.into());
    Ok(jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(SECRET.as_bytes()))?)
}

// ---------------------------------------------------------------------------------------------
// Measuring helpers

fn timed(f: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<f64> {
    let t = Instant::now();
    f()?;
    Ok(t.elapsed().as_secs_f64())
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn remove_file(path: &Path) -> anyhow::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            Err(e).context(format!("removing {}", path.display()))
        }
        _ => Ok(()),
    }
}

fn remove_dir(path: &Path) -> anyhow::Result<()> {
    match fs::remove_dir_all(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            Err(e).context(format!("removing {}", path.display()))
        }
        _ => Ok(()),
    }
}

/// Reads every file once so that both sides start from a warm page cache.
fn warm_up(dir: &Path) -> anyhow::Result<u64> {
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d)? {
            let entry = entry?;
            let ft = entry.file_type()?;
            if ft.is_dir() {
                stack.push(entry.path());
            } else if ft.is_file() {
                let mut f = File::open(entry.path())?;
                loop {
                    let n = f.read(&mut buf)?;
                    if n == 0 {
                        break;
                    }
                    total += n as u64;
                }
            }
        }
    }
    Ok(total)
}

#[derive(Debug, Default)]
struct TreeStats {
    files: u64,
    folders: u64,
    bytes: u64,
    /// Files (and their bytes) below `.ipynb_checkpoints` or `__pycache__`.
    excluded_files: u64,
    excluded_bytes: u64,
    incompressible_bytes: u64,
    /// Of those, bytes under names that do not say "compressed" (`.npy`, `.bin`).
    incompressible_unnamed_bytes: u64,
}

impl TreeStats {
    fn of(dir: &Path) -> anyhow::Result<Self> {
        let mut stats = Self::default();
        let mut stack = vec![(dir.to_path_buf(), false)];
        while let Some((d, in_cache)) = stack.pop() {
            for entry in fs::read_dir(&d).with_context(|| format!("listing {}", d.display()))? {
                let entry = entry?;
                let meta = entry.metadata()?;
                if meta.is_dir() {
                    stats.folders += 1;
                    let cache = CACHE_FOLDERS.iter().any(|c| entry.file_name() == *c);
                    stack.push((entry.path(), in_cache || cache));
                } else if meta.is_file() {
                    stats.files += 1;
                    stats.bytes += meta.len();
                    if in_cache {
                        stats.excluded_files += 1;
                        stats.excluded_bytes += meta.len();
                    }
                    let path = entry.path();
                    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
                    if INCOMPRESSIBLE.contains(&ext) {
                        stats.incompressible_bytes += meta.len();
                        if ["npy", "bin"].contains(&ext) {
                            stats.incompressible_unnamed_bytes += meta.len();
                        }
                    }
                }
            }
        }
        Ok(stats)
    }
}

fn nproc() -> usize {
    Command::new("nproc")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// One-minute load average (-1 when unknown): the machine may be shared.
fn loadavg() -> f64 {
    fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(-1.0)
}

fn shell_line(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Report

struct Target {
    key: &'static str,
    label: &'static str,
    unit: &'static str,
    /// `Some((bound, higher_is_better))`.
    bound: Option<(f64, bool)>,
}

const TARGETS: [Target; 8] = [
    Target {
        key: "archive_ratio_vs_zip",
        label: "archive speed vs `zip -r -1 -q` (zip s ÷ our s)",
        unit: "×",
        bound: Some((1.5, true)),
    },
    Target {
        key: "extract_ratio_vs_unzip",
        label: "extract speed vs `unzip -q` (unzip s ÷ our s)",
        unit: "×",
        bound: Some((1.0, true)),
    },
    Target {
        key: "archive_peak_rss_mib",
        label: "server peak RSS, one archive",
        unit: "MiB",
        bound: Some((64.0, false)),
    },
    Target {
        key: "extract_peak_rss_mib",
        label: "server peak RSS, one extract",
        unit: "MiB",
        bound: Some((64.0, false)),
    },
    Target {
        key: "concurrent20_peak_rss_mib",
        label: "server peak RSS, 20 concurrent archives",
        unit: "MiB",
        bound: Some((128.0, false)),
    },
    Target {
        key: "list10k_p50_ms",
        label: "list 10,000 entries, p50",
        unit: "ms",
        bound: Some((20.0, false)),
    },
    Target { key: "list10k_p99_ms", label: "list 10,000 entries, p99", unit: "ms", bound: None },
    Target {
        key: "list10k_first_page500_p50_ms",
        label: "first page (500) of the 10,000-entry folder, p50",
        unit: "ms",
        bound: None,
    },
];

fn markdown(r: &Map<String, Value>, excluded_files: u64, revision: &str) -> String {
    let n = |k: &str| r.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let date = shell_line("date", &["-u", "+%Y-%m-%d %H:%M UTC"]);
    let kernel = shell_line("uname", &["-sr"]);
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find_map(|l| {
                l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mut md = format!(
        "Measured {date} (server built from `{revision}`) on {kernel}, {cpu}, `nproc` = {}; speed figures are ratios against Debian's \
         `zip`/`unzip` measured in the same run on the same files (median of {RUNS} runs, warm page cache; \
         1-minute load average {:.1} at the start: the machine may be shared).\n\n",
        n("nproc"),
        n("loadavg_1m_start"),
    );
    md.push_str("| metric | value | target | met? |\n|---|---:|---:|:---:|\n");
    for t in &TARGETS {
        let v = n(t.key);
        let (target, met) = match t.bound {
            Some((b, true)) => {
                (format!("≥ {} {}", fmt_num(b), t.unit), if v >= b { "yes" } else { "**no**" })
            }
            Some((b, false)) => {
                (format!("≤ {} {}", fmt_num(b), t.unit), if v <= b { "yes" } else { "**no**" })
            }
            None => ("—".to_owned(), "—"),
        };
        md.push_str(&format!("| {} | {} {} | {target} | {met} |\n", t.label, fmt_num(v), t.unit));
    }
    md.push_str(&format!(
        "\nWorkspace: {files} files, {gib:.2} GiB ({inc:.0} % incompressible by bytes, {unnamed:.0} % of \
         that under names that do not say so: `.npy`, `.bin`), incl. a {many}-file folder. Raw: zip {zip_s:.2} s \
         ({zip_mb:.0} MB/s) vs our archive {ar_s:.2} s ({ar_mb:.0} MB/s), {zb:.0} vs {ab:.0} MiB; unzip \
         {uz_s:.2} s vs our extract {ex_s:.2} s ({ex_mb:.0} MB/s, upload included); 20 concurrent \
         archives {c_s:.1} s ({c_mb:.0} MB/s in all); listing mean {lm:.2} ms, max {lx:.2} ms over \
         {lr} requests.\n\n\
         Like with like: the server leaves `.ipynb_checkpoints` and `__pycache__` out by default, so zip \
         ran with `-x '*/.ipynb_checkpoints/*' '*/__pycache__/*'` (those folders are also small: \
         {excluded_files} files). Our extract uploads the zip -1 archive itself. Checked in the run: our \
         archive passes `unzip -tq` and holds every file; each extract and unzip yields the same file \
         count. Reference and server runs alternate, each after `sync`. Every timed request (one fresh \
         token each) goes through a minimal std HTTP/1.1 client (sendfile upload, 1 MiB reads) and is \
         timed client-side, connection included. Full figures: `files.json`.\n",
        files = n("workspace_files"),
        gib = n("workspace_bytes") / MIB / 1024.0,
        inc = 100.0 * n("workspace_incompressible_share"),
        unnamed = 100.0 * n("workspace_incompressible_unnamed_share"),
        many = MANY_FILES,
        zip_s = n("zip_s"),
        zip_mb = n("zip_mb_s"),
        ar_s = n("archive_s"),
        ar_mb = n("archive_mb_s"),
        zb = n("zip_bytes") / MIB,
        ab = n("archive_bytes") / MIB,
        uz_s = n("unzip_s"),
        ex_s = n("extract_s"),
        ex_mb = n("extract_mb_s"),
        c_s = n("concurrent20_s"),
        c_mb = n("concurrent20_mb_s"),
        lm = n("list10k_mean_ms"),
        lx = n("list10k_max_ms"),
        lr = n("list_requests"),
    ));
    md
}

fn fmt_num(v: f64) -> String {
    if (v.fract() == 0.0 && v.abs() < 1e9) || v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

// ---------------------------------------------------------------------------------------------
// The synthetic workspace

/// Generates the workspace unless the marker says this version is already there.
/// Returns the generation time, or `None` when it was reused.
fn ensure_workspace(work: &Path, ws: &Path) -> anyhow::Result<Option<f64>> {
    let marker = work.join("workspace.version");
    if ws.is_dir() && fs::read_to_string(&marker).is_ok_and(|v| v.trim() == WORKSPACE_VERSION) {
        eprintln!("reusing {} ({WORKSPACE_VERSION})", ws.display());
        return Ok(None);
    }
    remove_file(&marker)?;
    remove_dir(ws)?;
    fs::create_dir_all(ws)?;
    let t = Instant::now();
    let mut g = Gen { ws: ws.to_path_buf(), rng: Rng::new(0x1AB1_1BC0_FFEE_2026) };
    g.generate()?;
    let secs = t.elapsed().as_secs_f64();
    fs::write(&marker, format!("{WORKSPACE_VERSION}\n"))?;
    eprintln!("generated {} in {secs:.1} s", ws.display());
    Ok(Some(secs))
}

/// xorshift64: deterministic, fast, and random enough that deflate cannot shrink its output.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Log-uniform in `lo..hi`: many small, some large.
    fn log_uniform(&mut self, lo: u64, hi: u64) -> u64 {
        let (a, b) = ((lo as f64).ln(), (hi as f64).ln());
        (a + self.unit() * (b - a)).exp() as u64
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

const WORDS: &[&str] = &[
    "data",
    "model",
    "signal",
    "sample",
    "mean",
    "variance",
    "gradient",
    "loss",
    "epoch",
    "batch",
    "feature",
    "label",
    "matrix",
    "vector",
    "kernel",
    "sensor",
    "noise",
    "filter",
    "spectrum",
    "peak",
    "baseline",
    "fit",
    "residual",
    "error",
    "estimate",
    "trial",
    "control",
    "group",
    "cohort",
    "cell",
    "protein",
    "sequence",
    "temperature",
    "pressure",
    "voltage",
    "current",
    "frequency",
    "phase",
    "amplitude",
    "result",
    "the",
    "of",
    "and",
    "we",
    "observe",
    "that",
    "is",
    "in",
    "a",
    "with",
];

const KIB: u64 = 1024;
const MIB_U: u64 = 1 << 20;

struct Gen {
    ws: PathBuf,
    rng: Rng,
}

impl Gen {
    fn generate(&mut self) -> anyhow::Result<()> {
        // Compressible: notebooks, CSV, a large log, source and notes, the 10,000-file folder.
        for week in 1..=20 {
            for lab in 1..=25 {
                let size = self.rng.log_uniform(10 * KIB, 3 * MIB_U) as usize;
                let nb = notebook(&mut self.rng, size);
                self.bytes(&format!("notebooks/week_{week:02}/lab_{lab:02}.ipynb"), nb.as_bytes())?;
            }
            for cp in 1..=3 {
                let size = self.rng.range(4 * KIB, 16 * KIB) as usize;
                let nb = notebook(&mut self.rng, size);
                let rel = format!("notebooks/week_{week:02}/.ipynb_checkpoints/lab_{cp:02}-checkpoint.ipynb");
                self.bytes(&rel, nb.as_bytes())?;
            }
        }
        for i in 1..=8 {
            let size = self.rng.range(10 * MIB_U, 40 * MIB_U);
            self.csv(&format!("data/csv/measurements_{i:02}.csv"), size)?;
        }
        self.text("large/simulation.log", 100 * MIB_U, log_line)?;
        for i in 0..80 {
            let size = self.rng.range(2 * KIB, 60 * KIB);
            self.text(&format!("src/module_{i:03}.py"), size, |rng, s| {
                s.push_str(&code_line(rng));
                s.push('\n');
            })?;
        }
        for i in 0..20 {
            let size = self.rng.range(KIB, 8 * KIB);
            self.random(
                &format!("src/__pycache__/module_{i:03}.cpython-312.pyc"),
                b"\xcb\x0d\x0d\x0a",
                size,
            )?;
        }
        for i in 0..40 {
            let size = self.rng.range(KIB, 30 * KIB);
            self.text(&format!("docs/notes_{i:02}.md"), size, prose_line)?;
        }
        for i in 0..MANY_FILES {
            let size = self.rng.range(KIB, 8 * KIB);
            self.text(&format!("many/item_{i:05}.txt"), size, |rng, s| {
                let v = rng.unit() * 1000.0;
                let w = rng.pick(WORDS);
                s.push_str(&format!(
                    "id={} label={w} score={v:.4} flag={}\n",
                    rng.below(1_000_000),
                    rng.below(2)
                ));
            })?;
        }
        // Incompressible: random bytes, with and without compressed-format names.
        self.random("large/model_checkpoint.bin", b"", 100 * MIB_U)?;
        for i in 1..=20 {
            let size = self.rng.range(MIB_U / 2, 7 * MIB_U / 2);
            self.random(&format!("data/images/figure_{i:03}.png"), b"\x89PNG\r\n\x1a\n", size)?;
        }
        for i in 1..=10 {
            let size = self.rng.range(3 * MIB_U, 7 * MIB_U);
            self.random(&format!("data/arrays/weights_{i:02}.npz"), b"PK\x03\x04", size)?;
        }
        for i in 1..=5 {
            let size = self.rng.range(6 * MIB_U, 10 * MIB_U);
            self.random(&format!("data/archives/dataset_{i:02}.zip"), b"PK\x03\x04", size)?;
        }
        for i in 1..=20 {
            let size = self.rng.range(2 * MIB_U, 6 * MIB_U);
            self.random(&format!("data/arrays/features_{i:02}.npy"), b"\x93NUMPY\x01\x00v\x00", size)?;
        }
        for i in 0..60 {
            let size = self.rng.range(100 * KIB, 900 * KIB);
            self.random(&format!("data/blobs/chunk_{i:03}.bin"), b"", size)?;
        }
        self.bytes("README.md", b"# Lab workspace\n\nSynthetic data for `cargo xtask bench files`.\n")?;
        Ok(())
    }

    fn create(&self, rel: &str) -> anyhow::Result<File> {
        let path = self.ws.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        File::create(&path).with_context(|| format!("creating {}", path.display()))
    }

    fn bytes(&mut self, rel: &str, data: &[u8]) -> anyhow::Result<()> {
        self.create(rel)?.write_all(data)?;
        Ok(())
    }

    fn random(&mut self, rel: &str, magic: &[u8], size: u64) -> anyhow::Result<()> {
        let mut file = self.create(rel)?;
        file.write_all(magic)?;
        let mut left = size.saturating_sub(magic.len() as u64);
        let mut buf = vec![0u8; (MIB_U as usize).min(left as usize)];
        while left > 0 {
            let n = buf.len().min(left as usize);
            self.rng.fill(&mut buf[..n]);
            file.write_all(&buf[..n])?;
            left -= n as u64;
        }
        Ok(())
    }

    /// A text file of about `size` bytes made of whole lines.
    fn text(
        &mut self,
        rel: &str,
        size: u64,
        mut line: impl FnMut(&mut Rng, &mut String),
    ) -> anyhow::Result<()> {
        let mut file = BufWriter::with_capacity(MIB_U as usize, self.create(rel)?);
        let mut chunk = String::with_capacity(80 * KIB as usize);
        let mut written = 0;
        while written < size {
            chunk.clear();
            while chunk.len() < 64 * KIB as usize && written + (chunk.len() as u64) < size {
                line(&mut self.rng, &mut chunk);
            }
            file.write_all(chunk.as_bytes())?;
            written += chunk.len() as u64;
        }
        file.flush()?;
        Ok(())
    }

    /// Numeric CSV: a time column and eight random walks.
    fn csv(&mut self, rel: &str, size: u64) -> anyhow::Result<()> {
        let mut walk = [0f64; 8];
        let mut t = 0u64;
        let mut header = true;
        self.text(rel, size, |rng, s| {
            if header {
                s.push_str("t,ch0,ch1,ch2,ch3,ch4,ch5,ch6,ch7\n");
                header = false;
            }
            t += 1;
            s.push_str(&t.to_string());
            for w in &mut walk {
                *w += rng.unit() - 0.5;
                s.push_str(&format!(",{w:.5}"));
            }
            s.push('\n');
        })
    }
}

fn log_line(rng: &mut Rng, s: &mut String) {
    let step = rng.below(1_000_000);
    let level = if rng.below(50) == 0 { "WARN" } else { "INFO" };
    s.push_str(&format!(
        "2026-03-{:02}T{:02}:{:02}:{:02}.{:03}Z {level} trainer: step={step} loss={:.5} lr={:.1e} grad_norm={:.3} throughput={} samples/s\n",
        1 + rng.below(28),
        rng.below(24),
        rng.below(60),
        rng.below(60),
        rng.below(1000),
        rng.unit() * 3.0,
        1e-4 * (1.0 + rng.unit()),
        rng.unit() * 10.0,
        500 + rng.below(1500),
    ));
}

fn prose_line(rng: &mut Rng, s: &mut String) {
    if rng.below(8) == 0 {
        s.push_str(&format!("\n## {} {}\n\n", rng.pick(WORDS), rng.pick(WORDS)));
    }
    let words = 8 + rng.below(16);
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(rng.pick(WORDS));
    }
    s.push_str(".\n");
}

fn code_line(rng: &mut Rng) -> String {
    let i = rng.below(64);
    match rng.below(9) {
        0 => {
            format!("df_{i} = pd.read_csv(\"data/csv/measurements_{:02}.csv\", index_col=0)", rng.range(1, 8))
        }
        1 => format!(
            "x_{i} = np.linspace({:.2}, {:.2}, {})",
            rng.unit(),
            1.0 + rng.unit() * 9.0,
            rng.range(10, 5000)
        ),
        2 => format!(
            "history = model.fit(X_train, y_train, epochs={}, batch_size={}, validation_split=0.{})",
            rng.range(5, 200),
            1 << rng.range(4, 9),
            rng.range(1, 3)
        ),
        3 => format!("for step in range({}):", rng.range(10, 10_000)),
        4 => format!("    total_{i} += weights[step] * {:.4}", rng.unit()),
        5 => format!("plt.plot(t, signal_{i}, label=\"run {}\")", rng.below(100)),
        6 => "print(f\"epoch {epoch}: loss={loss:.4f} acc={acc:.3f}\")".to_owned(),
        7 => format!(
            "    grad_{i} = compute_gradient(params, batch_{}, lr={:.0e})",
            rng.below(32),
            1e-3 * rng.unit()
        ),
        _ => format!(
            "result_{i} = summarize(df_{}, columns=[\"ch{}\", \"ch{}\"])",
            rng.below(64),
            rng.below(8),
            rng.below(8)
        ),
    }
}

/// A Jupyter notebook of roughly `target` bytes: code cells with printed output, some
/// markdown, and now and then a figure (random bytes, base64).
fn notebook(rng: &mut Rng, target: usize) -> String {
    let mut cells = Vec::new();
    let mut size = 600;
    let mut count = 0;
    while size < target {
        count += 1;
        let cell = match rng.below(25) {
            0..=3 => {
                let mut text = String::new();
                for _ in 0..rng.range(1, 6) {
                    prose_line(rng, &mut text);
                }
                json!({"cell_type": "markdown", "id": format!("md{count}"), "metadata": {}, "source": lines(&text)})
            }
            4 => {
                let raw = (rng.range(5 * KIB, 60 * KIB) as usize).min(target / 3).max(64);
                let mut png = vec![0u8; raw];
                rng.fill(&mut png);
                png[..8].copy_from_slice(b"\x89PNG\r\n\x1a\n");
                json!({
                    "cell_type": "code", "execution_count": count, "id": format!("c{count}"), "metadata": {},
                    "source": lines(&format!("fig, ax = plt.subplots()\n{}\nplt.show()", code_line(rng))),
                    "outputs": [{
                        "output_type": "display_data", "metadata": {},
                        "data": {"image/png": base64(&png) + "\n", "text/plain": ["<Figure size 640x480 with 1 Axes>"]}
                    }]
                })
            }
            _ => {
                let mut code = String::new();
                for _ in 0..rng.range(2, 14) {
                    code.push_str(&code_line(rng));
                    code.push('\n');
                }
                let mut out = String::new();
                for e in 0..rng.range(0, 40) {
                    out.push_str(&format!(
                        "epoch {e:3}: loss={:.5} acc={:.4} val_loss={:.5}\n",
                        rng.unit() * 2.0,
                        rng.unit(),
                        rng.unit() * 2.0
                    ));
                }
                json!({
                    "cell_type": "code", "execution_count": count, "id": format!("c{count}"), "metadata": {},
                    "source": lines(code.trim_end()),
                    "outputs": [{"output_type": "stream", "name": "stdout", "text": lines(&out)}]
                })
            }
        };
        size += serde_json::to_string(&cell).map_or(0, |s| s.len()) * 11 / 10;
        cells.push(cell);
    }
    let nb = json!({
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "version": "3.12.3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5
    });
    serde_json::to_string_pretty(&nb).expect("JSON values serialize") + "\n"
}

/// Notebook style: a list of lines, each but the last ending in a newline.
fn lines(text: &str) -> Vec<String> {
    text.split_inclusive('\n').map(str::to_owned).collect()
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (k, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if k <= chunk.len() {
                out.push(ALPHABET[(n >> shift) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn notebook_is_json_of_about_the_size() {
        let mut rng = Rng::new(7);
        let nb = notebook(&mut rng, 200_000);
        let v: Value = serde_json::from_str(&nb).unwrap();
        assert_eq!(v["nbformat"], 4);
        assert!(nb.len() > 150_000 && nb.len() < 400_000, "{}", nb.len());
    }
}
