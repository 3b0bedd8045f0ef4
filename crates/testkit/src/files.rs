//! The file server under test: the real router on a loopback port with two homes, v2 and
//! legacy requests signed as the LMS signs them, and readers for its replies and zips.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use lablink_fileserver::config::{FilesConfig, LegacyKey, LegacyTimes, V2Key};
use md5::{Digest, Md5};

pub use crate::signers::{claims, legacy_params, now, sign_with};

pub const KID: &str = "test-key";
pub const SECRET: &str = "an HS256 secret of decent length";
pub const LEGACY_USER: &str = "moodle";
pub const LEGACY_SECRET: &str = "legacy-shared-secret";
/// A string only Bob's files hold: it must never leave his home through Alice's requests.
pub const BOB_SECRET: &str = "BOB-PRIVATE-7f3a9c";

/// A running file server, its homes folder and a client.
pub struct Server {
    pub addr: SocketAddr,
    pub homes: PathBuf,
    pub client: reqwest::Client,
    _tmp: tempfile::TempDir,
}

/// Starts the server with homes `alice` and `bob` (Bob holds `private/secret.txt`).
pub async fn start() -> Server {
    start_with(|_| {}).await
}

pub async fn start_with(tune: impl FnOnce(&mut FilesConfig)) -> Server {
    let tmp = tempfile::tempdir().unwrap();
    let homes = tmp.path().join("homes");
    for home in ["alice", "bob"] {
        std::fs::create_dir_all(homes.join(home)).unwrap();
    }
    std::fs::create_dir_all(homes.join("bob/private")).unwrap();
    std::fs::write(homes.join("bob/private/secret.txt"), BOB_SECRET).unwrap();
    let mut config = FilesConfig {
        homes: homes.clone(),
        listen: "127.0.0.1:0".parse().unwrap(),
        v2_keys: vec![V2Key {
            kid: KID.into(),
            secret: Some(SECRET.into()),
            secret_file: None,
            issuer: None,
        }],
        legacy_keys: vec![LegacyKey {
            user: LEGACY_USER.into(),
            secret: Some(LEGACY_SECRET.into()),
            secret_file: None,
        }],
        // The expected times in the tests are UTC, whatever the machine's zone.
        legacy_times: LegacyTimes::Utc,
        ..FilesConfig::default()
    };
    tune(&mut config);
    let state = lablink_fileserver::AppState::new(&config).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, lablink_fileserver::router(state)).await.unwrap();
    });
    Server { addr, homes, client: reqwest::Client::new(), _tmp: tmp }
}

/// A v2 token of the server's key for one request.
pub fn token(home: &str, method: &str, path: &str, scope: &str) -> String {
    sign_with(&claims(home, method, path, scope), KID, SECRET)
}

impl Server {
    pub fn url(&self, path_and_query: &str) -> String {
        format!("http://{}{}", self.addr, path_and_query)
    }

    pub fn home(&self, name: &str) -> PathBuf {
        self.homes.join(name)
    }

    /// GET on a v2 route of `home` with a fresh read token for exactly that route.
    pub async fn get(&self, home: &str, route: &str, query: &str) -> reqwest::Response {
        let path = format!("/v2/homes/{home}/{route}");
        let t = token(home, "GET", &path, "read");
        self.client.get(self.url(&format!("{path}?{query}"))).bearer_auth(t).send().await.unwrap()
    }

    /// POST on a v2 route of `home` with a fresh write token.
    pub async fn post(&self, home: &str, route: &str, query: &str, body: Vec<u8>) -> reqwest::Response {
        let path = format!("/v2/homes/{home}/{route}");
        let t = token(home, "POST", &path, "read write");
        self.client.post(self.url(&format!("{path}?{query}"))).bearer_auth(t).body(body).send().await.unwrap()
    }

    /// A legacy request signed as the noto Moodle plugin signs it.
    pub fn legacy_query(&self, payload: &str, timestamp: i64, secret: &str) -> Vec<(String, String)> {
        legacy_params(LEGACY_USER, payload, timestamp, secret)
    }

    pub async fn legacy_get(&self, route: &str, payload: &str) -> LegacyReply {
        let params = self.legacy_query(payload, now(), LEGACY_SECRET);
        self.legacy_send(route, &params).await
    }

    pub async fn legacy_send(&self, route: &str, params: &[(String, String)]) -> LegacyReply {
        let resp = self.client.get(self.url(route)).query(params).send().await.unwrap();
        LegacyReply::read(resp).await
    }
}

/// A legacy reply, checked for the envelope's invariants on the way in.
pub struct LegacyReply {
    pub status: u16,
    pub raw: String,
    pub code: i64,
    pub message: String,
    pub payload: serde_json::Value,
    pub payload_text: String,
}

impl LegacyReply {
    pub async fn read(resp: reqwest::Response) -> Self {
        let status = resp.status().as_u16();
        let raw = resp.text().await.unwrap();
        let v: serde_json::Value = serde_json::from_str(&raw).unwrap_or_else(|_| panic!("not JSON: {raw}"));
        let payload_text = v["payload"].as_str().expect("payload is a string").to_owned();
        let md5 = STANDARD.encode(Md5::digest(payload_text.as_bytes()));
        assert_eq!(v["md5_payload"].as_str().unwrap(), md5, "md5_payload must match payload");
        Self {
            status,
            code: v["return"]["code"].as_i64().unwrap(),
            message: v["return"]["status"].as_str().unwrap().to_owned(),
            payload: serde_json::from_str(&payload_text).unwrap(),
            payload_text,
            raw,
        }
    }
}

/// A legacy payload naming user `id`, with `extra` fields.
pub fn user_payload(id: &str, extra: &[(&str, serde_json::Value)]) -> String {
    // As PHP's json_encode writes it: compact, slashes escaped.
    let mut map = serde_json::Map::new();
    map.insert(
        "user".into(),
        serde_json::json!({"id": id, "primary_email": format!("{id}@example.org"), "auth_method": "test"}),
    );
    for (k, v) in extra {
        map.insert((*k).into(), v.clone());
    }
    serde_json::to_string(&map).unwrap().replace('/', "\\/")
}

/// Builds a zip in memory from (name, content) pairs; a name ending in `/` is a folder.
pub fn make_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        if name.ends_with('/') {
            zip.add_directory(*name, opts).unwrap();
        } else {
            zip.start_file(*name, opts).unwrap();
            zip.write_all(data).unwrap();
        }
    }
    zip.finish().unwrap().into_inner()
}

/// Names and contents of a zip.
pub fn read_zip(bytes: &[u8]) -> HashMap<String, Vec<u8>> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = HashMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.insert(f.name().unwrap().into_owned(), data);
    }
    out
}

/// Staging folders left behind anywhere below `dir` (there must never be any).
pub fn leftovers(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if e.file_name().to_string_lossy().starts_with(".lablink-") {
                found.push(p.clone());
            }
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            }
        }
    }
    found
}

/// A symbolic link at `link` to `target`.
pub fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

/// Status, error code and message of a v2 error reply.
pub async fn error_code(resp: reqwest::Response) -> (u16, String, String) {
    let status = resp.status().as_u16();
    let body: serde_json::Value = resp.json().await.unwrap();
    (
        status,
        body["error"]["code"].as_str().unwrap_or_default().to_owned(),
        body["error"]["message"].as_str().unwrap_or_default().to_owned(),
    )
}
