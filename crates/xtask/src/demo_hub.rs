//! The JupyterHub half of `cargo xtask demo`, also the stack the grades panel's end-to-end tests
//! walk: a sample nbgrader course (`tests/grading/demo_course.py`), the test LMS
//! (`tests/grading/lti_platform.py`) seeded with its roster and line items, and a real JupyterHub
//! on loopback (configurable-http-proxy from node_modules) with two demo users, spawning
//! JupyterLab in per-user homes and running `lablink grading` as its hub-managed service.
//!
//! Everything lives in one folder, made afresh on each start (the LMS keeps its scores in
//! memory, so an old sync journal would not match it). [`Stack::start`] writes what a client
//! needs — URLs, users and passwords, an admin token, paths — to `stack.json` there.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use serde::Serialize;
use serde_json::{Value, json};

use crate::util::{ChildGuard, step};

pub const SERVICE: &str = "lablink-grading";
pub const COURSE: &str = "intro-python";
pub const GROUP: &str = "formgrade-intro-python";
pub const INSTRUCTOR: &str = "instructor";
pub const STUDENT: &str = "student";
/// The LMS's id of the course (its LTI context).
const LMS_CONTEXT: &str = "7";
/// The Moodle-style `type_id` the test LMS adds to its service URLs.
const TYPE_ID: &str = "3";
/// The grade a teacher edited in the LMS gradebook before the demo starts: student, assignment,
/// score (nbgrader has 6 of 10).
pub const TEACHER_EDIT: (&str, &str, f64) = ("elena", "week1", 8.0);
/// The admin service whose token lets scripts (the end-to-end tests) act for the demo users.
const ADMIN_SERVICE: &str = "demo-admin";

/// The loopback ports of one stack, counted up from a base.
#[derive(Clone, Copy, Debug)]
pub struct Ports {
    /// The proxy: where a browser reaches the hub.
    pub hub: u16,
    pub lms: u16,
    hub_api: u16,
    proxy_api: u16,
    service: u16,
}

impl Ports {
    pub fn from_base(base: u16) -> Self {
        Self { hub: base, lms: base + 1, hub_api: base + 2, proxy_api: base + 3, service: base + 4 }
    }

    fn all(&self) -> [u16; 5] {
        [self.hub, self.lms, self.hub_api, self.proxy_api, self.service]
    }
}

/// What [`Stack::start`] needs.
pub struct Setup<'a> {
    pub root: &'a Path,
    pub venv: &'a Path,
    /// The `lablink` binary the hub runs as its grading service.
    pub bin: &'a Path,
    /// The stack's folder (emptied first).
    pub dir: PathBuf,
    pub ports: Ports,
    /// The lab extension's wheel, installed for the users' JupyterLab.
    pub wheel: &'a Path,
}

#[derive(Serialize, Clone)]
pub struct User {
    pub name: String,
    pub password: String,
    pub role: String,
}

/// What a client of the stack needs, written to `stack.json`.
#[derive(Serialize, Clone)]
pub struct StackInfo {
    pub hub_url: String,
    /// The grading service through the proxy (ends in '/').
    pub service_url: String,
    /// The test LMS: its `/_test/*` controls are under this origin.
    pub lms_url: String,
    pub lms_context: String,
    pub lineitems_url: String,
    pub users: Vec<User>,
    /// Token of the hub's `demo-admin` service (admin:users, admin:groups, tokens).
    pub admin_token: String,
    pub course: String,
    pub instructor_group: String,
    pub assignments: Value,
    pub dir: PathBuf,
    pub gradebook: PathBuf,
    /// nbgrader's own CSV export of the gradebook.
    pub expected_csv: PathBuf,
    pub venv: PathBuf,
    pub hub_log: PathBuf,
}

impl StackInfo {
    pub fn user(&self, name: &str) -> &User {
        self.users.iter().find(|u| u.name == name).expect("a demo user")
    }
}

pub struct Stack {
    hub: Option<Child>,
    lms: Option<ChildGuard>,
    pub info: StackInfo,
    pub info_file: PathBuf,
}

fn py(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

fn random_hex(bytes: usize) -> anyhow::Result<String> {
    let mut buf = vec![0u8; bytes];
    std::io::Read::read_exact(&mut File::open("/dev/urandom")?, &mut buf)?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// `PATH` with the venv's `bin` first (nbgrader calls `alembic`, the hub `jupyterhub-singleuser`).
fn venv_path(venv: &Path) -> String {
    format!("{}:{}", venv.join("bin").display(), std::env::var("PATH").unwrap_or_default())
}

impl Stack {
    pub fn start(setup: Setup<'_>) -> anyhow::Result<Stack> {
        let Setup { root, venv, bin, dir, ports, wheel } = setup;
        for port in ports.all() {
            ensure!(
                std::net::TcpListener::bind(("127.0.0.1", port)).is_ok(),
                "port {port} on 127.0.0.1 is taken: stop what holds it, or pick other ports with --port"
            );
        }
        let proxy = root.join("node_modules/.bin/configurable-http-proxy");
        ensure!(proxy.exists(), "no {}: `npm ci` at the repo root installs it", proxy.display());
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("emptying {}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir)?;
        let dir = dir.canonicalize()?;
        let path = venv_path(venv);

        step("the sample nbgrader course (20 students, 3 assignments)");
        let homes = dir.join("homes");
        let course_dir = homes.join(INSTRUCTOR).join(COURSE);
        for user in [INSTRUCTOR, STUDENT] {
            // JupyterLab would otherwise ask each user about fetching news from the web.
            let settings = homes.join(user).join(".jupyter/lab/user-settings/@jupyterlab/apputils-extension");
            std::fs::create_dir_all(&settings)?;
            std::fs::write(
                settings.join("notification.jupyterlab-settings"),
                "{\"fetchNews\": \"false\", \"checkForUpdates\": false}\n",
            )?;
        }
        let members = dir.join("lms-members.json");
        let out = Command::new(venv.join("bin/python"))
            .arg(root.join("tests/grading/demo_course.py"))
            .args([&course_dir, &members])
            .env("PATH", &path)
            .output()?;
        ensure!(out.status.success(), "demo_course.py failed:\n{}", String::from_utf8_lossy(&out.stderr));
        let course: Value = serde_json::from_slice(&out.stdout).context("demo_course.py's summary line")?;
        // The instructor's nbgrader (formgrader) finds the same course from the home folder.
        std::fs::write(
            homes.join(INSTRUCTOR).join("nbgrader_config.py"),
            format!(
                "c = get_config()  # noqa\nc.CourseDirectory.course_id = {c}\nc.CourseDirectory.root = {r}\n",
                c = py(COURSE),
                r = py(course_dir.to_str().unwrap_or_default()),
            ),
        )?;

        let lms = start_lms(root, venv, &dir, &members, &course, ports)?;
        let (lms_child, lms_info) = lms;

        let jupyter_path = install_extension(venv, wheel, &dir)?;

        let users = vec![
            User {
                name: INSTRUCTOR.into(),
                password: format!("teach-{}", random_hex(4)?),
                role: "instructor".into(),
            },
            User {
                name: STUDENT.into(),
                password: format!("learn-{}", random_hex(4)?),
                role: "student".into(),
            },
        ];
        let admin_token = random_hex(24)?;
        let grading_dir = dir.join("grading");
        std::fs::create_dir_all(&grading_dir)?;
        let grading = grading_dir.join("grading.toml");
        std::fs::write(&grading, grading_toml(&grading_dir, &course_dir, &lms_info))?;
        let config = dir.join("jupyterhub_config.py");
        std::fs::write(
            &config,
            hub_config(&HubConfig {
                dir: &dir,
                venv,
                bin,
                proxy: &proxy,
                grading: &grading,
                ports,
                users: &users,
                admin_token: &admin_token,
                jupyter_path: &jupyter_path,
            }),
        )?;

        step(&format!(
            "JupyterHub on http://127.0.0.1:{} (log: {})",
            ports.hub,
            dir.join("hub.log").display()
        ));
        let log = File::create(dir.join("hub.log"))?;
        let hub = std::os::unix::process::CommandExt::process_group(
            Command::new(venv.join("bin/jupyterhub")).arg("-f").arg(&config),
            0,
        )
        .current_dir(&dir)
        .env("PATH", &path)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("starting jupyterhub")?;

        let hub_url = format!("http://127.0.0.1:{}", ports.hub);
        let info = StackInfo {
            service_url: format!("{hub_url}/services/{SERVICE}/"),
            hub_url,
            lms_url: format!("http://127.0.0.1:{}", ports.lms),
            lms_context: LMS_CONTEXT.into(),
            lineitems_url: lms_info["courses"][LMS_CONTEXT]["lineitems"].as_str().unwrap_or_default().into(),
            users,
            admin_token,
            course: COURSE.into(),
            instructor_group: GROUP.into(),
            assignments: course["assignments"].clone(),
            gradebook: course_dir.join("gradebook.db"),
            expected_csv: course_dir.join("expected.csv"),
            venv: venv.to_owned(),
            hub_log: dir.join("hub.log"),
            dir: dir.clone(),
        };
        let info_file = dir.join("stack.json");
        let mut stack = Stack { hub: Some(hub), lms: Some(lms_child), info, info_file };
        stack.wait_ready()?;
        let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&stack.info_file);
        serde_json::to_writer_pretty(file?, &stack.info)?;
        restrict(&stack.info_file)?;
        Ok(stack)
    }

    /// Until the hub's API and the grading service's health answer through the proxy.
    fn wait_ready(&mut self) -> anyhow::Result<()> {
        let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(5)).build()?;
        let deadline = Instant::now() + Duration::from_secs(180);
        for url in [format!("{}/hub/api/", self.info.hub_url), format!("{}health", self.info.service_url)] {
            loop {
                if client.get(&url).send().is_ok_and(|r| r.status().is_success()) {
                    break;
                }
                if let Some(status) = self.hub.as_mut().and_then(|h| h.try_wait().ok().flatten()) {
                    bail!("JupyterHub exited ({status}) before {url} answered:\n{}", self.log_tail(60));
                }
                ensure!(Instant::now() < deadline, "{url} did not answer in time:\n{}", self.log_tail(60));
                std::thread::sleep(Duration::from_millis(200));
            }
        }
        Ok(())
    }

    pub fn log_tail(&self, lines: usize) -> String {
        let log = std::fs::read_to_string(&self.info.hub_log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(lines).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    /// Whether the hub still runs (its own exit ends the demo).
    pub fn hub_exited(&mut self) -> Option<std::process::ExitStatus> {
        self.hub.as_mut().and_then(|h| h.try_wait().ok().flatten())
    }

    /// A call to the hub's REST API as the admin service (`path` after `/hub/api/`).
    pub fn admin_api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build()?;
        let mut request = client
            .request(method, format!("{}/hub/api/{path}", self.info.hub_url))
            .header("authorization", format!("token {}", self.info.admin_token));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply = request.send()?;
        let status = reply.status();
        let text = reply.text()?;
        ensure!(status.is_success(), "hub API {path}: {status} {text}");
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// A demo user's API token, for an hour.
    pub fn token(&self, user: &str) -> anyhow::Result<String> {
        let body = json!({"expires_in": 3600, "note": "cargo xtask demo"});
        let reply = self.admin_api(reqwest::Method::POST, &format!("users/{user}/tokens"), Some(body))?;
        Ok(reply["token"].as_str().context("no token in the hub's answer")?.to_owned())
    }
}

/// Only the user running the demo reads its passwords and tokens.
fn restrict(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    Ok(())
}

/// The test LMS on `ports.lms`, with the course's roster and one line item per assignment (as
/// the grading service would create them); returns it and its endpoints line.
fn start_lms(
    root: &Path,
    venv: &Path,
    dir: &Path,
    members: &Path,
    course: &Value,
    ports: Ports,
) -> anyhow::Result<(ChildGuard, Value)> {
    step(&format!("the test LMS on http://127.0.0.1:{}", ports.lms));
    let members: Value = serde_json::from_slice(&std::fs::read(members)?)?;
    let lineitems: Vec<Value> = course["assignments"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, max)| json!({"label": name, "scoreMaximum": max, "resourceId": name, "tag": "nbgrader"}))
        .collect();
    let config = json!({
        "courses": {LMS_CONTEXT: {"label": "PY101", "title": "Introduction to Python", "members": members,
                                  "lineitems": lineitems}},
        // Moodle pages its answers too; 10 keeps the roster at a few pages.
        "page_size": 10,
    });
    let config_file = dir.join("lms.json");
    std::fs::write(&config_file, serde_json::to_vec_pretty(&config)?)?;
    let jwks = format!("http://127.0.0.1:{}/services/{SERVICE}/jwks", ports.service);
    let log = File::create(dir.join("lms.log"))?;
    let mut child = std::os::unix::process::CommandExt::process_group(
        Command::new(venv.join("bin/python")).arg(root.join("tests/grading/lti_platform.py")),
        0,
    )
    .arg("--config")
    .arg(&config_file)
    .args([
        "--port",
        &ports.lms.to_string(),
        "--moodle-paths",
        "--type-id",
        TYPE_ID,
        "--tool-jwks-url",
        &jwks,
    ])
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(log)
    .spawn()
    .context("starting the test LMS")?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().context("the LMS's stdout")?).read_line(&mut line)?;
    let child = ChildGuard(child);
    let info: Value = serde_json::from_str(&line).with_context(|| {
        format!(
            "the test LMS said {line:?}; its log:\n{}",
            std::fs::read_to_string(dir.join("lms.log")).unwrap_or_default()
        )
    })?;
    ensure!(info["ready"] == true, "the test LMS is not ready: {info}");
    // A teacher already changed one grade in the LMS gradebook: the panel shows it as changed
    // there and leaves it alone unless the instructor ticks it.
    let (user, assignment, score) = TEACHER_EDIT;
    let edit = json!({"ctx": LMS_CONTEXT, "lineitem": assignment, "userId": format!("lms-{user}"), "resultScore": score});
    let reply = reqwest::blocking::Client::new()
        .post(format!("http://127.0.0.1:{}/_test/scores", ports.lms))
        .json(&edit)
        .send()?;
    let status = reply.status();
    ensure!(status.is_success(), "the test LMS refused a teacher's grade ({status}): {}", reply.text()?);
    Ok((child, info))
}

/// Installs the extension's wheel for the users' JupyterLab. Into the venv when it is xtask's
/// own (`target/venv`), as an admin's `pip install` does; a venv named by `LABLINK_VENV` may be
/// another checkout's and is never changed, so the wheel then goes into a prefix in the demo
/// folder, whose `share/jupyter` JupyterLab is pointed at. Returns that data folder.
fn install_extension(venv: &Path, wheel: &Path, dir: &Path) -> anyhow::Result<PathBuf> {
    step(&format!("installing {} for JupyterLab", wheel.file_name().unwrap_or_default().to_string_lossy()));
    let given = std::env::var_os("LABLINK_VENV").is_some_and(|v| !v.is_empty());
    let mut pip = Command::new(venv.join("bin/pip"));
    pip.args(["install", "--quiet", "--disable-pip-version-check", "--no-deps", "--force-reinstall"]);
    let data = if given {
        let prefix = dir.join("lab-extension");
        pip.arg("--prefix").arg(&prefix);
        prefix.join("share/jupyter")
    } else {
        venv.join("share/jupyter")
    };
    crate::util::run(pip.arg(wheel))?;
    ensure!(
        data.join("labextensions/@lablink/labextension/package.json").exists(),
        "the wheel did not install @lablink/labextension under {}",
        data.display()
    );
    eprintln!("jupyter labextension list: {}", crate::lab_extension::listed(venv, &data)?);
    Ok(data)
}

fn grading_toml(grading_dir: &Path, course_dir: &Path, lms: &Value) -> String {
    let text = |key: &str| lms[key].as_str().unwrap_or_default().to_owned();
    let course = &lms["courses"][LMS_CONTEXT];
    format!(
        "[grading]\nkey_file = {key:?}\njournal = {journal:?}\n\n\
         [[grading.platforms]]\nname = \"demo-lms\"\nissuer = {issuer:?}\nclient_id = {client:?}\n\
         deployment_id = {deployment:?}\ntoken_url = {token:?}\nkeyset_url = {keyset:?}\n\n\
         [[grading.courses]]\nid = {COURSE:?}\ngradebook = {gradebook:?}\ninstructor_group = {GROUP:?}\n\
         platform = \"demo-lms\"\nlineitems_url = {lineitems:?}\nmemberships_url = {memberships:?}\n",
        key = grading_dir.join("grading-key.pem"),
        journal = grading_dir.join("journal.sqlite"),
        issuer = text("issuer"),
        client = text("client_id"),
        deployment = text("deployment_id"),
        token = text("token_url"),
        keyset = text("platform_jwks_url"),
        gradebook = course_dir.join("gradebook.db"),
        lineitems = course["lineitems"].as_str().unwrap_or_default(),
        memberships = course["context_memberships_url"].as_str().unwrap_or_default(),
    )
}

struct HubConfig<'a> {
    dir: &'a Path,
    venv: &'a Path,
    bin: &'a Path,
    proxy: &'a Path,
    grading: &'a Path,
    ports: Ports,
    users: &'a [User],
    admin_token: &'a str,
    /// Where JupyterLab finds the extension (`share/jupyter` of the venv or of a prefix).
    jupyter_path: &'a Path,
}

fn hub_config(c: &HubConfig<'_>) -> String {
    let s = |p: &Path| py(p.to_str().unwrap_or_default());
    let passwords: serde_json::Map<String, Value> =
        c.users.iter().map(|u| (u.name.clone(), Value::String(u.password.clone()))).collect();
    let service = format!("127.0.0.1:{}", c.ports.service);
    let command = json!([c.bin, "grading", "--config", c.grading, "--listen", service]);
    // Harmless for the venv's own share/jupyter, needed for a prefix's.
    let environment = json!({"JUPYTER_PATH": c.jupyter_path});
    format!(
        r#"# Written by `cargo xtask demo`; made afresh on each start.
import hmac
import os

from jupyterhub.auth import Authenticator

c = get_config()  # noqa


class DemoAuthenticator(Authenticator):
    """The demo's users and their passwords (printed by `cargo xtask demo`)."""

    passwords = {passwords}

    async def authenticate(self, handler, data):
        name = data.get("username", "")
        given = data.get("password", "").encode()
        if name in self.passwords and hmac.compare_digest(self.passwords[name].encode(), given):
            return name
        return None


c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {hub}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_api}
c.JupyterHub.db_url = "sqlite:///" + {dir} + "/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = {dir} + "/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = {dir} + "/jupyterhub.pid"
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True
c.ConfigurableHTTPProxy.command = [{proxy}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api}"
c.ConfigurableHTTPProxy.pid_file = {dir} + "/proxy.pid"

c.JupyterHub.authenticator_class = DemoAuthenticator
c.Authenticator.allowed_users = set(DemoAuthenticator.passwords)
c.JupyterHub.load_groups = {{{group}: {{"users": [{instructor}]}}}}

# Each user's JupyterLab runs as this account, in a home folder of the demo's own.
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {dir} + "/homes/{{username}}"
c.Spawner.cmd = [{singleuser}]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.Spawner.environment = {environment}
# Offline and quiet: no news or update checks from JupyterLab.
c.Spawner.args = ["--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
if os.geteuid() == 0:
    c.Spawner.args.append("--allow-root")

# Users reach the service (the hub checks this before OAuth); who may grade is the service's call.
c.JupyterHub.extra_user_scopes = {{"access:services!service={SERVICE}"}}
c.JupyterHub.services = [
    {{"name": "{SERVICE}", "url": "http://{service}", "command": {command}, "oauth_no_confirm": True,
      "environment": {{"LABLINK_LOG": "info"}}}},
    {{"name": "{ADMIN_SERVICE}", "api_token": {admin_token}}},
]
c.JupyterHub.load_roles = [
    {{"name": "{SERVICE}", "scopes": ["read:users:name", "read:users:groups"], "services": ["{SERVICE}"]}},
    {{"name": "{ADMIN_SERVICE}", "scopes": ["admin:users", "admin:groups", "admin:servers", "tokens", "access:servers"],
      "services": ["{ADMIN_SERVICE}"]}},
]
"#,
        passwords = Value::Object(passwords),
        hub = c.ports.hub,
        hub_api = c.ports.hub_api,
        proxy_api = c.ports.proxy_api,
        dir = s(c.dir),
        proxy = s(c.proxy),
        group = py(GROUP),
        instructor = py(INSTRUCTOR),
        singleuser = s(&c.venv.join("bin/jupyterhub-singleuser")),
        admin_token = py(c.admin_token),
    )
}

impl Drop for Stack {
    /// SIGTERM lets the hub stop the users' servers, its service and the proxy itself; a proxy
    /// that outlives a hub which died early (the proxy's pid file names it) is ended after.
    fn drop(&mut self) {
        if let Some(mut hub) = self.hub.take() {
            signal(hub.id(), rustix::process::Signal::TERM);
            let deadline = Instant::now() + Duration::from_secs(20);
            while hub.try_wait().ok().flatten().is_none() {
                if Instant::now() > deadline {
                    let _ = hub.kill();
                    let _ = hub.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let proxy = std::fs::read_to_string(self.info.dir.join("proxy.pid")).ok();
            if let Some(pid) = proxy.and_then(|p| p.trim().parse::<u32>().ok()) {
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                if String::from_utf8_lossy(&cmdline).contains("configurable-http-proxy") {
                    signal(pid, rustix::process::Signal::TERM);
                }
            }
        }
        self.lms.take();
    }
}

fn signal(pid: u32, signal: rustix::process::Signal) {
    if let Some(pid) = rustix::process::Pid::from_raw(pid as i32) {
        let _ = rustix::process::kill_process(pid, signal);
    }
}

/// What `cargo xtask demo` prints once everything answers: where to go and what to click.
pub fn instructions(info: &StackInfo, picker: Option<&str>) -> String {
    let (teacher, student) = (info.user(INSTRUCTOR), info.user(STUDENT));
    let mut text =
        String::from("\nlablink demo: everything below listens on 127.0.0.1 only; Ctrl-C stops it all.\n\n");
    if let Some(picker) = picker {
        text += &format!(
            "Folder picker (what a teacher sees in Moodle's assignment settings):\n    {picker}\n\n"
        );
    }
    text += &format!(
        "JupyterHub with the grades panel:\n    {hub}/\n\
         \x20   user {ti:<10}  password {tp}   (in the group {GROUP}: may read and sync grades)\n\
         \x20   user {si:<10}  password {sp}   (a student: the panel says \"not an instructor\")\n\n\
         Test LMS (course PY101, with {n} of the 20 students enrolled):\n    \
         {lms}/_test/scores  shows every score it received\n\n\
         To sync grades, as the instructor:\n\
         \x20 1. Open {hub}/ and sign in as {ti}; JupyterLab opens.\n\
         \x20 2. In the Launcher, click \"Grades\" (also in the left sidebar and the command palette).\n\
         \x20 3. Pick the course {COURSE} and an assignment (week1, week2, week3): the table shows\n\
         \x20    nbgrader's score, the LMS's and what a sync would do for each student.\n\
         \x20 4. Click \"Sync grades\": the preview counts what will change. Click \"Sync now\", watch the\n\
         \x20    progress bar and each student's outcome; {lms}/_test/scores lists what arrived.\n\
         \x20 quinn has no LMS id and theo is not enrolled in the LMS: both are left out, saying why.\n\
         \x20 A teacher changed {eu}'s {ea} grade in the LMS to {es}: it shows \"Changed in the LMS\" and\n\
         \x20 is kept unless you tick it in the preview.\n\
         \x20 To try \"Retry failed\", make the LMS refuse two students' scores, sync, then let them through:\n\
         \x20    curl -d '{{\"path\": \"/scores\", \"users\": [\"lms-ada\", \"lms-ben\"], \"status\": 503, \"times\": null}}' {lms}/_test/faults\n\
         \x20    curl -X DELETE {lms}/_test/faults\n\
         \x20 The course's nbgrader files are in the instructor's home ({COURSE}/, gradebook.db).\n\n\
         Files of this run (made afresh each start): {dir}\n",
        hub = info.hub_url,
        ti = teacher.name,
        tp = teacher.password,
        si = student.name,
        sp = student.password,
        lms = info.lms_url,
        n = 18,
        eu = TEACHER_EDIT.0,
        ea = TEACHER_EDIT.1,
        es = TEACHER_EDIT.2,
        dir = info.dir.display(),
    );
    text
}

/// Blocks until Ctrl-C or SIGTERM (then the caller's drops stop everything), or until the hub
/// exits on its own (an error, with its log's tail).
pub fn wait_for_stop(stack: &mut Stack) -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                _ = interrupt.recv() => break,
                _ = terminate.recv() => break,
                _ = tick.tick() => {
                    if let Some(status) = stack.hub_exited() {
                        bail!("JupyterHub exited ({status}):\n{}", stack.log_tail(40));
                    }
                }
            }
        }
        eprintln!("\nstopping the demo");
        Ok(())
    })
}

/// What a newcomer does first, checked through the proxy with the users' API tokens: the
/// instructor sees the course and its grade table, the student sees no course, the LMS holds
/// the roster, and the instructor's JupyterLab starts (with the extension when it is built).
pub fn smoke(stack: &Stack) -> anyhow::Result<()> {
    let info = &stack.info;
    let client = reqwest::blocking::Client::builder().timeout(Duration::from_secs(30)).build()?;
    let get = |url: &str, token: &str| -> anyhow::Result<Value> {
        let reply = client.get(url).header("authorization", format!("token {token}")).send()?;
        let status = reply.status();
        let text = reply.text()?;
        ensure!(status.is_success(), "GET {url}: {status} {text}");
        serde_json::from_str(&text).with_context(|| format!("GET {url}: not JSON: {text}"))
    };
    let (teacher, student) = (stack.token(INSTRUCTOR)?, stack.token(STUDENT)?);
    let courses = get(&format!("{}api/courses", info.service_url), &teacher)?;
    ensure!(
        courses["courses"].as_array().is_some_and(|c| c.len() == 1 && c[0]["id"] == COURSE),
        "the instructor's courses: {courses}"
    );
    let courses = get(&format!("{}api/courses", info.service_url), &student)?;
    ensure!(courses["courses"] == json!([]), "the student's courses: {courses}");
    let table = get(&format!("{}api/courses/{COURSE}/assignments/week1/grades", info.service_url), &teacher)?;
    let rows = table["rows"].as_array().context("no rows in the grade table")?;
    // week1 is the assignment the teacher's edit is in.
    debug_assert_eq!(TEACHER_EDIT.1, "week1");
    let status = |id: &str| rows.iter().find(|r| r["student_id"] == id).map(|r| r["status"].clone());
    ensure!(rows.len() == 20, "week1 has {} rows, not 20: {table}", rows.len());
    ensure!(table["lms"]["error"].is_null(), "the LMS side of the table: {}", table["lms"]);
    ensure!(status("quinn") == Some(json!("no_lms_id")), "quinn: {:?}", status("quinn"));
    ensure!(status("theo") == Some(json!("not_enrolled")), "theo: {:?}", status("theo"));
    ensure!(status("ada") == Some(json!("pending")), "ada: {:?}", status("ada"));
    let edited = TEACHER_EDIT.0;
    ensure!(status(edited) == Some(json!("lms_changed")), "{edited}: {:?}", status(edited));

    // The instructor's JupyterLab, started as the hub starts it at sign-in.
    stack.admin_api(reqwest::Method::POST, &format!("users/{INSTRUCTOR}/server"), None)?;
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let user = stack.admin_api(reqwest::Method::GET, &format!("users/{INSTRUCTOR}"), None)?;
        if user["servers"][""]["ready"] == true {
            break;
        }
        ensure!(
            Instant::now() < deadline,
            "the instructor's JupyterLab did not start:\n{}",
            stack.log_tail(40)
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    let lab = client
        .get(format!("{}/user/{INSTRUCTOR}/lab", info.hub_url))
        .header("authorization", format!("token {teacher}"))
        .send()?;
    let lab_status = lab.status();
    let page = lab.text()?;
    ensure!(
        lab_status.is_success() && page.contains("jupyter-config-data"),
        "JupyterLab's page: {lab_status}"
    );
    ensure!(page.contains("@lablink/labextension"), "JupyterLab's page lists no @lablink/labextension");
    println!(
        "demo hub smoke test: the instructor sees {COURSE} (20 rows in week1, {} changed in the LMS), the \
         student none, and the instructor's JupyterLab runs with the grades panel's extension",
        TEACHER_EDIT.0
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> StackInfo {
        let user = |name: &str, password: &str| User {
            name: name.into(),
            password: password.into(),
            role: name.into(),
        };
        StackInfo {
            hub_url: "http://127.0.0.1:8701".into(),
            service_url: "http://127.0.0.1:8701/services/lablink-grading/".into(),
            lms_url: "http://127.0.0.1:8702".into(),
            lms_context: LMS_CONTEXT.into(),
            lineitems_url: String::new(),
            users: vec![user(INSTRUCTOR, "teach-1234"), user(STUDENT, "learn-5678")],
            admin_token: "secret-admin-token".into(),
            course: COURSE.into(),
            instructor_group: GROUP.into(),
            assignments: json!({"week1": 10}),
            dir: "/tmp/demo-hub".into(),
            gradebook: PathBuf::new(),
            expected_csv: PathBuf::new(),
            venv: PathBuf::new(),
            hub_log: PathBuf::new(),
        }
    }

    #[test]
    fn the_instructions_name_both_urls_both_users_and_what_to_click() {
        let text = instructions(&info(), Some("http://127.0.0.1:8700/"));
        for needed in [
            "http://127.0.0.1:8700/",
            "http://127.0.0.1:8701/",
            "user instructor  password teach-1234",
            "user student     password learn-5678",
            "http://127.0.0.1:8702/_test/scores",
            "\"Grades\"",
            "\"Sync grades\"",
            "\"Sync now\"",
            "\"Retry failed\"",
            "elena's week1 grade",
            GROUP,
        ] {
            assert!(text.contains(needed), "{needed:?} missing from:\n{text}");
        }
        assert!(!text.contains("secret-admin-token"), "the admin token stays in stack.json");
        assert!(!instructions(&info(), None).contains("Folder picker"), "--hub-only has no picker page");
    }

    #[test]
    fn ports_follow_the_base_without_overlap() {
        let ports = Ports::from_base(8701).all();
        assert_eq!(ports, [8701, 8702, 8703, 8704, 8705]);
    }

    #[test]
    fn the_hub_config_holds_the_users_the_group_and_the_service() {
        let users = info().users;
        let text = hub_config(&HubConfig {
            dir: Path::new("/d"),
            venv: Path::new("/v"),
            bin: Path::new("/b/lablink"),
            proxy: Path::new("/p/chp"),
            grading: Path::new("/d/grading/grading.toml"),
            ports: Ports::from_base(8701),
            users: &users,
            admin_token: "tok",
            jupyter_path: Path::new("/v/share/jupyter"),
        });
        for needed in [
            r#"passwords = {"instructor":"teach-1234","student":"learn-5678"}"#,
            r#"c.JupyterHub.load_groups = {"formgrade-intro-python": {"users": ["instructor"]}}"#,
            r#"c.Spawner.cmd = ["/v/bin/jupyterhub-singleuser"]"#,
            r#"c.Spawner.default_url = "/lab""#,
            r#"["/b/lablink","grading","--config","/d/grading/grading.toml","--listen","127.0.0.1:8705"]"#,
            r#"c.Spawner.environment = {"JUPYTER_PATH":"/v/share/jupyter"}"#,
        ] {
            assert!(text.contains(needed), "{needed:?} missing from:\n{text}");
        }
    }
}
