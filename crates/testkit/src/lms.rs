//! The test LMS (`tests/grading/lti_platform.py`) beside our own router serving `/jwks`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use lablink_grading::auth::HubAuth;
use lablink_grading::config::Platform;
use lablink_grading::keys::SigningKey;
use lablink_grading::router::router;
use lablink_grading::state::AppState;
use serde_json::Value;

use crate::env::{repo, venv};

pub struct Lms {
    child: Child,
    pub info: Value,
    /// The tool key's directory (shared by platforms started with [`start_trusting`]).
    dir: Arc<tempfile::TempDir>,
    pub key: AppState,
    jwks: String,
}

impl Drop for Lms {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Our router (for /jwks) on a free port, then the platform pointed at it.
pub async fn start() -> Lms {
    start_with(&[]).await
}

/// As [`start`], with more command-line options for the platform.
pub async fn start_with(args: &[&str]) -> Lms {
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::load_or_create(&dir.path().join("key.pem")).unwrap();
    let hub = Arc::new(HubAuth::disabled("/services/grading/"));
    let state = AppState { key: Arc::new(key), hub, service: None };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let jwks = format!("http://{}/services/grading/jwks", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, router(state.clone(), "/services/grading/")).into_future());
    spawn(Arc::new(dir), state, jwks, args)
}

/// A second platform (its own process, keys and tokens) that trusts the same tool key as
/// `first`: two LMSs one grading service talks to.
pub fn start_trusting(first: &Lms, args: &[&str]) -> Lms {
    spawn(Arc::clone(&first.dir), first.key.clone(), first.jwks.clone(), args)
}

fn spawn(dir: Arc<tempfile::TempDir>, key: AppState, jwks: String, args: &[&str]) -> Lms {
    let mut child = Command::new(venv().join("bin/python"))
        .arg(repo().join("tests/grading/lti_platform.py"))
        .args(["--port", "0", "--moodle-paths", "--type-id", "7", "--quiet", "--tool-jwks-url", &jwks])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let info: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("platform said {line:?}: {e}"));
    assert_eq!(info["ready"], true);
    Lms { child, info, dir, key, jwks }
}

impl Lms {
    /// The signing key behind the `/jwks` the platform trusts (for a `lablink` process to share).
    pub fn key_file(&self) -> std::path::PathBuf {
        self.dir.path().join("key.pem")
    }

    pub fn platform(&self) -> Platform {
        Platform {
            name: "test".into(),
            issuer: self.info["issuer"].as_str().unwrap_or_default().into(),
            client_id: "lablink-grading".into(),
            deployment_id: "1".into(),
            token_url: self.info["token_url"].as_str().unwrap().into(),
            keyset_url: self.info["platform_jwks_url"].as_str().unwrap_or_default().into(),
            audience: None,
        }
    }

    /// The service's config for this platform: `key_file` and one `[[{table}]]` named "test"
    /// (`table` is `platforms` or `grading.platforms`). Top-level keys come first in TOML.
    pub fn config_toml(&self, table: &str) -> String {
        format!(
            "key_file = {key:?}\n[[{table}]]\nname = \"test\"\nissuer = {issuer:?}\nclient_id = \"lablink-grading\"\n\
             deployment_id = \"1\"\ntoken_url = {token:?}\nkeyset_url = {keyset:?}\n",
            key = self.key_file(),
            issuer = self.info["issuer"].as_str().unwrap(),
            token = self.info["token_url"].as_str().unwrap(),
            keyset = self.info["platform_jwks_url"].as_str().unwrap(),
        )
    }

    /// One `[[{table}]]` for this platform named `name`.
    pub fn platform_toml(&self, table: &str, name: &str) -> String {
        format!(
            "[[{table}]]\nname = {name:?}\nissuer = {issuer:?}\nclient_id = \"lablink-grading\"\n\
             deployment_id = \"1\"\ntoken_url = {token:?}\nkeyset_url = {keyset:?}\n",
            issuer = self.info["issuer"].as_str().unwrap(),
            token = self.info["token_url"].as_str().unwrap(),
            keyset = self.info["platform_jwks_url"].as_str().unwrap(),
        )
    }

    pub fn course(&self, what: &str) -> String {
        self.info["courses"]["42"][what].as_str().unwrap().to_owned()
    }

    pub async fn control(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let base = format!("http://127.0.0.1:{}", self.info["port"]);
        let client = reqwest::Client::new();
        let request = match method {
            "POST" => client.post(format!("{base}{path}")).json(&body.unwrap_or(Value::Null)),
            _ => client.get(format!("{base}{path}")),
        };
        request.send().await.unwrap().json().await.unwrap()
    }

    /// Changes the platform's settings (`POST /_test/config`), e.g. which services the tool may use.
    pub async fn configure(&self, settings: Value) -> Value {
        self.control("POST", "/_test/config", Some(settings)).await
    }
}
