//! The server under test: a release `lablink files` on loopback, and the requests the bench makes
//! to it (reqwest's blocking client, a fresh connection and a fresh token for each request).

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use bytes::Bytes;
use lablink_fileserver::auth::{self, now_secs};
use lablink_fileserver::legacy::signature;
use lablink_protocol::files::{ExtractResult, TokenClaims};
use lablink_protocol::legacy::{FolderPayload, LegacyUser};
use reqwest::blocking::{Body, Response};

use super::HOME;
use crate::util::{ChildGuard, step};

const KID: &str = "bench";
const SECRET: &str = "lablink bench-only HS256 secret";
const LEGACY_USER: &str = "bench-legacy";
const LEGACY_SECRET: &str = "lablink bench-only legacy secret";

/// The `lablink files` process this bench started; killed when dropped.
pub struct Server {
    child: ChildGuard,
    base: String,
    client: reqwest::blocking::Client,
}

impl Server {
    pub fn start(bin: &Path, work: &Path) -> anyhow::Result<Self> {
        step("starting lablink files");
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let config = work.join("files.toml");
        let homes = work.join("homes");
        let homes = homes.to_str().context("the bench folder's path is not UTF-8")?;
        fs::write(
            &config,
            format!(
                "homes = {}\nlisten = \"127.0.0.1:{port}\"\n\n[[v2_keys]]\nkid = \"{KID}\"\nsecret = \"{SECRET}\"\n\n\
                 [[legacy_keys]]\nuser = \"{LEGACY_USER}\"\nsecret = \"{LEGACY_SECRET}\"\n\n\
                 [limits]\nmax_upload_bytes = {big}\nmax_uncompressed_bytes = {big}\nmax_entries = 1000000\n\
                 max_legacy_zip_bytes = {big}\n",
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
        let child = ChildGuard(cmd.spawn().with_context(|| format!("starting {}", bin.display()))?);
        // No idle connections kept: every timed request opens its own, as a browser's first does.
        let client = reqwest::blocking::Client::builder()
            .no_proxy()
            .timeout(None::<Duration>)
            .pool_max_idle_per_host(0)
            .build()?;
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let mut server = Self { child, base: format!("http://{addr}"), client };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = server.child.0.try_wait()? {
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

    pub fn get(&self, route: &str, query: &str) -> anyhow::Result<Response> {
        let (path, url) = self.route(route, query);
        checked(self.client.get(url).bearer_auth(token("GET", &path, "read")?).send()?)
    }

    /// Streams a GET of `route` into `to`; returns the body's length.
    pub fn download(&self, route: &str, query: &str, to: &mut impl Write) -> anyhow::Result<u64> {
        Ok(drain(&mut self.get(route, query)?, to)?)
    }

    /// Uploads `zip` (the whole file, already in memory) to be unpacked at `target` in the home.
    pub fn extract(&self, zip: &Bytes, target: &str) -> anyhow::Result<ExtractResult> {
        let (path, url) = self.route("extract", &format!("path={target}&on_conflict=fail"));
        let resp = self
            .client
            .post(url)
            .bearer_auth(token("POST", &path, "read write")?)
            .header(reqwest::header::CONTENT_TYPE, "application/zip")
            .body(Body::from(zip.clone()))
            .send()?;
        Ok(checked(resp)?.json()?)
    }

    /// `GET /zfs` of `folder` in the bench home, signed as a legacy client signs it; the reply
    /// (the JSON envelope) is streamed into `to`. Returns its length.
    pub fn legacy_zfs(&self, folder: &str, to: &mut impl Write) -> anyhow::Result<u64> {
        let payload = serde_json::to_string(&FolderPayload {
            user: LegacyUser {
                id: HOME.into(),
                primary_email: format!("{HOME}@example.org"),
                auth_method: "bench".into(),
            },
            folder: folder.into(),
        })?;
        let timestamp = now_secs().to_string();
        let md5_payload = signature::md5_b64(&payload);
        let key = signature::sign(LEGACY_SECRET, LEGACY_USER, &timestamp, &md5_payload);
        let query = [
            ("user", LEGACY_USER),
            ("timestamp", &timestamp),
            ("payload", &payload),
            ("md5_payload", &md5_payload),
            ("key", &key),
        ];
        let resp = self.client.get(format!("{}/zfs", self.base)).query(&query).send()?;
        Ok(drain(&mut checked(resp)?, to)?)
    }

    pub fn status_kib(&self, field: &str) -> anyhow::Result<u64> {
        let status = fs::read_to_string(format!("/proc/{}/status", self.child.id()))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .with_context(|| format!("no {field} in /proc/<pid>/status"))
    }

    /// Resets the peak RSS (VmHWM) to the current RSS.
    pub fn reset_peak(&self) -> anyhow::Result<()> {
        fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5")
            .context("resetting the peak RSS through /proc/<pid>/clear_refs")
    }

    pub fn peak_mib(&self) -> anyhow::Result<f64> {
        Ok(self.status_kib("VmHWM")? as f64 / 1024.0)
    }
}

fn checked(resp: Response) -> anyhow::Result<Response> {
    if resp.status().is_success() {
        return Ok(resp);
    }
    let status = resp.status();
    let body = resp.text().unwrap_or_default();
    bail!("the server answered {status}: {body}")
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

/// A fresh single-use v2 token for one request, minted as the server's own CLI mints one.
fn token(method: &str, path: &str, scope: &str) -> anyhow::Result<String> {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let iat = now_secs();
    let claims = TokenClaims {
        iss: "lablink-bench".into(),
        sub: HOME.into(),
        scope: scope.into(),
        htm: method.into(),
        htu: path.into(),
        iat,
        exp: iat + 60,
        jti: format!("bench-{}-{}", std::process::id(), SEQ.fetch_add(1, Ordering::Relaxed)),
    };
    Ok(auth::mint(KID, SECRET, &claims)?)
}
