//! The `lablink` binary itself: configuration from the environment, `--help`, `token`, and
//! logs that never carry a secret, a token or a signature.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lablink_testkit::env::free_port;
use lablink_testkit::signers::legacy_params;

const BIN: &str = env!("CARGO_BIN_EXE_lablink");
const V2_SECRET: &str = "v2-secret-that-must-not-leak";
const LEGACY_SECRET: &str = "legacy-secret-that-must-not-leak";

#[test]
fn help_documents_the_configuration() {
    let out = Command::new(BIN).args(["files", "--help"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "LABLINK_FILES_HOMES",
        "LABLINK_FILES_V2_KEYS",
        "LABLINK_FILES_LEGACY_KEYS",
        "--config",
        "home_naming",
    ] {
        assert!(text.contains(needle), "help lacks {needle}");
    }
    // Every variable of the table the configuration is read through, none forgotten.
    use lablink_fileserver::config::{ENV_PREFIX, SETTINGS};
    assert!(SETTINGS.len() >= 18);
    for s in SETTINGS {
        let name = format!("{ENV_PREFIX}{}", s.env);
        assert!(text.contains(&format!("  {name} ")), "help lacks {name}:\n{text}");
    }
    let out = Command::new(BIN).args(["grading", "--help"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for s in lablink_grading::config::SETTINGS {
        let name = format!("{}{}", lablink_grading::config::ENV_PREFIX, s.env);
        assert!(text.contains(&format!("  {name} ")), "grading help lacks {name}:\n{text}");
    }
}

#[test]
fn a_typo_in_the_files_table_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("files.toml");
    std::fs::write(&config, "[files]\nlisen = \"127.0.0.1:1\"\n").unwrap();
    let out = Command::new(BIN).args(["files", "--config"]).arg(&config).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown field `lisen`") && err.contains("[files]"), "{err}");
    assert!(!err.contains("unknown field `files`"), "{err}");
}

/// The demo mints tokens for anyone on loopback: a build without its feature (as `cargo test
/// -p lablink` and `cargo xtask dist` build) has no demo at all and says so.
#[test]
fn the_demo_exists_only_with_its_feature() {
    let manifest = include_str!("../Cargo.toml");
    assert!(
        !manifest.lines().any(|l| l.trim_start().starts_with("default") && l.contains("demo")),
        "`demo` must not be a default feature: plain release builds would ship it"
    );
    let out = Command::new(BIN).args(["demo", "--listen", "0.0.0.0:1"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    if cfg!(feature = "demo") {
        assert!(err.contains("only listens on loopback"), "{err}");
    } else {
        assert!(err.contains("built without the demo") && err.contains("cargo xtask demo"), "{err}");
        let help = Command::new(BIN).arg("--help").output().unwrap();
        assert!(!String::from_utf8_lossy(&help.stdout).contains("demo"), "a hidden command is not offered");
    }
}

#[test]
fn bad_configuration_is_refused_clearly() {
    let out = Command::new(BIN)
        .args(["files"])
        .env("LABLINK_FILES_HOMES", "/nonexistent/homes")
        .env("LABLINK_FILES_V2_KEYS", "k=tiny-s3cr3t")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("at least 16 bytes"), "{err}");
    assert!(!err.contains("tiny-s3cr3t"), "the secret itself must not be echoed: {err}");
}

#[test]
fn serves_from_env_config_and_logs_no_secrets() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("alice/work")).unwrap();
    std::fs::write(tmp.path().join("alice/work/a.txt"), b"a").unwrap();
    let port = free_port();
    let mut child = Command::new(BIN)
        .args(["files", "--listen", &format!("127.0.0.1:{port}")])
        // The flag wins over the environment.
        .env("LABLINK_FILES_LISTEN", format!("127.0.0.1:{}", free_port()))
        .env("LABLINK_FILES_HOMES", tmp.path())
        .env("LABLINK_FILES_V2_KEYS", format!("cli={V2_SECRET}"))
        .env("LABLINK_FILES_LEGACY_KEYS", format!("moodle={LEGACY_SECRET}"))
        .env("LABLINK_LOG", "debug")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::blocking::Client::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while client.get(format!("{base}/v2/health")).send().is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }

    // A token from `lablink token`, with the key from the same environment.
    let path = "/v2/homes/alice/entries";
    let out = Command::new(BIN)
        .args(["token", "--home", "alice", "--path", path])
        .env("LABLINK_FILES_V2_KEYS", format!("cli={V2_SECRET}"))
        .output()
        .unwrap();
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let resp = client.get(format!("{base}{path}?path=work")).bearer_auth(&token).send().unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().unwrap().contains("a.txt"));
    // Replayed: refused, and still nothing of the token in the logs.
    let resp = client.get(format!("{base}{path}?path=work")).bearer_auth(&token).send().unwrap();
    assert_eq!(resp.status(), 401);

    // A legacy call, and one with a wrong signature.
    let payload = r#"{"user":{"id":"alice","primary_email":"a@x","auth_method":"test"},"path":"work"}"#;
    let signed = legacy_params("moodle", payload, lablink_testkit::signers::now(), LEGACY_SECRET);
    let param = |name: &str| signed.iter().find(|(k, _)| k == name).unwrap().1.clone();
    let (md5, key) = (param("md5_payload"), param("key"));
    let mut forged = signed.clone();
    forged.retain(|(k, _)| k != "key");
    forged.push(("key".into(), "AAAA".into()));
    for params in [&signed, &forged] {
        let resp = client.get(format!("{base}/ls")).query(params).send().unwrap();
        assert_eq!(resp.status(), 200);
    }

    child.kill().unwrap();
    let mut logs = String::new();
    child.stderr.take().unwrap().read_to_string(&mut logs).unwrap();
    child.wait().unwrap();
    assert!(logs.contains("/v2/homes/alice/entries"), "requests are logged: {logs}");
    assert!(logs.contains("/ls"));
    for secret in [V2_SECRET, LEGACY_SECRET, &token, &key, &md5, "primary_email"] {
        assert!(!logs.contains(secret), "logs leak `{secret}`:\n{logs}");
    }
    // Nor any piece of the token (its signature part).
    let signature = token.rsplit('.').next().unwrap();
    assert!(!logs.contains(signature));
}

#[test]
fn grading_serves_its_jwks_under_the_hub_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("grading.toml");
    std::fs::write(&config, format!("[grading]\nkey_file = {:?}\n", dir.path().join("key.pem"))).unwrap();
    let mut child = Command::new(BIN)
        .args(["grading", "--config"])
        .arg(&config)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .env("LABLINK_GRADING_LISTEN", format!("127.0.0.1:{}", free_port()))
        .env("JUPYTERHUB_SERVICE_PREFIX", "/services/lablink-grading/")
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/services/lablink-grading/jwks");
    let deadline = Instant::now() + Duration::from_secs(60);
    let jwks: serde_json::Value = loop {
        match reqwest::blocking::get(&url) {
            Ok(r) if r.status().is_success() => break r.json().unwrap(),
            _ if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            other => panic!("no jwks: {other:?}"),
        }
    };
    let _ = child.kill();
    let _ = child.wait();
    let key = &jwks["keys"][0];
    assert_eq!((key["kty"].as_str(), key["alg"].as_str()), (Some("RSA"), Some("RS256")));
    assert!(key["n"].as_str().unwrap().len() > 300, "a 2048-bit modulus");
    assert!(dir.path().join("key.pem").exists(), "the key was made on first run");
}
