//! A real JupyterHub (from the test venv, `LABLINK_VENV`) behind configurable-http-proxy (from
//! the repo's node_modules), running the `lablink` binary as its hub-managed grading service.
//!
//! ```ignore
//! let hub = Hub::start(BIN);                        // one course, `intro`, instructors: GROUP
//! let token = hub.token(TEACHER);                   // a user's API token, minted by the admin service
//! let me = hub.client().get(hub.url("api/me")).header("authorization", format!("token {token}"));
//! ```
//! Users: TEACHER (in GROUP), STUDENT, ADMIN (hub admin); all log in with PASSWORD. `BIN` is the
//! `lablink` binary under test (`env!("CARGO_BIN_EXE_lablink")` in its crate's tests).

use std::fs::File;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::env::{free_port, repo, venv};

pub const SERVICE: &str = "lablink-grading";
pub const GROUP: &str = "formgrade-intro";
pub const TEACHER: &str = "teacher";
pub const STUDENT: &str = "student";
pub const ADMIN: &str = "boss";
pub const PASSWORD: &str = "hub-test-password";
/// What the grading service needs from the hub to know callers' groups.
pub const SERVICE_SCOPES: [&str; 2] = ["read:users:name", "read:users:groups"];

/// What to run: the service's configuration and additions to the hub's.
pub struct HubSetup {
    /// TOML appended to `[grading]` (which only sets `key_file`): platforms, courses,
    /// `[grading.hub]`. `{dir}` stands for the hub's temporary folder.
    pub grading_toml: String,
    /// Scopes of the service's role at the hub.
    pub service_scopes: Vec<String>,
    /// Python appended to `jupyterhub_config.py` (`c` is the config), e.g. more users or groups.
    pub hub_config: String,
}

impl Default for HubSetup {
    /// One LTI 1.3 course `intro` whose instructors are [`GROUP`]; its gradebook is an empty
    /// file at `{dir}/gradebook.db`, enough while no grade route reads it.
    fn default() -> Self {
        Self::course("{dir}/gradebook.db")
    }
}

impl HubSetup {
    /// One course `intro` on a platform `moodle` that is never called, with this gradebook.
    pub fn course(gradebook: &str) -> Self {
        let grading_toml = format!(
            r#"
[[grading.platforms]]
name = "moodle"
issuer = "https://moodle.invalid"
client_id = "lablink"
deployment_id = "1"
token_url = "https://moodle.invalid/mod/lti/token.php"
keyset_url = "https://moodle.invalid/mod/lti/certs.php"

[[grading.courses]]
id = "intro"
gradebook = {gradebook:?}
instructor_group = "{GROUP}"
platform = "moodle"
lineitems_url = "https://moodle.invalid/mod/lti/services.php/2/lineitems?type_id=1"
memberships_url = "https://moodle.invalid/mod/lti/services.php/CourseSection/2/bindings/1/memberships"
"#
        );
        Self {
            grading_toml,
            service_scopes: SERVICE_SCOPES.map(str::to_owned).to_vec(),
            hub_config: String::new(),
        }
    }
}

pub struct Hub {
    child: Child,
    dir: tempfile::TempDir,
    /// The proxy, as a browser reaches the hub: `http://127.0.0.1:<port>`.
    pub public: String,
    admin_token: String,
}

fn py(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

impl Hub {
    /// The hub with [`HubSetup::default`], running `bin` (the `lablink` binary) as its service.
    pub fn start(bin: &str) -> Hub {
        Self::start_with(bin, HubSetup::default())
    }

    pub fn start_with(bin: &str, setup: HubSetup) -> Hub {
        let venv = venv();
        assert!(venv.join("bin/jupyterhub").exists(), "no jupyterhub in LABLINK_VENV={}", venv.display());
        let proxy = repo().join("node_modules/.bin/configurable-http-proxy");
        assert!(proxy.exists(), "no {}: run `npm ci` at the repo root", proxy.display());
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().to_str().unwrap().to_owned();
        std::fs::write(dir.path().join("gradebook.db"), b"").unwrap();
        let grading = dir.path().join("grading.toml");
        let key = dir.path().join("grading-key.pem");
        std::fs::write(
            &grading,
            // A setup may bring its own key (one a test LMS already trusts).
            match setup.grading_toml.contains("key_file") {
                true => format!("[grading]\n{}", setup.grading_toml.replace("{dir}", &d)),
                false => {
                    format!("[grading]\nkey_file = {key:?}\n{}", setup.grading_toml.replace("{dir}", &d))
                }
            },
        )
        .unwrap();

        let (port, api_port, hub_port, service_port) = (free_port(), free_port(), free_port(), free_port());
        let admin_token = random_hex();
        let service_url = format!("http://127.0.0.1:{service_port}");
        let command =
            json!([bin, "grading", "--config", grading, "--listen", format!("127.0.0.1:{service_port}")]);
        let config = format!(
            r#"
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.JupyterHub.db_url = "sqlite:///" + {dir} + "/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = {dir} + "/jupyterhub_cookie_secret"
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
c.ConfigurableHTTPProxy.command = [{proxy}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.pid_file = {dir} + "/proxy.pid"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password}
c.Authenticator.allowed_users = {{{teacher}, {student}}}
c.Authenticator.admin_users = {{{admin}}}
c.JupyterHub.load_groups = {{{group}: {{"users": [{teacher}]}}}}
# Users reach the service (JupyterHub checks this before OAuth); who may grade is ours to say.
c.JupyterHub.extra_user_scopes = {{"access:services!service={SERVICE}"}}
c.JupyterHub.services = [
    {{"name": "{SERVICE}", "url": {service_url}, "command": {command}, "oauth_no_confirm": True,
      "environment": {{"LABLINK_LOG": "info,lablink_grading=debug"}}}},
    {{"name": "test-admin", "api_token": {admin_token}}},
]
c.JupyterHub.load_roles = [
    {{"name": "{SERVICE}", "scopes": {service_scopes}, "services": ["{SERVICE}"]}},
    {{"name": "test-admin", "scopes": ["admin:users", "admin:groups", "tokens"], "services": ["test-admin"]}},
]
{extra}
"#,
            dir = py(&d),
            proxy = py(proxy.to_str().unwrap()),
            password = py(PASSWORD),
            teacher = py(TEACHER),
            student = py(STUDENT),
            admin = py(ADMIN),
            group = py(GROUP),
            service_url = py(&service_url),
            admin_token = py(&admin_token),
            service_scopes = json!(setup.service_scopes),
            extra = setup.hub_config,
        );
        let config_path = dir.path().join("jupyterhub_config.py");
        std::fs::write(&config_path, config).unwrap();
        let log = File::create(dir.path().join("hub.log")).unwrap();
        let child = Command::new(venv.join("bin/jupyterhub"))
            .arg("-f")
            .arg(&config_path)
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut hub = Hub { child, dir, public: format!("http://127.0.0.1:{port}"), admin_token };
        hub.wait_ready();
        hub
    }

    /// Until the hub's API and the service's health answer through the proxy.
    fn wait_ready(&mut self) {
        let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(5)).build().unwrap();
        let deadline = Instant::now() + Duration::from_secs(120);
        for url in [format!("{}/hub/api/", self.public), self.url("health")] {
            loop {
                if client.get(&url).send().is_ok_and(|r| r.status().is_success()) {
                    break;
                }
                if let Ok(Some(status)) = self.child.try_wait() {
                    panic!("the hub exited ({status}) before {url} answered:\n{}", self.log());
                }
                assert!(Instant::now() < deadline, "{url} did not answer in time:\n{}", self.log());
                std::thread::sleep(Duration::from_millis(200));
            }
        }
    }

    /// A URL of the grading service through the proxy, e.g. `url("api/me")`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/services/{SERVICE}/{path}", self.public)
    }

    /// The admin service's token (scopes admin:users, admin:groups, tokens).
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The hub's log, the service's included (it writes to the hub's stderr).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("hub.log")).unwrap_or_default()
    }

    pub fn client(&self) -> reqwest::blocking::Client {
        reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build().unwrap()
    }

    /// A call to the hub's REST API as the admin service (`path` after `/hub/api/`).
    pub fn admin_api(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .client()
            .request(method, format!("{}/hub/api/{path}", self.public))
            .header("authorization", format!("token {}", self.admin_token));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply = request.send().unwrap();
        let status = reply.status();
        let text = reply.text().unwrap();
        assert!(status.is_success(), "hub API {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// A user's API token for an hour.
    pub fn token(&self, user: &str) -> String {
        self.token_expiring(user, 3600)
    }

    /// A user's API token that the hub refuses after `seconds`.
    pub fn token_expiring(&self, user: &str, seconds: i64) -> String {
        let body = json!({"expires_in": seconds, "note": "lablink grading_hub test"});
        let reply = self.admin_api(reqwest::Method::POST, &format!("users/{user}/tokens"), Some(body));
        reply["token"].as_str().unwrap().to_owned()
    }
}

fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    std::io::Read::read_exact(&mut File::open("/dev/urandom").unwrap(), &mut bytes).unwrap();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Processes whose parent is `pid`, with their command lines (to recognise them later).
fn children_of(pid: u32) -> Vec<(u32, Vec<u8>)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // `pid (comm) state ppid …`; comm may hold spaces, so read after the last ')'.
        let ppid = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1));
        if ppid == Some(&pid.to_string()) {
            found.push((child, std::fs::read(entry.path().join("cmdline")).unwrap_or_default()));
        }
    }
    found
}

fn signal(pid: u32, signal: rustix::process::Signal) {
    if let Some(pid) = rustix::process::Pid::from_raw(pid as i32) {
        let _ = rustix::process::kill_process(pid, signal);
    }
}

fn alive_as(pid: u32, cmdline: &[u8]) -> bool {
    std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| c == cmdline)
}

impl Drop for Hub {
    /// SIGTERM lets the hub stop its service and proxy itself; whatever of its children
    /// outlives it (seen by PID and command line) is then ended too.
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = self.log();
            let tail: Vec<&str> = log.lines().rev().take(80).collect();
            eprintln!("--- hub log (last lines) ---");
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
        }
        let pid = self.child.id();
        let mut children = children_of(pid);
        // A hub that died early leaves its proxy to init, where children_of cannot see it; the
        // proxy's own pid file still names it.
        let proxy = std::fs::read_to_string(self.dir.path().join("proxy.pid")).ok();
        if let Some(proxy) = proxy.and_then(|p| p.trim().parse::<u32>().ok()) {
            let cmdline = std::fs::read(format!("/proc/{proxy}/cmdline")).unwrap_or_default();
            let ours = String::from_utf8_lossy(&cmdline).contains("configurable-http-proxy");
            if ours && !children.iter().any(|(c, _)| *c == proxy) {
                children.push((proxy, cmdline));
            }
        }
        signal(pid, rustix::process::Signal::TERM);
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.child.try_wait().ok().flatten().is_none() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        for (child, cmdline) in children {
            if !alive_as(child, &cmdline) {
                continue;
            }
            signal(child, rustix::process::Signal::TERM);
            let deadline = Instant::now() + Duration::from_secs(5);
            while alive_as(child, &cmdline) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            if alive_as(child, &cmdline) {
                signal(child, rustix::process::Signal::KILL);
            }
        }
    }
}

/// `request` with a hub API token, as scripts send it.
pub fn with_token(
    request: reqwest::blocking::RequestBuilder,
    token: &str,
) -> reqwest::blocking::RequestBuilder {
    request.header("authorization", format!("token {token}"))
}

/// Status and JSON body (panics on a body that is not JSON, with the text).
pub fn answer(response: reqwest::blocking::Response) -> (reqwest::StatusCode, Value) {
    let status = response.status();
    let text = response.text().unwrap();
    let body = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}: not JSON ({e}): {text}"));
    (status, body)
}
