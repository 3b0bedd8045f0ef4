//! The noto-legacy protocol end to end: envelope bytes, the five routes, every refusal code,
//! confinement (`..`, symlinks, user ids) and the upload limits.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use lablink_fileserver::config::{HomeNaming, LegacyTimes};
use lablink_testkit::files;
use lablink_testkit::files::{
    BOB_SECRET, LEGACY_SECRET, LEGACY_USER, LegacyReply, Server, leftovers, legacy_params, make_zip, now,
    read_zip, symlink, user_payload,
};
use serde_json::json;

/// 2020-11-25 13:22:30 UTC.
const T1: u64 = 1_606_310_550;
const T1_TEXT: &str = "2020-11-25 13:22:30";
/// 2021-01-02 03:04:05 UTC.
const T2: u64 = 1_609_556_645;
const T2_TEXT: &str = "2021-01-02 03:04:05";
/// md5_payload of `{}`.
const EMPTY_MD5: &str = "mZFLkyvTelC5g8XnyQrpOw==";

// ---------------------------------------------------------------- helpers

fn write(path: &Path, content: &[u8]) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, content).unwrap();
}

fn write_at(path: &Path, content: &[u8], mtime: u64) {
    write(path, content);
    let f = std::fs::File::options().write(true).open(path).unwrap();
    f.set_modified(UNIX_EPOCH + Duration::from_secs(mtime)).unwrap();
}

fn mkdir(path: &Path) {
    std::fs::create_dir_all(path).unwrap();
}

async fn ls(server: &Server, user: &str, path: &str) -> LegacyReply {
    server.legacy_get("/ls", &user_payload(user, &[("path", json!(path))])).await
}

async fn lof(server: &Server, user: &str, path: &str, max_depth: Option<u32>) -> LegacyReply {
    let payload = match max_depth {
        Some(d) => user_payload(user, &[("path", json!(path)), ("max_depth", json!(d))]),
        None => user_payload(user, &[("path", json!(path))]),
    };
    server.legacy_get("/lof", &payload).await
}

async fn lod(server: &Server, user: &str) -> LegacyReply {
    server.legacy_get("/lod", &user_payload(user, &[])).await
}

async fn zfs(server: &Server, user: &str, folder: &str) -> LegacyReply {
    server.legacy_get("/zfs", &user_payload(user, &[("folder", json!(folder))])).await
}

fn zip_form(zip: Vec<u8>) -> reqwest::multipart::Form {
    let part =
        reqwest::multipart::Part::bytes(zip).file_name("upload.zip").mime_str("application/zip").unwrap();
    reqwest::multipart::Form::new().part("file", part)
}

/// Signed query parameters, as `legacy_params` makes them.
type Query = Vec<(String, String)>;

/// POST /uzu with the given (already signed) query and multipart form.
async fn uzu_send(
    server: &Server,
    params: &[(String, String)],
    form: reqwest::multipart::Form,
) -> LegacyReply {
    let resp = server.client.post(server.url("/uzu")).query(params).multipart(form).send().await.unwrap();
    LegacyReply::read(resp).await
}

async fn uzu(server: &Server, user: &str, destination: &str, zip: Vec<u8>) -> LegacyReply {
    let payload = user_payload(user, &[("destination", json!(destination))]);
    let params = server.legacy_query(&payload, now(), LEGACY_SECRET);
    uzu_send(server, &params, zip_form(zip)).await
}

/// A refusal: HTTP 200, a nonzero code, payload `{}` (and the envelope around it exact).
#[track_caller]
fn assert_refused(r: &LegacyReply, what: &str) {
    assert_eq!(r.status, 200, "{what}: {}", r.raw);
    assert_ne!(r.code, 0, "{what} must be refused: {}", r.raw);
    assert_eq!(r.payload_text, "{}", "{what}: {}", r.raw);
    assert!(
        r.raw.starts_with(&format!("{{\"md5_payload\":\"{EMPTY_MD5}\",\"payload\":\"{{}}\",")),
        "{what}: {}",
        r.raw
    );
    assert!(r.raw.ends_with("}}\n"), "{what}: {}", r.raw);
}

#[track_caller]
fn assert_refused_with(r: &LegacyReply, code: i64, what: &str) {
    assert_refused(r, what);
    assert_eq!(r.code, code, "{what}: {}", r.raw);
}

#[track_caller]
fn assert_ok(r: &LegacyReply, what: &str) {
    assert_eq!(r.status, 200, "{what}: {}", r.raw);
    assert_eq!((r.code, r.message.as_str()), (0, "OK"), "{what}: {}", r.raw);
}

/// `ls`, `lof` and `zfs` of Alice's `path` are all refused, none shows Bob's secret, and the
/// `ls` message says `why`.
async fn assert_reads_refused(server: &Server, path: &str, why: &str) {
    let r = ls(server, "alice", path).await;
    assert!(r.message.contains(why), "ls {path}: {}", r.message);
    let replies = [
        ("ls", r),
        ("lof", lof(server, "alice", path, None).await),
        ("zfs", zfs(server, "alice", path).await),
    ];
    for (route, r) in replies {
        assert_refused(&r, &format!("{route} {path}"));
        assert_no_bob(&r, &format!("{route} {path}"));
    }
}

/// Nothing of Bob's private file in a reply: neither its content nor its name.
#[track_caller]
fn assert_no_bob(r: &LegacyReply, what: &str) {
    assert!(!r.raw.contains(BOB_SECRET), "{what} leaked Bob's secret: {}", r.raw);
    assert!(!r.raw.contains("secret.txt"), "{what} leaked Bob's file name: {}", r.raw);
    if let Some(blob) = r.payload.get("blob").and_then(|b| b.as_str()) {
        assert_blob_clean(&STANDARD.decode(blob).unwrap(), what);
    }
}

/// Neither the zip bytes nor any unpacked entry holds Bob's secret.
#[track_caller]
fn assert_blob_clean(zip: &[u8], what: &str) {
    assert!(!contains(zip, BOB_SECRET.as_bytes()), "{what}: the zip holds Bob's secret");
    for (name, data) in read_zip(zip) {
        assert!(!contains(&data, BOB_SECRET.as_bytes()), "{what}: entry {name} holds Bob's secret");
        assert!(!name.contains("secret.txt"), "{what}: entry {name}");
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The files of a zip (folders left out), by name.
fn zip_files(zip: &[u8]) -> HashMap<String, Vec<u8>> {
    read_zip(zip).into_iter().filter(|(name, _)| !name.ends_with('/')).collect()
}

fn blob_of(r: &LegacyReply) -> Vec<u8> {
    assert_eq!(r.payload["method"], "base64", "{}", r.raw);
    assert_eq!(r.payload["mime"], "application/zip", "{}", r.raw);
    STANDARD.decode(r.payload["blob"].as_str().unwrap()).unwrap()
}

/// Every name below `dir`, relative, sorted (symlinks listed, not followed).
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            out.push(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Bob's home exactly as the harness made it.
#[track_caller]
fn assert_bob_untouched(server: &Server) {
    assert_eq!(tree(&server.home("bob")), vec!["private", "private/secret.txt"]);
    assert_eq!(std::fs::read_to_string(server.home("bob/private/secret.txt")).unwrap(), BOB_SECRET);
}

/// Pseudo-random bytes (deflate cannot shrink them).
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// The project folder most listing tests use:
/// `proj/{top.txt, l0/{f0.txt, l1/{f1.txt, l2/{f2.txt}}}}`.
fn make_proj(server: &Server) {
    let p = server.home("alice/proj");
    write_at(&p.join("top.txt"), b"top", T1);
    write_at(&p.join("l0/f0.txt"), b"zero", T1);
    write_at(&p.join("l0/l1/f1.txt"), b"one", T2);
    write_at(&p.join("l0/l1/l2/f2.txt"), b"two", T2);
}

// ---------------------------------------------------------------- envelope and health

#[tokio::test]
async fn healthz_and_root() {
    let server = files::start().await;
    let resp = server.client.get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.text().await.unwrap(), "OK");

    let resp = server.client.get(server.url("/")).send().await.unwrap();
    let r = LegacyReply::read(resp).await;
    assert_ok(&r, "GET /");
    assert_eq!(r.payload_text, "{}");
    assert_eq!(
        r.raw,
        format!(
            "{{\"md5_payload\":\"{EMPTY_MD5}\",\"payload\":\"{{}}\",\"return\":{{\"code\":0,\"status\":\"OK\"}}}}\n"
        )
    );
}

#[tokio::test]
async fn envelope_bytes_are_the_original_servers() {
    let server = files::start().await;
    let home = server.home("alice");
    write_at(&home.join("caf\u{e9}.txt"), b"x", T1);
    write_at(&home.join("\u{1F600}.txt"), b"y", T2);
    mkdir(&home.join("d"));

    let payload = user_payload("alice", &[("path", json!("/"))]);
    let params = server.legacy_query(&payload, now(), LEGACY_SECRET);
    let resp = server.client.get(server.url("/ls")).query(&params).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let r = LegacyReply::read(resp).await;
    assert_ok(&r, "ls /");

    // The payload as Python's json.dumps writes it: ", " and ": ", non-ASCII as \uXXXX.
    let expected = format!(
        concat!(
            r#"[{{"name": "d", "type": "directory"}}, "#,
            r#"{{"name": "caf\u00e9.txt", "type": "file", "last-modification": "{t1}"}}, "#,
            r#"{{"name": "\ud83d\ude00.txt", "type": "file", "last-modification": "{t2}"}}]"#
        ),
        t1 = T1_TEXT,
        t2 = T2_TEXT
    );
    assert_eq!(r.payload_text, expected);
    assert_eq!(r.payload[1]["name"], "caf\u{e9}.txt");
    assert_eq!(r.payload[2]["name"], "\u{1F600}.txt");

    // The envelope as Flask's jsonify writes it: compact, sorted keys, one trailing newline.
    assert!(r.raw.starts_with("{\"md5_payload\":\""), "{}", r.raw);
    assert!(r.raw.ends_with("}}\n"), "{}", r.raw);
    assert!(r.raw.is_ascii(), "{}", r.raw);
    assert!(r.raw.contains(r"caf\\u00e9.txt"), "{}", r.raw);
    let md5 = STANDARD.encode(<md5::Md5 as md5::Digest>::digest(expected.as_bytes()));
    let exact = format!(
        "{{\"md5_payload\":\"{md5}\",\"payload\":{},\"return\":{{\"code\":0,\"status\":\"OK\"}}}}\n",
        serde_json::to_string(&expected).unwrap()
    );
    assert_eq!(r.raw, exact);
}

// ---------------------------------------------------------------- happy paths

#[tokio::test]
async fn ls_lists_one_level_folders_first_then_names() {
    let server = files::start().await;
    let home = server.home("alice");
    for f in ["b.txt", "B.txt", "a.txt"] {
        write_at(&home.join(f), f.as_bytes(), T1);
    }
    write_at(&home.join("work/inner.txt"), b"deep", T2);
    mkdir(&home.join("Zeta"));
    mkdir(&home.join("alpha"));
    write(&home.join(".hidden"), b"h");
    mkdir(&home.join(".config"));
    symlink(home.join("a.txt"), home.join("link.txt"));
    symlink(home.join("work"), home.join("linkdir"));

    let expected = format!(
        concat!(
            r#"[{{"name": "Zeta", "type": "directory"}}, {{"name": "alpha", "type": "directory"}}, "#,
            r#"{{"name": "work", "type": "directory"}}, "#,
            r#"{{"name": "B.txt", "type": "file", "last-modification": "{t}"}}, "#,
            r#"{{"name": "a.txt", "type": "file", "last-modification": "{t}"}}, "#,
            r#"{{"name": "b.txt", "type": "file", "last-modification": "{t}"}}]"#
        ),
        t = T1_TEXT
    );
    for path in ["/", "./", "", "."] {
        let r = ls(&server, "alice", path).await;
        assert_ok(&r, path);
        assert_eq!(r.payload_text, expected, "path {path:?}");
    }

    let r = ls(&server, "alice", "/work").await;
    assert_ok(&r, "ls /work");
    assert_eq!(
        r.payload_text,
        format!(r#"[{{"name": "inner.txt", "type": "file", "last-modification": "{T2_TEXT}"}}]"#)
    );
    let r = ls(&server, "alice", "./work/").await;
    assert_eq!(r.payload, json!([{"name": "inner.txt", "type": "file", "last-modification": T2_TEXT}]));
    // `..` that stays inside the home is fine.
    let r = ls(&server, "alice", "work/../work").await;
    assert_eq!(r.payload, json!([{"name": "inner.txt", "type": "file", "last-modification": T2_TEXT}]));
    let r = ls(&server, "alice", "/alpha").await;
    assert_ok(&r, "empty folder");
    assert_eq!(r.payload_text, "[]");
}

#[tokio::test]
async fn ls_of_a_missing_folder_is_404() {
    let server = files::start().await;
    write(&server.home("alice/file.txt"), b"f");
    for path in ["/nope", "nope/deeper", "./nope"] {
        let r = ls(&server, "alice", path).await;
        assert_refused_with(&r, 404, path);
        assert_eq!(r.message, "Directory doesn't exist");
    }
    // A file is not a folder either.
    let r = ls(&server, "alice", "/file.txt").await;
    assert_refused_with(&r, 404, "ls of a file");
    // No home at all: refused, but not a crash.
    let r = ls(&server, "carol", "/").await;
    assert_refused(&r, "user without a home");
}

#[tokio::test]
async fn lof_lists_recursively_with_exact_shape() {
    let server = files::start().await;
    make_proj(&server);
    write(&server.home("alice/proj/.secret"), b"hidden");
    mkdir(&server.home("alice/proj/.git/objects"));

    let r = lof(&server, "alice", "/proj", None).await;
    assert_ok(&r, "lof /proj");
    let expected = format!(
        concat!(
            r#"[{{"name": "l0", "type": "directory", "children": ["#,
            r#"{{"name": "l1", "type": "directory", "children": ["#,
            r#"{{"name": "l2", "type": "directory", "children": ["#,
            r#"{{"name": "f2.txt", "type": "file", "last-modification": "{t2}"}}]}}, "#,
            r#"{{"name": "f1.txt", "type": "file", "last-modification": "{t2}"}}]}}, "#,
            r#"{{"name": "f0.txt", "type": "file", "last-modification": "{t1}"}}]}}, "#,
            r#"{{"name": "top.txt", "type": "file", "last-modification": "{t1}"}}]"#
        ),
        t1 = T1_TEXT,
        t2 = T2_TEXT
    );
    assert_eq!(r.payload_text, expected);

    // The same tree from the home root, one level up.
    let r = lof(&server, "alice", "./", None).await;
    assert_ok(&r, "lof ./");
    assert_eq!(r.payload.as_array().unwrap().len(), 1);
    assert_eq!(r.payload[0]["name"], "proj");
    assert_eq!(r.payload[0]["children"], serde_json::from_str::<serde_json::Value>(&expected).unwrap());

    let r = lof(&server, "alice", "/missing", None).await;
    assert_refused_with(&r, 404, "lof of a missing folder");
}

#[tokio::test]
async fn lof_max_depth_gives_null_children_beyond() {
    let server = files::start().await;
    make_proj(&server);
    let f = |name: &str, t: &str| json!({"name": name, "type": "file", "last-modification": t});

    // Folders directly in the listed folder are depth 0; a folder at depth d is opened only
    // while d <= max_depth (as the original server did), deeper ones carry `children: null`.
    let r = lof(&server, "alice", "/proj", Some(0)).await;
    assert_ok(&r, "max_depth 0");
    assert_eq!(
        r.payload,
        json!([
            {"name": "l0", "type": "directory", "children": [
                {"name": "l1", "type": "directory", "children": null},
                f("f0.txt", T1_TEXT),
            ]},
            f("top.txt", T1_TEXT),
        ])
    );
    assert!(r.payload_text.contains(r#""children": null"#), "{}", r.payload_text);

    let r = lof(&server, "alice", "/proj", Some(1)).await;
    assert_ok(&r, "max_depth 1");
    assert_eq!(
        r.payload,
        json!([
            {"name": "l0", "type": "directory", "children": [
                {"name": "l1", "type": "directory", "children": [
                    {"name": "l2", "type": "directory", "children": null},
                    f("f1.txt", T2_TEXT),
                ]},
                f("f0.txt", T1_TEXT),
            ]},
            f("top.txt", T1_TEXT),
        ])
    );

    let r = lof(&server, "alice", "/proj", Some(2)).await;
    assert_ok(&r, "max_depth 2");
    assert_eq!(r.payload[0]["children"][0]["children"][0]["children"], json!([f("f2.txt", T2_TEXT)]));
    assert!(!r.payload_text.contains("null"), "{}", r.payload_text);

    // Without max_depth the configured default applies.
    let server = files::start_with(|cfg| cfg.limits.lof_max_depth = 0).await;
    make_proj(&server);
    let r = lof(&server, "alice", "/proj", None).await;
    assert_ok(&r, "configured default 0");
    assert_eq!(r.payload[0]["children"][0], json!({"name": "l1", "type": "directory", "children": null}));
}

#[tokio::test]
async fn lod_lists_folders_only_from_the_home() {
    let server = files::start().await;
    let home = server.home("alice");
    mkdir(&home.join("b/inner/deepest"));
    mkdir(&home.join("a"));
    mkdir(&home.join(".hidden/sub"));
    write(&home.join("file.txt"), b"f");
    write(&home.join("b/file.txt"), b"f");
    symlink(server.home("bob"), home.join("tobob"));

    let r = lod(&server, "alice").await;
    assert_ok(&r, "lod");
    let expected = concat!(
        r#"{"name": "alice", "type": "directory", "children": ["#,
        r#"{"name": "a", "type": "directory", "children": []}, "#,
        r#"{"name": "b", "type": "directory", "children": ["#,
        r#"{"name": "inner", "type": "directory", "children": ["#,
        r#"{"name": "deepest", "type": "directory", "children": []}]}]}]}"#
    );
    assert_eq!(r.payload_text, expected);
    assert_no_bob(&r, "lod");
    assert!(!r.raw.contains("tobob") && !r.raw.contains("private"), "{}", r.raw);

    // An empty home is a single node.
    let r = lod(&server, "bob").await;
    assert_ok(&r, "lod bob");
    assert_eq!(
        r.payload,
        json!({"name": "bob", "type": "directory", "children": [
            {"name": "private", "type": "directory", "children": []}
        ]})
    );
}

#[tokio::test]
async fn zfs_zips_the_folder() {
    let server = files::start().await;
    make_proj(&server);
    let big = noise(300_000);
    write(&server.home("alice/proj/data/big.bin"), &big);

    let r = zfs(&server, "alice", "proj").await;
    assert_ok(&r, "zfs proj");
    assert_eq!(r.payload["origin"], "alice/proj");
    let text = &r.payload_text;
    assert!(text.starts_with(r#"{"origin": "alice/proj", "blob": ""#), "{}", &text[..80]);
    assert!(
        text.ends_with(r#"", "method": "base64", "mime": "application/zip"}"#),
        "{}",
        &text[text.len() - 80..]
    );
    let zip = blob_of(&r);
    let files = zip_files(&zip);
    let expected: HashMap<String, Vec<u8>> = [
        ("top.txt", b"top".to_vec()),
        ("l0/f0.txt", b"zero".to_vec()),
        ("l0/l1/f1.txt", b"one".to_vec()),
        ("l0/l1/l2/f2.txt", b"two".to_vec()),
        ("data/big.bin", big),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(files, expected);

    // A leading "/" is the home root; the origin echoes it as the original did.
    let r = zfs(&server, "alice", "/proj/l0").await;
    assert_ok(&r, "zfs /proj/l0");
    assert_eq!(r.payload["origin"], "/proj/l0");
    let files = zip_files(&blob_of(&r));
    let mut names: Vec<_> = files.keys().cloned().collect();
    names.sort();
    assert_eq!(names, ["f0.txt", "l1/f1.txt", "l1/l2/f2.txt"]);
    assert_eq!(files["l1/l2/f2.txt"], b"two");

    let r = zfs(&server, "alice", "/nope").await;
    assert_refused_with(&r, 404, "zfs of a missing folder");
    let r = server.legacy_get("/zfs", &user_payload("alice", &[])).await;
    assert_refused(&r, "zfs without folder");
}

#[tokio::test]
async fn uzu_unpacks_and_renames_with_dash_v() {
    let server = files::start().await;
    let first = make_zip(&[("readme.txt", b"first"), ("src/", b""), ("src/main.py", b"print(1)\n")]);
    let r = uzu(&server, "alice", "proj", first).await;
    assert_ok(&r, "uzu proj");
    assert_eq!(r.payload_text, r#"{"extractpath": "/alice/proj"}"#);
    assert_eq!(std::fs::read(server.home("alice/proj/readme.txt")).unwrap(), b"first");
    assert_eq!(std::fs::read(server.home("alice/proj/src/main.py")).unwrap(), b"print(1)\n");

    let second = make_zip(&[("readme.txt", b"second"), ("deep/er/x.txt", b"x")]);
    let r = uzu(&server, "alice", "/proj", second).await;
    assert_ok(&r, "uzu proj again");
    // An absolute destination stands alone, as Python's os.path.join gave it in the original.
    assert_eq!(r.payload_text, r#"{"extractpath": "/proj-V2"}"#);
    assert_eq!(std::fs::read(server.home("alice/proj-V2/readme.txt")).unwrap(), b"second");
    assert_eq!(std::fs::read(server.home("alice/proj-V2/deep/er/x.txt")).unwrap(), b"x");
    // The first upload is untouched.
    assert_eq!(std::fs::read(server.home("alice/proj/readme.txt")).unwrap(), b"first");

    let r = uzu(&server, "alice", "./proj", make_zip(&[("third.txt", b"3")])).await;
    // The destination comes back as it was written (the plugins look for its `./`).
    assert_eq!(r.payload["extractpath"], "/alice/./proj-V3", "{}", r.raw);
    assert_eq!(std::fs::read(server.home("alice/proj-V3/third.txt")).unwrap(), b"3");

    // Into an existing sub-folder.
    mkdir(&server.home("alice/work"));
    let r = uzu(&server, "alice", "/work/sub", make_zip(&[("a.txt", b"a")])).await;
    assert_ok(&r, "uzu work/sub");
    assert_eq!(r.payload_text, r#"{"extractpath": "/work/sub"}"#);
    assert_eq!(std::fs::read(server.home("alice/work/sub/a.txt")).unwrap(), b"a");

    // The parent must exist.
    let r = uzu(&server, "alice", "/missing/sub", make_zip(&[("a.txt", b"a")])).await;
    assert_refused(&r, "uzu below a missing folder");
    assert!(!server.home("alice/missing").exists());

    assert_eq!(
        tree(&server.home("alice")),
        [
            "proj",
            "proj-V2",
            "proj-V2/deep",
            "proj-V2/deep/er",
            "proj-V2/deep/er/x.txt",
            "proj-V2/readme.txt",
            "proj-V3",
            "proj-V3/third.txt",
            "proj/readme.txt",
            "proj/src",
            "proj/src/main.py",
            "work",
            "work/sub",
            "work/sub/a.txt",
        ]
    );
    assert!(leftovers(&server.homes).is_empty(), "{:?}", leftovers(&server.homes));
    assert_bob_untouched(&server);
}

// ---------------------------------------------------------------- authentication

#[tokio::test]
async fn each_missing_parameter_is_code_100() {
    let server = files::start().await;
    write(&server.home("alice/a.txt"), b"a");
    let payload = user_payload("alice", &[("path", json!("/"))]);
    let good = server.legacy_query(&payload, now(), LEGACY_SECRET);
    assert_ok(&server.legacy_send("/ls", &good).await, "all five present");

    for name in ["user", "timestamp", "payload", "md5_payload", "key"] {
        let params: Vec<_> = good.iter().filter(|(k, _)| k != name).cloned().collect();
        let r = server.legacy_send("/ls", &params).await;
        assert_refused_with(&r, 100, name);
        assert_eq!(r.message, format!("Error : the request is not formatted correctly : {name} is missing"));
        assert!(!r.raw.contains("a.txt"));
    }
    // No parameter at all.
    let r = server.legacy_send("/lod", &[]).await;
    assert_refused_with(&r, 100, "no parameters");
}

#[tokio::test]
async fn each_auth_refusal_has_its_code() {
    let server = files::start().await;
    write(&server.home("alice/a.txt"), b"a");
    let payload = user_payload("alice", &[("path", json!("/"))]);

    // Unknown API user.
    let params = legacy_params("nobody", &payload, now(), LEGACY_SECRET);
    let r = server.legacy_send("/ls", &params).await;
    assert_refused_with(&r, 401, "unknown key id");
    assert_eq!(r.message, "Error : authentication failed");

    // Too old, and too far in the future.
    let params = server.legacy_query(&payload, now() - 60, LEGACY_SECRET);
    let r = server.legacy_send("/ls", &params).await;
    assert_refused_with(&r, 102, "old timestamp");
    assert_eq!(r.message, "Error : checking timestamp increase ttl if persist");
    let params = server.legacy_query(&payload, now() + 60, LEGACY_SECRET);
    assert_refused_with(&server.legacy_send("/ls", &params).await, 102, "future timestamp");
    // Within the TTL and the skew: fine.
    let params = server.legacy_query(&payload, now() - 15, LEGACY_SECRET);
    assert_ok(&server.legacy_send("/ls", &params).await, "15 s old");
    let params = server.legacy_query(&payload, now() + 2, LEGACY_SECRET);
    assert_ok(&server.legacy_send("/ls", &params).await, "2 s ahead");

    // The payload changed after signing: md5 mismatch.
    let mut params = server.legacy_query(&payload, now(), LEGACY_SECRET);
    let other = user_payload("bob", &[("path", json!("/private"))]);
    params.iter_mut().find(|(k, _)| k == "payload").unwrap().1 = other;
    let r = server.legacy_send("/ls", &params).await;
    assert_refused_with(&r, 103, "md5 mismatch");
    assert_eq!(r.message, "Error : checking md5 payload");
    assert_no_bob(&r, "md5 mismatch");

    // Payload and md5 changed consistently, but the key was made for the old ones.
    let mut params = server.legacy_query(&payload, now(), LEGACY_SECRET);
    let forged = legacy_params(LEGACY_USER, &other_payload(), now(), LEGACY_SECRET);
    for (k, v) in params.iter_mut() {
        if k == "payload" || k == "md5_payload" {
            *v = forged.iter().find(|(fk, _)| fk == k).unwrap().1.clone();
        }
    }
    let r = server.legacy_send("/ls", &params).await;
    assert_refused_with(&r, 104, "key of another payload");
    assert_no_bob(&r, "key of another payload");

    // Signed with a wrong secret.
    let params = server.legacy_query(&payload, now(), "wrong-secret");
    let r = server.legacy_send("/ls", &params).await;
    assert_refused_with(&r, 104, "wrong secret");
    assert_eq!(r.message, "Error : checking hmac");
    // A key that is not even base64.
    let mut params = server.legacy_query(&payload, now(), LEGACY_SECRET);
    params.iter_mut().find(|(k, _)| k == "key").unwrap().1 = "%%%not base64%%%".into();
    assert_refused_with(&server.legacy_send("/ls", &params).await, 104, "garbage key");
    // A timestamp that is not a number.
    let mut params = server.legacy_query(&payload, now(), LEGACY_SECRET);
    params.iter_mut().find(|(k, _)| k == "timestamp").unwrap().1 = "yesterday".into();
    assert_refused(&server.legacy_send("/ls", &params).await, "timestamp not a number");

    // Every route checks: a bad key on each of them.
    for (route, payload) in [
        ("/lof", user_payload("alice", &[("path", json!("/"))])),
        ("/lod", user_payload("alice", &[])),
        ("/zfs", user_payload("alice", &[("folder", json!("/"))])),
    ] {
        let params = server.legacy_query(&payload, now(), "wrong-secret");
        let r = server.legacy_send(route, &params).await;
        assert_refused_with(&r, 104, route);
        assert!(!r.raw.contains("a.txt"), "{route}: {}", r.raw);
    }
}

fn other_payload() -> String {
    user_payload("bob", &[("path", json!("/private"))])
}

#[tokio::test]
async fn bad_payloads_are_refused() {
    let server = files::start().await;
    for (what, payload) in [
        ("not JSON", "this is not json".to_owned()),
        ("no user", r#"{"path":"\/"}"#.to_owned()),
        ("user without id", r#"{"user":{"primary_email":"a@b.c"},"path":"\/"}"#.to_owned()),
        ("no path", user_payload("alice", &[])),
    ] {
        let r = server.legacy_get("/ls", &payload).await;
        assert_refused_with(&r, 500, what);
    }
    let r = server.legacy_get("/ls", &user_payload("alice", &[])).await;
    assert_eq!(r.message, "'path' missing in payload");
}

#[tokio::test]
async fn a_refused_uzu_writes_nothing() {
    let server = files::start().await;
    let zip = make_zip(&[("a.txt", b"a"), ("d/b.txt", b"b")]);
    let payload = user_payload("alice", &[("destination", json!("up"))]);

    let cases: Vec<(&str, i64, Query)> = vec![
        ("wrong secret", 104, legacy_params(LEGACY_USER, &payload, now(), "wrong-secret")),
        ("unknown key id", 401, legacy_params("nobody", &payload, now(), LEGACY_SECRET)),
        ("expired", 102, legacy_params(LEGACY_USER, &payload, now() - 120, LEGACY_SECRET)),
        ("missing key", 100, {
            let mut p = legacy_params(LEGACY_USER, &payload, now(), LEGACY_SECRET);
            p.retain(|(k, _)| k != "key");
            p
        }),
        ("md5 mismatch", 103, {
            let mut p = legacy_params(LEGACY_USER, &payload, now(), LEGACY_SECRET);
            p.iter_mut().find(|(k, _)| k == "payload").unwrap().1 =
                user_payload("alice", &[("destination", json!("elsewhere"))]);
            p
        }),
    ];
    for (what, code, params) in cases {
        let r = uzu_send(&server, &params, zip_form(zip.clone())).await;
        assert_refused_with(&r, code, what);
        assert!(tree(&server.home("alice")).is_empty(), "{what}: {:?}", tree(&server.home("alice")));
    }
    assert!(leftovers(&server.homes).is_empty());
    assert_bob_untouched(&server);

    // The same request, properly signed, does land.
    let r = uzu(&server, "alice", "up", zip).await;
    assert_eq!(r.payload_text, r#"{"extractpath": "/alice/up"}"#);
    assert_eq!(std::fs::read(server.home("alice/up/d/b.txt")).unwrap(), b"b");
}

// ---------------------------------------------------------------- confinement

const ESCAPES: [&str; 8] = [
    "../bob/private",
    "/../bob",
    "a/../../bob",
    "..",
    "/..",
    "./../bob/private",
    "work/../../bob/private",
    "../../etc",
];

#[tokio::test]
async fn dot_dot_never_leaves_the_home() {
    let server = files::start().await;
    write(&server.home("alice/work/w.txt"), b"w");
    mkdir(&server.home("alice/a"));

    for path in ESCAPES {
        assert_reads_refused(&server, path, "leaves the home").await;
    }
    // A path that names another home from inside alice's is just a missing folder of hers.
    let r = ls(&server, "alice", "/bob/private").await;
    assert_refused_with(&r, 404, "ls /bob/private");
    let r = zfs(&server, "alice", "/bob").await;
    assert_refused_with(&r, 404, "zfs /bob");
    assert_no_bob(&r, "zfs /bob");

    for dest in [
        "../bob/private/dropped",
        "/../bob/dropped",
        "a/../../bob/dropped",
        "../dropped",
        "../../dropped",
        "..",
        "/",
        "",
        ".",
    ] {
        let r = uzu(&server, "alice", dest, make_zip(&[("x.txt", b"x")])).await;
        assert_refused(&r, &format!("uzu {dest:?}"));
        assert_no_bob(&r, &format!("uzu {dest:?}"));
        assert!(!r.message.contains("destination folder not found"), "uzu {dest:?}: {}", r.message);
    }
    assert_bob_untouched(&server);
    assert_eq!(
        tree(&server.homes),
        [
            "alice",
            "alice/a",
            "alice/work",
            "alice/work/w.txt",
            "bob",
            "bob/private",
            "bob/private/secret.txt"
        ]
    );
    assert!(leftovers(&server.homes).is_empty());
}

#[tokio::test]
async fn symlinks_out_of_the_home_are_never_followed() {
    let server = files::start().await;
    let home = server.home("alice");
    write_at(&home.join("mine.txt"), b"mine", T1);
    write(&home.join("docs/note.txt"), b"note");
    // Absolute and relative links to Bob's home, his private folder and his secret file.
    symlink(server.home("bob"), home.join("tobob"));
    symlink("../bob/private", home.join("toprivate"));
    symlink(server.home("bob/private/secret.txt"), home.join("secret-link.txt"));
    symlink("../../bob/private/secret.txt", home.join("docs/secret.txt"));
    symlink("../../bob", home.join("docs/bobdir"));

    // Listings hide the links.
    let r = ls(&server, "alice", "/").await;
    assert_ok(&r, "ls /");
    assert_eq!(
        r.payload,
        json!([
            {"name": "docs", "type": "directory"},
            {"name": "mine.txt", "type": "file", "last-modification": T1_TEXT},
        ])
    );
    let r = ls(&server, "alice", "/docs").await;
    assert_ok(&r, "ls /docs");
    let names: Vec<_> = r.payload.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["note.txt"], "{}", r.raw);
    assert_no_bob(&r, "ls /docs");

    let r = lof(&server, "alice", "/", Some(16)).await;
    assert_ok(&r, "lof /");
    assert_no_bob(&r, "lof /");
    for link in ["tobob", "toprivate", "secret-link", "bobdir", "private"] {
        assert!(!r.raw.contains(link), "lof shows {link}: {}", r.raw);
    }
    assert_eq!(r.payload.as_array().unwrap().len(), 2, "{}", r.raw);

    let r = lod(&server, "alice").await;
    assert_no_bob(&r, "lod");
    assert!(!r.raw.contains("tobob") && !r.raw.contains("bobdir"), "{}", r.raw);

    // Through a link: refused.
    for path in
        ["tobob", "/tobob/private", "toprivate", "./docs/bobdir", "docs/bobdir/private", "secret-link.txt"]
    {
        assert_reads_refused(&server, path, "symbolic link").await;
    }

    // Zipping folders that hold links: the links are left out, the rest is there.
    for folder in ["/", "docs"] {
        let r = zfs(&server, "alice", folder).await;
        assert_ok(&r, &format!("zfs {folder}"));
        assert_no_bob(&r, &format!("zfs {folder}"));
        let zip = blob_of(&r);
        assert_blob_clean(&zip, folder);
        let names: Vec<_> = read_zip(&zip).into_keys().collect();
        assert!(names.iter().all(|n| !n.contains("bob") && !n.contains("private")), "{names:?}");
    }
    let r = zfs(&server, "alice", "/").await;
    let files = zip_files(&blob_of(&r));
    let mut names: Vec<_> = files.keys().cloned().collect();
    names.sort();
    assert_eq!(names, ["docs/note.txt", "mine.txt"]);

    // Uploading through a link lands nowhere.
    for dest in ["tobob/dropped", "toprivate/dropped", "docs/bobdir/dropped"] {
        let r = uzu(&server, "alice", dest, make_zip(&[("x.txt", b"x")])).await;
        assert_refused(&r, &format!("uzu {dest}"));
        assert!(r.message.contains("symbolic link"), "uzu {dest}: {}", r.message);
    }
    // Uploading over a link's name does not write through it.
    let r = uzu(&server, "alice", "tobob", make_zip(&[("x.txt", b"x")])).await;
    if r.code == 0 {
        assert_eq!(r.payload["extractpath"], "/alice/tobob-V2", "{}", r.raw);
        assert_eq!(std::fs::read(home.join("tobob-V2/x.txt")).unwrap(), b"x");
    } else {
        assert_refused(&r, "uzu over a link's name");
    }
    assert!(std::fs::symlink_metadata(home.join("tobob")).unwrap().file_type().is_symlink());
    assert_bob_untouched(&server);
    assert!(leftovers(&server.homes).is_empty());
}

#[tokio::test]
async fn user_ids_cannot_name_another_home() {
    let server = files::start().await;
    write(&server.home("alice/a.txt"), b"a");
    for id in
        ["../bob", "bob/../alice", "alice/../bob", "..", ".", "", "/bob", "bob/private", ".hidden", "alice/"]
    {
        let r = ls(&server, id, "/").await;
        assert_refused(&r, &format!("ls as {id:?}"));
        assert_no_bob(&r, &format!("ls as {id:?}"));
        assert!(r.message.contains("cannot name a home"), "ls as {id:?}: {}", r.message);
        let r = ls(&server, id, "private").await;
        assert_refused(&r, &format!("ls private as {id:?}"));
        let r = lof(&server, id, "/", None).await;
        assert_refused(&r, &format!("lof as {id:?}"));
        assert_no_bob(&r, &format!("lof as {id:?}"));
        let r = lod(&server, id).await;
        assert_refused(&r, &format!("lod as {id:?}"));
        let r = zfs(&server, id, "private").await;
        assert_refused(&r, &format!("zfs as {id:?}"));
        assert_no_bob(&r, &format!("zfs as {id:?}"));
        let r = zfs(&server, id, "/").await;
        assert_refused(&r, &format!("zfs / as {id:?}"));
        assert_no_bob(&r, &format!("zfs / as {id:?}"));
        let r = uzu(&server, id, "private/dropped", make_zip(&[("x.txt", b"x")])).await;
        assert_refused(&r, &format!("uzu as {id:?}"));
    }

    // A home folder that is itself a link to another home is never opened.
    symlink(server.home("bob"), server.home("mallory"));
    let r = ls(&server, "mallory", "/private").await;
    assert_refused(&r, "ls through a linked home");
    assert_no_bob(&r, "ls through a linked home");
    let r = lod(&server, "mallory").await;
    assert_refused(&r, "lod of a linked home");
    assert_no_bob(&r, "lod of a linked home");
    let r = zfs(&server, "mallory", "/").await;
    assert_refused(&r, "zfs of a linked home");
    assert_no_bob(&r, "zfs of a linked home");
    let r = uzu(&server, "mallory", "private/dropped", make_zip(&[("x.txt", b"x")])).await;
    assert_refused(&r, "uzu into a linked home");

    assert_bob_untouched(&server);
    assert_eq!(tree(&server.home("alice")), ["a.txt"]);
    assert!(leftovers(&server.homes).is_empty());
}

#[tokio::test]
async fn noto_naming_escapes_the_user_id() {
    let server = files::start_with(|cfg| cfg.home_naming = HomeNaming::Noto).await;
    let id = "first.last@x.ch";
    let folder = server.home("first-2elast-40x-2ech");
    write_at(&folder.join("hello.txt"), b"hi", T1);
    mkdir(&folder.join("course"));
    // A folder named like the raw id must not be the one used.
    write(&server.home(id).join("decoy.txt"), b"decoy");

    let r = ls(&server, id, "/").await;
    assert_ok(&r, "ls as noto user");
    assert_eq!(
        r.payload,
        json!([
            {"name": "course", "type": "directory"},
            {"name": "hello.txt", "type": "file", "last-modification": T1_TEXT},
        ])
    );
    let r = lod(&server, id).await;
    assert_eq!(
        r.payload_text,
        r#"{"name": "first-2elast-40x-2ech", "type": "directory", "children": [{"name": "course", "type": "directory", "children": []}]}"#
    );
    let r = zfs(&server, id, "course").await;
    assert_eq!(r.payload["origin"], "first-2elast-40x-2ech/course", "{}", r.raw);
    let r = zfs(&server, id, "/").await;
    assert_eq!(zip_files(&blob_of(&r)).into_keys().collect::<Vec<_>>(), ["hello.txt"]);

    let r = uzu(&server, id, "/course/week1", make_zip(&[("ex.py", b"pass\n")])).await;
    assert_eq!(r.payload_text, r#"{"extractpath": "/course/week1"}"#);
    assert_eq!(std::fs::read(folder.join("course/week1/ex.py")).unwrap(), b"pass\n");
    let r = uzu(&server, id, "/course/week1", make_zip(&[("ex.py", b"pass\n")])).await;
    assert_eq!(r.payload["extractpath"], "/course/week1-V2", "{}", r.raw);
    let r = uzu(&server, id, "course/week1", make_zip(&[("ex.py", b"pass\n")])).await;
    assert_eq!(r.payload["extractpath"], "/first-2elast-40x-2ech/course/week1-V3", "{}", r.raw);

    // `_` is escaped too: a different id, a different (missing) home.
    let r = ls(&server, "first_last@x.ch", "/").await;
    assert_refused(&r, "another id's home");
    // Escaping does not make `..` or `/` usable.
    for bad in ["../bob", "bob/../alice", "x/../../bob"] {
        let r = ls(&server, bad, "/").await;
        assert_refused(&r, &format!("noto id {bad:?}"));
        assert_no_bob(&r, &format!("noto id {bad:?}"));
    }
    let r = ls(&server, "..", "/").await;
    assert_refused(&r, "noto id ..");
    assert_no_bob(&r, "noto id ..");
    assert_eq!(tree(&server.home(id)), ["decoy.txt"]);
    assert!(leftovers(&server.homes).is_empty());
}

#[tokio::test]
async fn noto_naming_is_one_to_one() {
    let server = files::start_with(|cfg| cfg.home_naming = HomeNaming::Noto).await;
    // `a.b` escapes to `a-2eb`, which is also a valid id: the two must never share a home.
    write(&server.home("a-2eb/of-a.b.txt"), b"a.b's");
    write(&server.home("a-2d2eb/of-a-2eb.txt"), b"a-2eb's");
    let r = ls(&server, "a.b", "/").await;
    assert_ok(&r, "ls as a.b");
    assert_eq!(r.payload[0]["name"], "of-a.b.txt", "{}", r.raw);
    let r = ls(&server, "a-2eb", "/").await;
    assert_ok(&r, "ls as a-2eb");
    assert_eq!(r.payload.as_array().unwrap().len(), 1, "{}", r.raw);
    assert_eq!(r.payload[0]["name"], "of-a-2eb.txt", "{}", r.raw);
    let r = zfs(&server, "a-2eb", "/").await;
    assert_eq!(zip_files(&blob_of(&r)).into_keys().collect::<Vec<_>>(), ["of-a-2eb.txt"]);
    let r = uzu(&server, "a-2eb", "up", make_zip(&[("x.txt", b"x")])).await;
    assert_ok(&r, "uzu as a-2eb");
    assert!(server.home("a-2d2eb/up/x.txt").exists());
    assert!(!server.home("a-2eb/up").exists(), "a.b's home must be untouched");
    // Ids with `-` on either side of an escape stay apart too.
    write(&server.home("x-2d-5fy/one.txt"), b"1");
    let r = ls(&server, "x-_y", "/").await;
    assert_eq!(r.payload[0]["name"], "one.txt", "{}", r.raw);
    let r = ls(&server, "x-2d_y", "/").await;
    assert_refused(&r, "x-2d_y has its own (missing) home");
}

// ---------------------------------------------------------------- upload safety

#[tokio::test]
async fn uzu_refuses_zip_slip() {
    let server = files::start().await;
    mkdir(&server.home("alice/work"));
    let cases: [(&str, Vec<u8>); 5] = [
        ("parent entry", make_zip(&[("ok.txt", b"ok"), ("../evil.txt", b"evil")])),
        ("absolute entry", make_zip(&[("ok.txt", b"ok"), ("/abs.txt", b"abs")])),
        ("deep parent entry", make_zip(&[("a/../../../evil.txt", b"evil")])),
        ("backslash parent entry", make_zip(&[("..\\evil.txt", b"evil")])),
        ("into bob", make_zip(&[("../../bob/private/evil.txt", b"evil")])),
    ];
    for (what, zip) in cases {
        for dest in ["up", "work/up"] {
            let r = uzu(&server, "alice", dest, zip.clone()).await;
            assert_refused(&r, &format!("{what} into {dest}"));
            assert!(r.message.contains("outside the target folder"), "{what}: {}", r.message);
        }
    }
    assert_eq!(tree(&server.homes), ["alice", "alice/work", "bob", "bob/private", "bob/private/secret.txt"]);
    assert!(!server.homes.parent().unwrap().join("evil.txt").exists());
    assert!(!Path::new("/abs.txt").exists());
    assert!(leftovers(&server.homes).is_empty(), "{:?}", leftovers(&server.homes));
    assert_bob_untouched(&server);
}

#[tokio::test]
async fn uzu_refuses_a_zip_bomb() {
    let server = files::start().await;
    let zeros = vec![0u8; 20 << 20];
    // A bomb declares little and expands to much: the sizes in both headers say 1000 bytes.
    let mut bomb = make_zip(&[("zeros.bin", &zeros)]);
    for (sig, offset) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
        let at: Vec<usize> = bomb.windows(4).enumerate().filter(|(_, w)| w == sig).map(|(i, _)| i).collect();
        for i in at {
            bomb[i + offset..i + offset + 4].copy_from_slice(&1000u32.to_le_bytes());
        }
    }
    let r = uzu(&server, "alice", "bomb", bomb).await;
    assert_refused(&r, "zip bomb");
    assert!(r.message.contains("zeros.bin"), "{}", r.message);
    assert!(tree(&server.home("alice")).is_empty(), "{:?}", tree(&server.home("alice")));
    assert!(leftovers(&server.homes).is_empty());

    // The same zeros, honestly declared, are just data (a zero-filled array compresses ~1000:1).
    let r = uzu(&server, "alice", "zeros", make_zip(&[("zeros.bin", &zeros)])).await;
    assert_ok(&r, "20 MiB of zeros");
    assert_eq!(std::fs::metadata(server.home("alice/zeros/zeros.bin")).unwrap().len(), 20 << 20);
}

#[tokio::test]
async fn uzu_refuses_uploads_over_the_limit() {
    let server = files::start_with(|cfg| cfg.limits.max_upload_bytes = 1 << 20).await;
    let zip = make_zip(&[("big.bin", &noise(2 << 20))]);
    assert!(zip.len() > 2_000_000);
    let r = uzu(&server, "alice", "big", zip.clone()).await;
    assert_refused(&r, "2 MiB upload, 1 MiB limit");
    assert!(r.message.contains("limited to 1048576 bytes"), "{}", r.message);
    assert!(tree(&server.home("alice")).is_empty(), "{:?}", tree(&server.home("alice")));
    assert!(leftovers(&server.homes).is_empty());

    // Without a Content-Length (chunked), the limit is enforced while streaming.
    let boundary = "lablink-test-boundary-42";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.zip\"\r\nContent-Type: application/zip\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&zip);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        body.chunks(64 << 10).map(|c| Ok(c.to_vec())).collect();
    let payload = user_payload("alice", &[("destination", json!("streamed"))]);
    let params = server.legacy_query(&payload, now(), LEGACY_SECRET);
    let resp = server
        .client
        .post(server.url("/uzu"))
        .query(&params)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    let r = LegacyReply::read(resp).await;
    assert_refused(&r, "streamed 2 MiB upload");
    assert!(r.message.contains("limited to 1048576 bytes"), "{}", r.message);
    assert!(tree(&server.home("alice")).is_empty(), "{:?}", tree(&server.home("alice")));
    assert!(leftovers(&server.homes).is_empty());

    // Under the limit it works.
    let r = uzu(&server, "alice", "small", make_zip(&[("s.bin", &noise(100_000))])).await;
    assert_ok(&r, "small upload");
}

#[tokio::test]
async fn uzu_without_a_file_field_is_refused() {
    let server = files::start().await;
    let payload = user_payload("alice", &[("destination", json!("up"))]);

    let form = reqwest::multipart::Form::new().text("other", "value");
    let params = server.legacy_query(&payload, now(), LEGACY_SECRET);
    let r = uzu_send(&server, &params, form).await;
    assert_refused(&r, "no file field");
    assert_eq!(r.message, "No upload archive found in request");

    let form = reqwest::multipart::Form::new()
        .part("upload", reqwest::multipart::Part::bytes(make_zip(&[("a.txt", b"a")])).file_name("a.zip"));
    let params = server.legacy_query(&payload, now(), LEGACY_SECRET);
    let r = uzu_send(&server, &params, form).await;
    assert_refused(&r, "zip under another field name");

    // Not multipart at all.
    let params = server.legacy_query(&payload, now(), LEGACY_SECRET);
    let resp = server
        .client
        .post(server.url("/uzu"))
        .query(&params)
        .body(make_zip(&[("a.txt", b"a")]))
        .send()
        .await
        .unwrap();
    let r = LegacyReply::read(resp).await;
    assert_refused(&r, "raw body");

    // A file field that is not a zip, and an empty one.
    for (what, bytes) in [("not a zip", b"hello, world".to_vec()), ("empty file", Vec::new())] {
        let params = server.legacy_query(&payload, now(), LEGACY_SECRET);
        let r = uzu_send(&server, &params, zip_form(bytes)).await;
        assert_refused(&r, what);
    }
    // Destination missing from the payload.
    let params = server.legacy_query(&user_payload("alice", &[]), now(), LEGACY_SECRET);
    let r = uzu_send(&server, &params, zip_form(make_zip(&[("a.txt", b"a")]))).await;
    assert_refused(&r, "no destination");

    assert!(tree(&server.home("alice")).is_empty(), "{:?}", tree(&server.home("alice")));
    assert!(leftovers(&server.homes).is_empty());
}

#[tokio::test]
async fn uzu_never_creates_symlinks() {
    use std::io::Write;
    let server = files::start().await;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.add_symlink("tobob", server.home("bob").to_string_lossy(), opts).unwrap();
    zip.add_symlink("s.txt", "../../bob/private/secret.txt", opts).unwrap();
    zip.start_file("ok.txt", opts).unwrap();
    zip.write_all(b"ok").unwrap();
    let zip = zip.finish().unwrap().into_inner();

    let r = uzu(&server, "alice", "up", zip).await;
    assert_no_bob(&r, "zip with links");
    let landed = tree(&server.home("alice"));
    if r.code == 0 {
        assert_eq!(r.payload_text, r#"{"extractpath": "/alice/up"}"#);
        assert_eq!(landed, ["up", "up/ok.txt"], "links must be left out");
    } else {
        assert_refused(&r, "zip with links");
        assert!(landed.is_empty(), "{landed:?}");
    }
    assert_bob_untouched(&server);
    assert!(leftovers(&server.homes).is_empty());
}

#[tokio::test]
async fn concurrent_uploads_to_one_destination_get_distinct_names() {
    let server = files::start().await;
    let uploads = (1..=4).map(|i| {
        let zip = make_zip(&[("n.txt", format!("upload {i}").as_bytes())]);
        let server = &server;
        async move { (i, uzu(server, "alice", "same", zip).await) }
    });
    let replies = futures_util::future::join_all(uploads).await;
    let mut paths = Vec::new();
    for (i, r) in replies {
        assert_ok(&r, &format!("upload {i}"));
        let path = r.payload["extractpath"].as_str().unwrap().to_owned();
        let folder = path.strip_prefix("/alice/").unwrap();
        // Each reply names the folder holding its own upload.
        assert_eq!(
            std::fs::read_to_string(server.home("alice").join(folder).join("n.txt")).unwrap(),
            format!("upload {i}")
        );
        paths.push(path);
    }
    paths.sort();
    assert_eq!(paths, ["/alice/same", "/alice/same-V2", "/alice/same-V3", "/alice/same-V4"]);
    assert!(leftovers(&server.homes).is_empty());
}

#[tokio::test]
async fn legacy_limits_are_enforced() {
    let server = files::start_with(|cfg| {
        cfg.limits.max_tree_nodes = 4;
        cfg.limits.max_legacy_zip_bytes = 100_000;
        cfg.limits.max_entries = 3;
        cfg.limits.max_uncompressed_bytes = 1 << 20;
    })
    .await;
    let home = server.home("alice");
    for i in 1..=6 {
        write(&home.join(format!("many/f{i}.txt")), b"f");
    }
    write(&home.join("big/noise.bin"), &noise(300_000));
    write(&home.join("small/s.txt"), b"small");

    // Recursive listings are bounded; a one-level listing is not a tree.
    let r = lof(&server, "alice", "/many", None).await;
    assert_refused(&r, "lof over max_tree_nodes");
    assert!(r.message.contains("too many"), "{}", r.message);
    let r = ls(&server, "alice", "/many").await;
    assert_ok(&r, "ls of many");
    assert_eq!(r.payload.as_array().unwrap().len(), 6);
    for i in 1..=5 {
        mkdir(&home.join(format!("dirs/d{i}")));
    }
    let r = lod(&server, "alice").await;
    assert_refused(&r, "lod over max_tree_nodes");

    // The legacy zip is bounded.
    let r = zfs(&server, "alice", "big").await;
    assert_refused(&r, "zfs over max_legacy_zip_bytes");
    assert!(r.message.contains("100000"), "{}", r.message);
    let r = zfs(&server, "alice", "small").await;
    assert_ok(&r, "small zfs");
    assert_eq!(zip_files(&blob_of(&r))["s.txt"], b"small");

    // Uploads: entry count and total size.
    let r =
        uzu(&server, "alice", "four", make_zip(&[("a", b"a"), ("b", b"b"), ("c", b"c"), ("d", b"d")])).await;
    assert_refused(&r, "4 entries, 3 allowed");
    let r =
        uzu(&server, "alice", "huge", make_zip(&[("a.bin", &noise(600_000)), ("b.bin", &noise(600_000))]))
            .await;
    assert_refused(&r, "1.2 MB uncompressed, 1 MiB allowed");
    assert!(!home.join("four").exists() && !home.join("huge").exists());
    let r = uzu(&server, "alice", "three", make_zip(&[("a", b"a"), ("b", b"b"), ("c", b"c")])).await;
    assert_ok(&r, "3 entries");
    assert!(leftovers(&server.homes).is_empty());
}

#[tokio::test]
async fn lof_holds_a_large_home_and_is_bounded_in_bytes_too() {
    // 60,000 files in 600 folders: more than the old 50,000-node cap, as a teacher's home is.
    let server = files::start().await;
    let home = server.home("alice");
    for d in 0..600 {
        let dir = home.join(format!("course/d{d:03}"));
        mkdir(&dir);
        for f in 0..100 {
            std::fs::File::create(dir.join(format!("f{f:03}.txt"))).unwrap();
        }
    }
    let r = lof(&server, "alice", "./", None).await;
    assert_ok(&r, "lof of a 60,000-file home");
    assert_eq!(r.payload[0]["children"].as_array().unwrap().len(), 600);
    assert_eq!(r.payload[0]["children"][599]["children"].as_array().unwrap().len(), 100);

    // The same home under a byte bound that its reply exceeds.
    let server2 = files::start_with(|cfg| cfg.limits.max_tree_bytes = 1 << 20).await;
    std::fs::remove_dir(server2.home("alice")).unwrap();
    std::fs::rename(&home, server2.home("alice")).unwrap();
    let r = lof(&server2, "alice", "./", None).await;
    assert_refused(&r, "lof over max_tree_bytes");
    assert!(r.message.contains("too many"), "{}", r.message);
}

#[tokio::test]
async fn lof_default_depth_is_the_originals_ten() {
    let server = files::start().await;
    let mut deep = server.home("alice");
    for i in 0..13 {
        deep = deep.join(format!("d{i}"));
    }
    write(&deep.join("leaf.txt"), b"x");
    let r = lof(&server, "alice", "./", None).await;
    assert_ok(&r, "deep lof");
    // Folders at depth 0..=10 get their children; the one at depth 11 gets `null`.
    let mut node = &r.payload[0];
    for i in 0..11 {
        assert_eq!(node["name"], format!("d{i}"), "{}", r.raw);
        node = &node["children"][0];
    }
    assert_eq!(node["name"], "d11", "{}", r.raw);
    assert!(node["children"].is_null(), "{}", r.raw);
}

#[tokio::test]
async fn an_odd_folder_name_is_left_out_not_fatal() {
    let server = files::start().await;
    let home = server.home("alice");
    write_at(&home.join("bad\u{1}name/inside.txt"), b"x", T1);
    write_at(&home.join("good/y.txt"), b"y", T1);
    write_at(&home.join("top.txt"), b"t", T1);
    let r = lof(&server, "alice", "./", None).await;
    assert_ok(&r, "lof beside a folder no path can name");
    assert_eq!(
        r.payload,
        json!([
            {"name": "good", "type": "directory", "children": [
                {"name": "y.txt", "type": "file", "last-modification": T1_TEXT},
            ]},
            {"name": "top.txt", "type": "file", "last-modification": T1_TEXT},
        ])
    );
    // Past max_depth (not walked into), the same.
    let r = lof(&server, "alice", "./", Some(0)).await;
    assert_ok(&r, "lof at depth 0");
    write_at(&home.join("good/bad\u{2}too/z.txt"), b"z", T1);
    write_at(&home.join("good/sub/z.txt"), b"z", T1);
    let r = lof(&server, "alice", "./", Some(0)).await;
    assert_eq!(r.payload[0]["children"].as_array().unwrap().len(), 2, "{}", r.raw);
    assert_eq!(r.payload[0]["children"][0]["name"], "sub", "{}", r.raw);
    assert!(r.payload[0]["children"][0]["children"].is_null(), "{}", r.raw);
    std::fs::remove_dir_all(home.join("good/bad\u{2}too")).unwrap();
    std::fs::remove_dir_all(home.join("good/sub")).unwrap();
    let r = lod(&server, "alice").await;
    assert_ok(&r, "lod beside a folder no path can name");
    assert_eq!(
        r.payload,
        json!({"name": "alice", "type": "directory", "children": [
            {"name": "good", "type": "directory", "children": []},
        ]})
    );
}

/// Holds the only archive turn: a v2 archive of a large folder whose body nobody reads.
async fn hold_the_archive_queue(server: &Server) -> reqwest::Response {
    write(&server.home("alice/big/noise.bin"), &noise(48 << 20));
    let held = server.get("alice", "archive", "path=big").await;
    assert_eq!(held.status(), 200);
    held
}

#[tokio::test]
async fn zfs_signature_is_checked_before_queueing() {
    let server = files::start_with(|cfg| {
        cfg.limits.max_concurrent_archives = 1;
        cfg.limits.legacy_ttl_secs = 2;
    })
    .await;
    write(&server.home("alice/small/a.txt"), b"a");
    let held = hold_the_archive_queue(&server).await;

    // Unauthenticated requests take no place in the queue: answered at once.
    let r = tokio::time::timeout(Duration::from_secs(3), server.legacy_send("/zfs", &[]))
        .await
        .expect("an unsigned /zfs must be answered without waiting for a turn");
    assert_refused_with(&r, 100, "unsigned zfs");
    let payload = user_payload("alice", &[("folder", json!("small"))]);
    let stale = server.legacy_query(&payload, now() - 60, LEGACY_SECRET);
    let r = tokio::time::timeout(Duration::from_secs(3), server.legacy_send("/zfs", &stale))
        .await
        .expect("an expired /zfs must be answered without waiting for a turn");
    assert_refused_with(&r, 102, "expired zfs");

    // A valid one that waits past the TTL for its turn is still served.
    let (r, ()) = tokio::join!(zfs(&server, "alice", "small"), async {
        tokio::time::sleep(Duration::from_secs(4)).await;
        drop(held);
    });
    assert_ok(&r, "zfs queued past the TTL");
    assert_eq!(zip_files(&blob_of(&r))["a.txt"], b"a");
}

/// The reply as the in-memory renderer wrote it for this zip: payload by `json.dumps`,
/// envelope by `jsonify`, a newline.
fn rendered_in_memory(origin: &str, zip: &[u8]) -> String {
    use lablink_fileserver::legacy::pyjson;
    use lablink_protocol::legacy::{Envelope, ReturnStatus, ZfsReply};
    let payload = pyjson::dumps(&ZfsReply {
        origin: origin.into(),
        blob: STANDARD.encode(zip),
        method: "base64".into(),
        mime: "application/zip".into(),
    });
    let md5_payload = lablink_fileserver::legacy::signature::md5_b64(&payload);
    let ret = ReturnStatus { code: 0, status: "OK".into() };
    format!("{}\n", pyjson::jsonify(&Envelope { md5_payload, payload, ret }))
}

/// The zip as the archive writer makes it in memory for `dir`.
fn zip_in_memory(dir: &Path) -> Vec<u8> {
    use lablink_fileserver::archive::{HelperPool, plan, write_zip};
    let dir = cap_std::fs::Dir::open_ambient_dir(dir, cap_std::ambient_authority()).unwrap();
    let plan = plan(&dir, false, 100_000).unwrap();
    write_zip(&dir, &plan, Vec::new(), &HelperPool::new(1), usize::MAX).unwrap().0
}

#[tokio::test]
async fn zfs_streamed_from_a_file_is_byte_identical_to_the_in_memory_reply() {
    let server = files::start().await;
    let home = server.home("alice");
    mkdir(&home.join("empty"));
    write_at(&home.join("odd/caf\u{e9} \u{1F600}.txt"), b"unicode", T1);
    write_at(&home.join("odd/\"q\" a\\b.txt"), b"quotes and backslash", T1);
    write_at(&home.join("odd/tab\there.txt"), b"tab", T1);
    write_at(&home.join("odd/sub/deeper/x.ipynb"), br#"{"cells": []}"#, T2);
    write_at(&home.join("d\u{e9}\"p/one.txt"), b"1", T1);
    write_at(&home.join("mixed/big.bin"), &noise(3 << 20), T1);
    write_at(&home.join("mixed/text.csv"), &b"1,2,3\n".repeat(300_000), T2);
    // Sizes 0..=5 cover every base64 padding and carry between writes.
    for n in 0..6 {
        write_at(&home.join(format!("mixed/n{n}")), &noise(n), T1);
    }
    for (folder, origin) in [
        ("empty", "alice/empty"),
        ("./odd", "alice/./odd"),
        ("d\u{e9}\"p", "alice/d\u{e9}\"p"),
        (".//mixed", "alice/.//mixed"),
        ("/mixed", "/mixed"),
    ] {
        let params =
            server.legacy_query(&user_payload("alice", &[("folder", json!(folder))]), now(), LEGACY_SECRET);
        let resp = server.client.get(server.url("/zfs")).query(&params).send().await.unwrap();
        let length = resp.content_length();
        let raw = resp.text().await.unwrap();
        assert_eq!(length, Some(raw.len() as u64), "Content-Length of {folder}");
        let on_disk = home.join(folder.trim_start_matches(['.', '/']));
        let expected = rendered_in_memory(origin, &zip_in_memory(&on_disk));
        assert!(
            raw == expected,
            "{folder}: streamed reply differs ({} vs {} bytes)",
            raw.len(),
            expected.len()
        );
    }
}

/// Runs this test again in a child process with `TZ` set, since a process's zone is read once.
#[test]
fn last_modification_is_in_local_time_by_default() {
    if std::env::var_os("LABLINK_TZ_CHILD").is_none() {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "last_modification_is_in_local_time_by_default", "--nocapture"])
            .env("TZ", "Asia/Tokyo")
            .env("LABLINK_TZ_CHILD", "1")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains("1 passed"),
            "{text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        // T1 is 13:22:30 UTC: 22:22:30 in Tokyo (no summer time there).
        let local = files::start_with(|cfg| cfg.legacy_times = LegacyTimes::Local).await;
        let utc = files::start_with(|cfg| cfg.legacy_times = LegacyTimes::Utc).await;
        for server in [&local, &utc] {
            write_at(&server.home("alice/a.txt"), b"a", T1);
        }
        let r = ls(&local, "alice", "./").await;
        assert_eq!(r.payload[0]["last-modification"], "2020-11-25 22:22:30", "{}", r.raw);
        let r = lof(&local, "alice", "./", None).await;
        assert_eq!(r.payload[0]["last-modification"], "2020-11-25 22:22:30", "{}", r.raw);
        let r = ls(&utc, "alice", "./").await;
        assert_eq!(r.payload[0]["last-modification"], T1_TEXT, "{}", r.raw);
    });
}

// ---------------------------------------------------------------- the noto plugins' contract
//
// The requests below are shaped as the noto Moodle plugins send them (their `notoapi` class):
// the payload by PHP's `json_encode` (compact, `/` written `\/`), the five parameters in the
// query string, `./` (their STARTPOINT) in front of every path, the picked folder as the
// picker's id (`/dir`), multipart field `file`. Each reply is read as their PHP reads it.

/// PHP's `json_encode` of ASCII data: compact, slashes escaped.
fn php_json_encode(value: &serde_json::Value) -> String {
    serde_json::to_string(value).unwrap().replace('/', "\\/")
}

fn plugin_payload(key: &str, path: &str) -> String {
    php_json_encode(&json!({
        "user": {"id": "alice", "primary_email": "alice@example.org", "auth_method": "test"},
        key: path,
    }))
}

/// What every plugin call checks before using a reply; returns `json_decode($resp->payload)`.
#[track_caller]
fn php_accepts(r: &LegacyReply, call: &str) -> serde_json::Value {
    let resp: serde_json::Value = serde_json::from_str(&r.raw).unwrap();
    // `$resp->return->code !== 0`: strictly the integer 0.
    assert_eq!(resp["return"]["code"], json!(0), "{call}: {}", r.raw);
    assert!(resp["return"]["code"].is_i64(), "{call}: code must be an integer");
    let payload = resp["payload"].as_str().expect("payload is a string");
    assert!(!payload.is_empty() && payload != "[]", "{call}: empty payload");
    assert_eq!(resp["md5_payload"], json!(STANDARD.encode(<md5::Md5 as md5::Digest>::digest(payload))));
    serde_json::from_str(payload).unwrap()
}

/// The folder the plugins record after `/uzu`: what follows the first `./` of `extractpath`,
/// with `//` made `/` (`normalize_localpath`); `None` where they report "Empty directory".
fn php_new_directory(extractpath: &str) -> Option<String> {
    let at = extractpath.find("./")?;
    let rest = &extractpath[at + 2..];
    (!rest.is_empty()).then(|| rest.replace("//", "/"))
}

/// The picker's ids for `/lof`'s tree (`display_lof_recursive`): `/name`, `/name/sub`, …
fn php_picker_ids(nodes: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    for node in nodes.as_array().unwrap() {
        let id = format!("{path}/{}", node["name"].as_str().unwrap());
        assert!(node["type"] == "directory" || node["type"] == "file", "{node}");
        if node["type"] == "file" {
            assert!(node["last-modification"].is_string(), "{node}");
        }
        out.push(id.clone());
        if let Some(children) = node["children"].as_array().filter(|c| !c.is_empty()) {
            php_picker_ids(&serde_json::Value::Array(children.clone()), &id, out);
        }
    }
}

async fn plugin_get(server: &Server, route: &str, key: &str, path: &str) -> LegacyReply {
    server.legacy_get(route, &plugin_payload(key, path)).await
}

async fn plugin_uzu(server: &Server, destination: &str, zip: Vec<u8>, filename: &str) -> LegacyReply {
    let params = server.legacy_query(&plugin_payload("destination", destination), now(), LEGACY_SECRET);
    let part = reqwest::multipart::Part::bytes(zip).file_name(filename.to_owned());
    uzu_send(server, &params, reqwest::multipart::Form::new().part("file", part)).await
}

#[tokio::test]
async fn the_noto_plugins_work_unchanged() {
    let server = files::start().await;
    let home = server.home("alice");
    write_at(&home.join("Documentation/intro.ipynb"), br#"{"cells": []}"#, T1);
    write_at(&home.join("course/week1/ex.py"), b"print(1)\n", T1);
    mkdir(&home.join("course/returns"));

    // The picker: `lof('./')`, its tree turned into ids.
    let tree = php_accepts(&plugin_get(&server, "/lof", "path", "./").await, "lof");
    let mut ids = Vec::new();
    php_picker_ids(&tree, "", &mut ids);
    assert!(ids.contains(&"/course/week1".to_owned()), "{ids:?}");
    assert!(ids.contains(&"/course/week1/ex.py".to_owned()), "{ids:?}");
    let lod = php_accepts(&plugin_get(&server, "/lod", "path", "./").await, "lod");
    assert_eq!(lod["type"], "directory");
    assert!(lod["children"].as_array().unwrap().iter().any(|c| c["name"] == "course"), "{lod}");

    // Submit / snapshot: `zfs('./' . '/course/week1')`; the blob is base64 of a zip.
    let z = php_accepts(&plugin_get(&server, "/zfs", "folder", ".//course/week1").await, "zfs");
    let zip = STANDARD.decode(z["blob"].as_str().unwrap()).unwrap();
    assert_eq!(zip_files(&zip)["ex.py"], b"print(1)\n");

    // Get a copy / collect: `uzu(sprintf('%s/%s/name', './', '/course/returns'))`, then read
    // the folder created from extractpath; a second copy gets -V2, and the gradebook goes to
    // `substr(extractpath, strpos('./')) . '/gradebook'`.
    let dest = format!("{}/{}/{}", "./", "/course/returns", "course2_assignment2");
    assert_eq!(dest, ".///course/returns/course2_assignment2");
    let seed = make_zip(&[("nb.ipynb", b"{}")]);
    let u = php_accepts(&plugin_uzu(&server, &dest, seed.clone(), "seed_user3.zip").await, "uzu");
    let extractpath = u["extractpath"].as_str().unwrap();
    assert_eq!(extractpath, "/alice/.///course/returns/course2_assignment2");
    assert_eq!(php_new_directory(extractpath).as_deref(), Some("/course/returns/course2_assignment2"));
    assert!(home.join("course/returns/course2_assignment2/nb.ipynb").is_file());

    let u = php_accepts(&plugin_uzu(&server, &dest, seed, "seed_user3.zip").await, "uzu again");
    let extractpath = u["extractpath"].as_str().unwrap();
    assert_eq!(php_new_directory(extractpath).as_deref(), Some("/course/returns/course2_assignment2-V2"));
    assert!(home.join("course/returns/course2_assignment2-V2/nb.ipynb").is_file());
    assert!(!home.join("course/returns/course2_assignment2-V3").exists());

    let gradebook = format!("{}/gradebook", &extractpath[extractpath.find("./").unwrap()..]);
    let csv = make_zip(&[("grades.csv", b"a,b\n")]);
    let g = php_accepts(&plugin_uzu(&server, &gradebook, csv, "results.zip").await, "gradebook uzu");
    assert_eq!(
        php_new_directory(g["extractpath"].as_str().unwrap()).as_deref(),
        Some("/course/returns/course2_assignment2-V2/gradebook")
    );
    assert!(home.join("course/returns/course2_assignment2-V2/gradebook/grades.csv").is_file());

    // Feedback: `zfs('./' . $dir)` of the recorded folder.
    let z = php_accepts(&plugin_get(&server, "/zfs", "folder", "./").await, "zfs of the home");
    assert!(z["origin"].is_string());
    let recorded = php_new_directory(extractpath).unwrap();
    let z =
        php_accepts(&plugin_get(&server, "/zfs", "folder", &format!("./{recorded}")).await, "feedback zfs");
    let zip = STANDARD.decode(z["blob"].as_str().unwrap()).unwrap();
    assert_eq!(zip_files(&zip)["gradebook/grades.csv"], b"a,b\n");

    // A missing folder: the picker shows "no account" on exactly this message.
    let r = plugin_get(&server, "/lof", "path", ".//nowhere").await;
    assert_eq!(
        format!("lof(): Error code: {} status: {}", r.code, r.message),
        "lof(): Error code: 404 status: Directory doesn't exist"
    );
}
