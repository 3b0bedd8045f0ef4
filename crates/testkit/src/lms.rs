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
            "DELETE" => client.delete(format!("{base}{path}")),
            _ => client.get(format!("{base}{path}")),
        };
        request.send().await.unwrap().json().await.unwrap()
    }

    /// As [`control`](Self::control), panicking when the platform refuses (`{"error": …}`).
    async fn control_ok(&self, method: &str, path: &str, body: Value) -> Value {
        let answer = self.control(method, path, Some(body)).await;
        assert!(answer.get("error").is_none(), "{method} {path}: {answer}");
        answer
    }

    /// Changes the platform's settings (`POST /_test/config`), e.g. which services the tool may use.
    pub async fn configure(&self, settings: Value) -> Value {
        self.control("POST", "/_test/config", Some(settings)).await
    }

    /// Sets `user`'s grade in course 42's `lineitem` (its id, number or resourceId) as a teacher
    /// editing the LMS gradebook would, on the line item's scale; `None` clears it. Not a
    /// score the tool posted.
    pub async fn set_grade(&self, lineitem: &str, user: &str, score: Option<f64>) -> Value {
        let body =
            serde_json::json!({"ctx": "42", "lineitem": lineitem, "userId": user, "resultScore": score});
        self.control_ok("POST", "/_test/scores", body).await
    }

    /// As [`set_grade`](Self::set_grade), as Moodle keeps a grade edited in its gradebook: an
    /// override, which later tool scores do not change.
    pub async fn override_grade(&self, lineitem: &str, user: &str, score: f64) -> Value {
        let body = serde_json::json!({"ctx": "42", "lineitem": lineitem, "userId": user, "resultScore": score,
                                      "overridden": true});
        self.control_ok("POST", "/_test/scores", body).await
    }

    /// Locks (or unlocks) course 42's grade column `lineitem`, or only `user`'s grade in it:
    /// score POSTs to it then get Moodle's 500.
    pub async fn lock(&self, lineitem: &str, user: Option<&str>, locked: bool) -> Value {
        let body = serde_json::json!({"ctx": "42", "lineitem": lineitem, "userId": user, "locked": locked});
        self.control_ok("POST", "/_test/locks", body).await
    }

    /// Makes every score POST for these LMS users answer `status` until the faults are cleared.
    pub async fn fail_scores_of(&self, users: &[&str], status: u16) -> Value {
        let rule = serde_json::json!([{"method": "POST", "path": "/scores", "users": users,
                                       "status": status, "times": null}]);
        self.control("POST", "/_test/faults", Some(rule)).await
    }

    pub async fn clear_faults(&self) -> Value {
        self.control("DELETE", "/_test/faults", None).await
    }

    /// The score POSTs the platform received for `user` (every try, refused ones too).
    pub async fn score_posts_of(&self, user: &str) -> usize {
        let requests = self.control("GET", "/_test/requests", None).await;
        requests
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["method"] == "POST" && r["target"].as_str().unwrap_or_default().contains("/scores"))
            .filter(|r| {
                serde_json::from_str::<Value>(r["body"].as_str().unwrap_or_default())
                    .is_ok_and(|b| b["userId"] == user)
            })
            .count()
    }

    /// What course 42's `lineitem` holds for `user` now (`resultScore`, on its scale), and who
    /// put it there (`tool` or `gradebook`); `None` when nothing.
    pub async fn held(&self, lineitem_resource: &str, user: &str) -> Option<(Option<f64>, String)> {
        let state = self.control("GET", "/_test/state", None).await;
        let item = state["courses"]["42"]["lineitems"]
            .as_array()?
            .iter()
            .find(|i| i["resourceId"] == lineitem_resource || i["id"] == lineitem_resource)?
            .clone();
        let num = item["_num"].as_str()?.to_owned();
        let scores = self.control("GET", "/_test/scores", None).await;
        scores["current"]
            .as_array()?
            .iter()
            .find(|c| c["lineitem"] == num.as_str() && c["userId"] == user)
            .map(|c| (c["resultScore"].as_f64(), c["source"].as_str().unwrap_or_default().to_owned()))
    }
}
