//! The v2 API over real HTTP on 127.0.0.1: every route, every refusal.

use lablink_protocol::files::{EntriesPage, EntryKind, ExtractResult, FileWritten, FolderCreated};
use lablink_testkit::files::*;
use sha2::{Digest, Sha256};

fn write(path: impl AsRef<std::path::Path>, data: impl AsRef<[u8]>) {
    let path = path.as_ref();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, data).unwrap();
}

#[tokio::test]
async fn health_answers() {
    let s = start().await;
    let resp = s.client.get(s.url("/v2/health")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn entries_lists_one_level_folders_first_and_pages() {
    let s = start().await;
    let home = s.home("alice");
    for i in 0..23 {
        write(home.join(format!("work/file{i:02}.ipynb")), b"{}");
    }
    std::fs::create_dir_all(home.join("work/zfolder/deeper")).unwrap();
    std::fs::create_dir_all(home.join("work/Afolder")).unwrap();
    write(home.join("work/.hidden"), b"x");
    write(home.join("work/zfolder/deeper/not-listed.txt"), b"x");

    let page: EntriesPage = s.get("alice", "entries", "path=work&limit=1000").await.json().await.unwrap();
    assert_eq!(page.total, 25);
    assert_eq!(page.entries[0].name, "Afolder");
    assert_eq!(page.entries[1].name, "zfolder");
    assert_eq!(page.entries[1].kind, EntryKind::Folder);
    assert_eq!(page.entries[2].name, "file00.ipynb");
    assert_eq!(page.entries[2].size, 2);
    assert!(page.entries[2].modified > 1_600_000_000);
    assert!(page.next_cursor.is_none());
    assert!(page.entries.iter().all(|e| e.name != ".hidden" && e.name != "not-listed.txt"));

    let hidden: EntriesPage = s.get("alice", "entries", "path=work&hidden=true").await.json().await.unwrap();
    assert_eq!(hidden.total, 26);

    // Paging: 10 at a time, every entry exactly once, in order.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let q = match &cursor {
            Some(c) => format!("path=work&limit=10&cursor={c}"),
            None => "path=work&limit=10".into(),
        };
        let p: EntriesPage = s.get("alice", "entries", &q).await.json().await.unwrap();
        assert!(p.entries.len() <= 10);
        seen.extend(p.entries.into_iter().map(|e| e.name));
        cursor = p.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    let all: Vec<_> = page.entries.into_iter().map(|e| e.name).collect();
    assert_eq!(seen, all);

    let bad = s.get("alice", "entries", "path=work&cursor=!!notours").await;
    assert_eq!(error_code(bad).await.0, 400);
}

#[tokio::test]
async fn entries_of_the_home_root_and_missing_folders() {
    let s = start().await;
    std::fs::create_dir_all(s.home("alice").join("one")).unwrap();
    let page: EntriesPage = s.get("alice", "entries", "").await.json().await.unwrap();
    assert_eq!(page.entries.len(), 1);
    let (status, code, msg) = error_code(s.get("alice", "entries", "path=nope").await).await;
    assert_eq!((status, code.as_str()), (404, "not_found"));
    assert!(!msg.contains(&s.homes.display().to_string()), "no server path in: {msg}");
    write(s.home("alice").join("f.txt"), b"x");
    let (status, code, _) = error_code(s.get("alice", "entries", "path=f.txt").await).await;
    assert_eq!((status, code.as_str()), (409, "not_a_folder"));
    let (status, _, msg) = error_code(s.get("carol", "entries", "").await).await;
    assert_eq!(status, 404);
    assert!(msg.contains("no home"));
}

/// `..`, absolute paths, control characters and encoded dots in every path parameter.
#[tokio::test]
async fn paths_escaping_the_home_are_refused_everywhere() {
    let s = start().await;
    std::fs::create_dir_all(s.home("alice").join("a")).unwrap();
    let zip = make_zip(&[("x.txt", b"x")]);
    let escapes =
        ["..", "../bob", "a/../../bob/private", "/etc", "/", "a/%2e%2e/%2e%2e/bob", "x%0Ay", "x%00y"];
    for bad in escapes {
        let routes =
            [("entries", false), ("archive", false), ("file", false), ("extract", true), ("folders", true)];
        for (route, post) in routes {
            let q = format!("path={bad}");
            let resp = if post {
                s.post("alice", route, &q, zip.clone()).await
            } else {
                s.get("alice", route, &q).await
            };
            let status = resp.status().as_u16();
            let body = resp.text().await.unwrap();
            assert_eq!(status, 400, "{route} path={bad}: {body}");
            assert!(!body.contains(BOB_SECRET));
            assert!(body.contains("\"code\""), "{route} {bad}: JSON error expected: {body}");
        }
    }
    // Decoded once, `%252e%252e` is the literal name `%2e%2e`: a folder name like any other.
    std::fs::create_dir_all(s.home("alice").join("%2e%2e")).unwrap();
    let resp = s.get("alice", "entries", "path=%252e%252e").await;
    assert_eq!(resp.status(), 200);
    assert!(!s.home("alice").join("..").join("bob").join("x.txt").exists());
    assert!(leftovers(&s.homes).is_empty());
}

#[tokio::test]
async fn the_home_parameter_cannot_escape_either() {
    let s = start().await;
    for home in ["..", ".", ".hidden", "bob%2F..%2Falice"] {
        let decoded = home.replace("%2F", "/");
        let path = format!("/v2/homes/{home}/entries");
        let t = sign_with(&claims(&decoded, "GET", &path, "read"), KID, SECRET);
        let resp = s.client.get(s.url(&path)).bearer_auth(t).send().await.unwrap();
        let status = resp.status().as_u16();
        assert!(status == 400 || status == 401 || status == 404, "home {home}: {status}");
        assert!(!resp.text().await.unwrap().contains("secret.txt"));
    }
}

#[tokio::test]
async fn symlinks_are_never_followed() {
    let s = start().await;
    let alice = s.home("alice");
    std::fs::create_dir_all(alice.join("work")).unwrap();
    symlink(s.home("bob"), alice.join("work/bob-home"));
    symlink(s.home("bob").join("private/secret.txt"), alice.join("work/stolen.txt"));
    symlink("loop-b", alice.join("work/loop-a"));
    symlink("loop-a", alice.join("work/loop-b"));
    write(alice.join("work/mine.txt"), b"mine");

    // Listed as links, not as what they point to.
    let page: EntriesPage = s.get("alice", "entries", "path=work").await.json().await.unwrap();
    let kinds: std::collections::HashMap<_, _> =
        page.entries.iter().map(|e| (e.name.as_str(), e.kind)).collect();
    assert_eq!(kinds["bob-home"], EntryKind::Symlink);
    assert_eq!(kinds["stolen.txt"], EntryKind::Symlink);
    assert_eq!(kinds["loop-a"], EntryKind::Symlink);

    for path in ["work/bob-home", "work/bob-home/private", "work/loop-a"] {
        let (status, code, _) = error_code(s.get("alice", "entries", &format!("path={path}")).await).await;
        assert_eq!((status, code.as_str()), (403, "forbidden"), "{path}");
        let resp = s.get("alice", "archive", &format!("path={path}")).await;
        assert_eq!(resp.status(), 403, "{path}");
    }
    // Through a link as the parent of an extract or a new folder.
    let zip = make_zip(&[("x.txt", b"x")]);
    let resp = s.post("alice", "extract", "path=work/bob-home/dropped", zip).await;
    assert_eq!(resp.status(), 403);
    let resp = s.post("alice", "folders", "path=work/bob-home/made", vec![]).await;
    assert_eq!(resp.status(), 403);
    assert!(!s.home("bob").join("dropped").exists() && !s.home("bob").join("made").exists());

    // Archived: links left out and named in the headers; Bob's bytes never included.
    let resp = s.get("alice", "archive", "path=work").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["lablink-skipped-count"], "4");
    let skipped = resp.headers()["lablink-skipped"].to_str().unwrap().to_owned();
    assert!(skipped.contains("stolen.txt") && skipped.contains("bob-home"), "{skipped}");
    let bytes = resp.bytes().await.unwrap();
    assert!(!bytes.windows(BOB_SECRET.len()).any(|w| w == BOB_SECRET.as_bytes()));
    let files = read_zip(&bytes);
    assert_eq!(files.keys().collect::<Vec<_>>(), vec!["mine.txt"]);
}

#[tokio::test]
async fn archive_streams_a_tree_without_caches() {
    let s = start().await;
    let alice = s.home("alice");
    write(alice.join("hw1/notebook.ipynb"), br#"{"cells": []}"#);
    write(alice.join("hw1/data/table.csv"), "a,b\n1,2\n".repeat(10_000));
    write(alice.join("hw1/.ipynb_checkpoints/notebook-checkpoint.ipynb"), b"old");
    write(alice.join("hw1/__pycache__/mod.cpython-311.pyc"), b"pyc");
    write(alice.join("hw1/odd\nname ünï.txt"), b"newline and unicode");
    write(alice.join("hw1/plain ünï.txt"), b"unicode");
    std::fs::create_dir_all(alice.join("hw1/empty")).unwrap();

    let resp = s.get("alice", "archive", "path=hw1").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/zip");
    // A name no upload could carry back (a control character) is left out and reported.
    assert_eq!(resp.headers()["lablink-skipped-count"], "1");
    assert_eq!(resp.headers()["lablink-skipped"], "[\"odd%5Cnname%20%C3%BCn%C3%AF.txt\"]");
    assert!(resp.headers()["content-disposition"].to_str().unwrap().contains("hw1.zip"));
    let files = read_zip(&resp.bytes().await.unwrap());
    let mut names: Vec<_> = files.keys().cloned().collect();
    names.sort();
    assert_eq!(names, ["data/", "data/table.csv", "empty/", "notebook.ipynb", "plain ünï.txt"]);
    assert_eq!(files["data/table.csv"], "a,b\n1,2\n".repeat(10_000).into_bytes());

    let resp = s.get("alice", "archive", "path=hw1&include_caches=true").await;
    let files = read_zip(&resp.bytes().await.unwrap());
    assert!(files.contains_key(".ipynb_checkpoints/notebook-checkpoint.ipynb"));
    assert!(files.contains_key("__pycache__/mod.cpython-311.pyc"));
}

/// A file is replaced by a link to Bob's secret while the archive is being written: the
/// server opens every file without following links, so the link is left out.
#[tokio::test]
async fn a_symlink_swapped_in_mid_archive_is_not_followed() {
    let s = start().await;
    let alice = s.home("alice");
    // Enough incompressible data ahead of the target that the writer blocks on the slow reader.
    let mut seed = 0x9e3779b97f4a7c15u64;
    let noise: Vec<u8> = (0..(8 << 20))
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as u8
        })
        .collect();
    for i in 0..6 {
        write(alice.join(format!("big/a{i}.bin")), &noise);
    }
    // Larger than what is compressed ahead, so the writer opens it only when it gets there.
    write(alice.join("big/zz-last.txt"), b"harmless".repeat(300_000));

    let resp = s.get("alice", "archive", "path=big").await;
    assert_eq!(resp.status(), 200);
    let mut stream = resp.bytes_stream();
    use futures_util::StreamExt;
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&stream.next().await.unwrap().unwrap());
    // Swap now: the writer is still on the first files.
    std::fs::remove_file(alice.join("big/zz-last.txt")).unwrap();
    symlink(s.home("bob").join("private/secret.txt"), alice.join("big/zz-last.txt"));
    while let Some(chunk) = stream.next().await {
        bytes.extend_from_slice(&chunk.unwrap());
    }
    assert!(!bytes.windows(BOB_SECRET.len()).any(|w| w == BOB_SECRET.as_bytes()));
    let files = read_zip(&bytes);
    assert_eq!(files.len(), 6, "{:?}", files.keys());
    assert!(!files.contains_key("zz-last.txt"));
    let comment = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap().comment().to_vec();
    assert!(String::from_utf8_lossy(&comment).contains("zz-last.txt"));
}

#[tokio::test]
async fn extract_lands_complete_and_never_overwrites() {
    let s = start().await;
    std::fs::create_dir_all(s.home("alice").join("inbox")).unwrap();
    let zip = make_zip(&[
        ("hw/", b""),
        ("hw/a.ipynb", b"{\"cells\":[]}"),
        ("hw/data/b.csv", b"1,2,3\n"),
        ("top.txt", b"top"),
    ]);
    let resp = s.post("alice", "extract", "path=inbox/sub1", zip.clone()).await;
    assert_eq!(resp.status(), 201);
    let r: ExtractResult = resp.json().await.unwrap();
    assert_eq!(r.path.as_str(), "inbox/sub1");
    assert_eq!((r.files, r.folders, r.bytes), (3, 2, 12 + 6 + 3));
    let base = s.home("alice").join("inbox/sub1");
    assert_eq!(std::fs::read(base.join("hw/data/b.csv")).unwrap(), b"1,2,3\n");
    assert_eq!(std::fs::read(base.join("top.txt")).unwrap(), b"top");

    // Taken: renamed by default, refused with on_conflict=fail, never merged.
    let r: ExtractResult =
        s.post("alice", "extract", "path=inbox/sub1", zip.clone()).await.json().await.unwrap();
    assert_eq!(r.path.as_str(), "inbox/sub1-2");
    let (status, code, _) =
        error_code(s.post("alice", "extract", "path=inbox/sub1&on_conflict=fail", zip.clone()).await).await;
    assert_eq!((status, code.as_str()), (409, "conflict"));
    // Even an empty folder in the way is not replaced.
    std::fs::create_dir_all(s.home("alice").join("inbox/empty")).unwrap();
    let (status, _, _) =
        error_code(s.post("alice", "extract", "path=inbox/empty&on_conflict=fail", zip.clone()).await).await;
    assert_eq!(status, 409);
    let r: ExtractResult =
        s.post("alice", "extract", "path=inbox/empty", zip.clone()).await.json().await.unwrap();
    assert_eq!(r.path.as_str(), "inbox/empty-2");
    assert_eq!(std::fs::read_dir(s.home("alice").join("inbox/empty")).unwrap().count(), 0);

    let (status, _, _) =
        error_code(s.post("alice", "extract", "path=missing/parent", zip.clone()).await).await;
    assert_eq!(status, 404);
    assert!(leftovers(&s.homes).is_empty());
}

/// Each hostile archive is refused with a clear error, and nothing of it remains anywhere.
#[tokio::test]
async fn hostile_archives_are_refused_and_leave_nothing() {
    let s = start_with(|c| {
        c.limits.max_entries = 50;
        c.limits.max_uncompressed_bytes = 64 << 20;
    })
    .await;
    std::fs::create_dir_all(s.home("alice").join("in")).unwrap();
    let many: Vec<(String, Vec<u8>)> = (0..51).map(|i| (format!("f{i}"), vec![])).collect();
    let many_refs: Vec<(&str, &[u8])> = many.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
    let big_a = vec![7u8; 40 << 20];
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("zip-slip", make_zip(&[("ok.txt", b"ok"), ("../evil.txt", b"evil")]), 400, "outside"),
        ("deep zip-slip", make_zip(&[("a/b/../../../evil.txt", b"evil")]), 400, "outside"),
        ("absolute", make_zip(&[("/tmp/evil.txt", b"evil")]), 400, "outside"),
        ("backslashes", make_zip(&[("..\\..\\evil.txt", b"evil")]), 400, "outside"),
        ("control chars", make_zip(&[("bad\u{1}name", b"x")]), 400, "unusable name"),
        ("too many entries", make_zip(&many_refs), 413, "entries"),
        ("too large expanded", make_zip(&[("a.bin", &big_a[..]), ("b.bin", &big_a[..])]), 413, "expands to"),
        ("not a zip", b"this is not a zip file at all".to_vec(), 400, "not a readable zip"),
        ("empty", Vec::new(), 400, "empty"),
        ("file and folder", make_zip(&[("x", b"1"), ("x/y", b"2")]), 400, "both a file and a folder"),
        ("duplicate", make_zip(&[("d.txt", b"1"), ("./d.txt", b"2")]), 400, "twice"),
    ];
    for (what, body, status, words) in cases {
        let (got, _, msg) = error_code(s.post("alice", "extract", "path=in/target", body).await).await;
        assert_eq!(got, status, "{what}: {msg}");
        assert!(msg.contains(words), "{what}: message `{msg}` should mention `{words}`");
        assert!(!s.home("alice").join("in/target").exists(), "{what}: target must not exist");
        assert!(leftovers(&s.homes).is_empty(), "{what}: staging left behind");
    }
    assert!(!s.homes.join("evil.txt").exists() && !s.home("alice").join("evil.txt").exists());
    assert!(!std::path::Path::new("/tmp/evil.txt").exists());
}

#[tokio::test]
async fn links_inside_an_archive_are_skipped() {
    let s = start().await;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    zip.add_symlink("link-to-bob", "../../bob/private/secret.txt", opts).unwrap();
    zip.start_file("real.txt", opts).unwrap();
    std::io::Write::write_all(&mut zip, b"real").unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let r: ExtractResult = s.post("alice", "extract", "path=got", bytes).await.json().await.unwrap();
    assert_eq!(r.skipped, vec!["link-to-bob".to_owned()]);
    assert_eq!(r.files, 1);
    let got = s.home("alice").join("got");
    assert!(std::fs::symlink_metadata(got.join("link-to-bob")).is_err());
}

#[tokio::test]
async fn huge_uploads_are_cut_off() {
    let s = start_with(|c| c.limits.max_upload_bytes = 1 << 20).await;
    // Declared too large: refused before reading.
    let body = vec![1u8; 2 << 20];
    let (status, code, _) = error_code(s.post("alice", "extract", "path=x", body.clone()).await).await;
    assert_eq!((status, code.as_str()), (413, "payload_too_large"));
    // Streamed without a length: cut off while reading.
    let path = "/v2/homes/alice/extract";
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..32).map(|_| Ok(vec![1u8; 128 << 10])).collect();
    let resp = s
        .client
        .post(s.url(&format!("{path}?path=x")))
        .bearer_auth(token("alice", "POST", path, "read write"))
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    assert!(!s.home("alice").join("x").exists());
    assert!(leftovers(&s.homes).is_empty());
}

#[tokio::test]
async fn folders_are_made_inside_the_home_only() {
    let s = start().await;
    let resp = s.post("alice", "folders", "path=new", vec![]).await;
    assert_eq!(resp.status(), 201);
    let made: FolderCreated = resp.json().await.unwrap();
    assert!(made.created && s.home("alice").join("new").is_dir());
    let (status, code, _) = error_code(s.post("alice", "folders", "path=new", vec![]).await).await;
    assert_eq!((status, code.as_str()), (409, "conflict"));
    let (status, _, _) = error_code(s.post("alice", "folders", "path=a/b/c", vec![]).await).await;
    assert_eq!(status, 404);
    let resp = s.post("alice", "folders", "path=a/b/c&parents=true", vec![]).await;
    assert_eq!(resp.status(), 201);
    assert!(s.home("alice").join("a/b/c").is_dir());
    let resp = s.post("alice", "folders", "path=a/b/c&parents=true", vec![]).await;
    assert_eq!(resp.status(), 200);
    symlink(s.home("bob"), s.home("alice").join("tobob"));
    let resp = s.post("alice", "folders", "path=tobob/x&parents=true", vec![]).await;
    assert_eq!(resp.status(), 403);
    assert!(!s.home("bob").join("x").exists());
}

/// Tokens: every way a token can be wrong is refused, and a good one works once.
#[tokio::test]
async fn tokens_are_checked_strictly() {
    let s = start().await;
    let path = "/v2/homes/alice/entries";
    let send = |auth: Option<String>| {
        let req = s.client.get(s.url(path));
        let req = match auth {
            Some(a) => req.header("authorization", a),
            None => req,
        };
        async move { error_code(req.send().await.unwrap()).await }
    };
    let good = || claims("alice", "GET", path, "read");

    assert_eq!(send(None).await.0, 401);
    assert_eq!(send(Some("Basic YWxpY2U6eA==".into())).await.0, 401);
    assert_eq!(send(Some("Bearer not.a.jwt".into())).await.0, 401);
    assert_eq!(send(Some("Bearer {\"alg\":\"none\"}".into())).await.0, 401);

    let mut c = good();
    c.exp = now() - 30;
    c.iat = now() - 60;
    let (st, _, msg) = send(Some(format!("Bearer {}", sign_with(&c, KID, SECRET)))).await;
    assert_eq!(st, 401);
    assert!(msg.contains("expired"), "{msg}");

    let mut c = good();
    c.exp = c.iat + 121;
    let (st, _, msg) = send(Some(format!("Bearer {}", sign_with(&c, KID, SECRET)))).await;
    assert!(st == 401 && msg.contains("120"), "{st} {msg}");

    let mut c = good();
    c.iat = now() + 60;
    c.exp = c.iat + 60;
    let (st, _, msg) = send(Some(format!("Bearer {}", sign_with(&c, KID, SECRET)))).await;
    assert!(st == 401 && msg.contains("future"), "{st} {msg}");

    let (st, _, msg) = send(Some(format!("Bearer {}", sign_with(&good(), "other-kid", SECRET)))).await;
    assert!(st == 401 && msg.contains("key id"), "{msg}");
    let (st, _, msg) =
        send(Some(format!("Bearer {}", sign_with(&good(), KID, "a different secret of length")))).await;
    assert!(st == 401 && msg.contains("signature"), "{msg}");

    // HS512 with the right secret is still refused: one algorithm only.
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512);
    header.kid = Some(KID.into());
    let t =
        jsonwebtoken::encode(&header, &good(), &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()))
            .unwrap();
    assert_eq!(send(Some(format!("Bearer {t}"))).await.0, 401);

    // Bound to method, path and home.
    let (st, _, msg) = send(Some(format!("Bearer {}", token("alice", "POST", path, "read")))).await;
    assert!(st == 401 && msg.contains("method"), "{msg}");
    let (st, _, msg) =
        send(Some(format!("Bearer {}", token("alice", "GET", "/v2/homes/alice/archive", "read")))).await;
    assert!(st == 401 && msg.contains("path"), "{msg}");
    let bob_path = "/v2/homes/bob/entries";
    let t = token("alice", "GET", bob_path, "read");
    let resp = s.client.get(s.url(bob_path)).bearer_auth(t).send().await.unwrap();
    let (st, code, _) = error_code(resp).await;
    assert_eq!((st, code.as_str()), (403, "forbidden"));
    // A full URL in htu works: only its path is compared.
    let t = token("alice", "GET", &format!("https://files.example.org{path}"), "read");
    assert_eq!(s.client.get(s.url(path)).bearer_auth(t).send().await.unwrap().status(), 200);

    // Scope: read-only tokens cannot write.
    let ep = "/v2/homes/alice/folders";
    let t = token("alice", "POST", ep, "read");
    let resp = s.client.post(s.url(&format!("{ep}?path=nope"))).bearer_auth(t).send().await.unwrap();
    assert_eq!(resp.status(), 403);
    assert!(!s.home("alice").join("nope").exists());

    // Single use: the same token twice is a replay.
    let t = token("alice", "GET", path, "read");
    assert_eq!(s.client.get(s.url(path)).bearer_auth(&t).send().await.unwrap().status(), 200);
    let (st, code, _) = error_code(s.client.get(s.url(path)).bearer_auth(&t).send().await.unwrap()).await;
    assert_eq!((st, code.as_str()), (401, "token_replayed"));
}

#[tokio::test]
async fn a_full_replay_cache_refuses_instead_of_forgetting() {
    let s = start_with(|c| c.limits.replay_cache_size = 3).await;
    for _ in 0..3 {
        assert_eq!(s.get("alice", "entries", "").await.status(), 200);
    }
    let (st, code, _) = error_code(s.get("alice", "entries", "").await).await;
    assert_eq!((st, code.as_str()), (503, "busy"));
}

#[tokio::test]
async fn unknown_routes_and_malformed_queries_get_json_errors() {
    let s = start().await;
    let resp = s.client.get(s.url("/v2/nothing")).send().await.unwrap();
    assert_eq!(error_code(resp).await.0, 404);
    let (st, code, _) = error_code(s.get("alice", "entries", "limit=lots").await).await;
    assert_eq!((st, code.as_str()), (400, "bad_request"));
    let (st, _, _) =
        error_code(s.post("alice", "extract", "path=x&on_conflict=merge", make_zip(&[("a", b"a")])).await)
            .await;
    assert_eq!(st, 400);
}

#[tokio::test]
async fn archives_beyond_the_limit_wait_their_turn() {
    let s = start_with(|c| c.limits.max_concurrent_archives = 1).await;
    for i in 0..50 {
        write(s.home("alice").join(format!("w/f{i}.txt")), format!("file {i}\n").repeat(2000));
    }
    let requests = (0..4).map(|_| async {
        let resp = s.get("alice", "archive", "path=w").await;
        assert_eq!(resp.status(), 200);
        read_zip(&resp.bytes().await.unwrap())
    });
    let zips = futures_util::future::join_all(requests).await;
    for zip in &zips {
        assert_eq!(zip.len(), 50);
        assert_eq!(zip["f7.txt"], "file 7\n".repeat(2000).into_bytes());
    }
}

#[tokio::test]
async fn archiving_a_folder_over_the_entry_limit_is_refused() {
    let s = start_with(|c| c.limits.max_entries = 5).await;
    for i in 0..10 {
        write(s.home("alice").join(format!("many/f{i}.txt")), b"x");
    }
    let (status, code, msg) = error_code(s.get("alice", "archive", "path=many").await).await;
    assert_eq!((status, code.as_str()), (413, "archive_limit"), "{msg}");
    assert!(msg.contains("more than 5 entries"), "{msg}");
}

/// Everything below `root` a walk like the archive's keeps, as (relative path → contents, `None`
/// for a folder), and how many entries it leaves out (with all beneath them). Kept: names that
/// are UTF-8 and pass `check_name` without backslashes, paths up to `MAX_PATH_BYTES`, folders
/// up to `MAX_DEPTH - 1` deep (so their files still fit), no cache folders.
fn archivable(root: &std::path::Path) -> (std::collections::BTreeMap<String, Option<Vec<u8>>>, usize) {
    use lablink_protocol::path::{MAX_DEPTH, MAX_PATH_BYTES, check_name};
    fn walk(
        dir: &std::path::Path,
        prefix: &str,
        depth: usize,
        out: &mut std::collections::BTreeMap<String, Option<Vec<u8>>>,
        skipped: &mut usize,
    ) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let is_dir = e.file_type().unwrap().is_dir();
            let Some(name) = e.file_name().to_str().map(str::to_owned) else {
                *skipped += 1;
                continue;
            };
            if is_dir && name == "__pycache__" {
                continue;
            }
            let rel = format!("{prefix}{name}");
            if check_name(&name).is_err()
                || name.contains('\\')
                || rel.len() > MAX_PATH_BYTES
                || (is_dir && depth + 1 >= MAX_DEPTH)
            {
                *skipped += 1;
                continue;
            }
            if is_dir {
                out.insert(rel.clone(), None);
                walk(&e.path(), &format!("{rel}/"), depth + 1, out, skipped);
            } else {
                out.insert(rel, Some(std::fs::read(e.path()).unwrap()));
            }
        }
    }
    let (mut out, mut skipped) = (std::collections::BTreeMap::new(), 0);
    walk(root, "", 0, &mut out, &mut skipped);
    (out, skipped)
}

/// A folder with awkward but legal names, fetched as a zip and submitted back, lands whole:
/// whatever the archive holds, extract accepts; what it could not carry is left out and
/// reported, never a reason for the upload to be refused.
#[tokio::test]
async fn what_archive_writes_extract_takes_back() {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::PermissionsExt;
    let s = start().await;
    let src = s.home("alice").join("awk");
    let names = [
        "spaces  and  more.txt",
        " leading space",
        "trailing space ",
        "trailing dot.",
        "ünïcödé/日本語.txt",
        "emoji 🎉.md",
        "-dash-first",
        "#hash%20percent&amp;.txt",
        "quote\"s 'and' `ticks`.txt",
        "semi;colon:colon*star?.txt",
        "<angle>|pipe.txt",
        ".hidden/.env",
        "zero-length.bin",
        "__pycache__/m.pyc",
        "back\\slash.txt",
        "ctl\u{7}bell.txt",
        "tab\tin name/inside.txt",
    ];
    for name in names {
        write(src.join(name), if name.starts_with("zero") { "" } else { name });
    }
    write(src.join(format!("{}.txt", "n".repeat(251))), b"a name of 255 bytes");
    write(src.join(std::ffi::OsStr::from_bytes(b"latin1-\xe9.txt")), b"not UTF-8");
    for empty in ["empty", "nested/empty/inside"] {
        std::fs::create_dir_all(src.join(empty)).unwrap();
    }
    write(src.join("run.sh"), b"#!/bin/sh\n");
    std::fs::set_permissions(src.join("run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    // Nested deeper than an upload may be, and a path longer than an upload's may be.
    let deep: std::path::PathBuf = (0..70).map(|i| format!("d{i}")).collect();
    write(src.join("deep").join(&deep).join("bottom.txt"), b"deep");
    write(src.join("deep").join(deep.iter().take(60).collect::<std::path::PathBuf>()).join("f.txt"), b"60");
    let long: std::path::PathBuf = (0..14).map(|i| format!("{i:02}{}", "l".repeat(240))).collect();
    write(src.join(&long).join("far.txt"), b"far");
    write(src.join(long.iter().take(3).collect::<std::path::PathBuf>()).join("near.txt"), b"near");

    let (expected, skipped) = archivable(&src);
    assert!(expected.len() > 90 && skipped == 6, "{} kept, {skipped} left out", expected.len());
    let resp = s.get("alice", "archive", "path=awk").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["lablink-skipped-count"], skipped.to_string().as_str());
    let zip = resp.bytes().await.unwrap().to_vec();

    let resp = s.post("alice", "extract", "path=back", zip).await;
    let status = resp.status();
    let text = resp.text().await.unwrap();
    assert_eq!(status, 201, "{text}");
    let (got, none_left_out) = archivable(&s.home("alice").join("back"));
    assert_eq!(none_left_out, 0);
    assert_eq!(got.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>());
    assert!(got == expected, "contents differ");
    let mode = std::fs::metadata(s.home("alice").join("back/run.sh")).unwrap().permissions().mode();
    assert_eq!(mode & 0o111, 0o111);
    assert!(leftovers(&s.homes).is_empty());
}

/// A zero-filled array compresses about 1000:1: real data, not a bomb. Fetched from our own
/// archive route, it goes back in whole.
#[tokio::test]
async fn sparse_data_archived_by_us_extracts_back() {
    let s = start().await;
    let mut npy =
        b"\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': False, 'shape': (6553600,), }".to_vec();
    npy.resize(128, b' ');
    npy[127] = b'\n';
    npy.resize(50 << 20, 0);
    write(s.home("alice").join("sim/state.npy"), &npy);
    let zip = s.get("alice", "archive", "path=sim").await.bytes().await.unwrap().to_vec();
    assert!(zip.len() < (50 << 20) / 200, "the zip must be compressed past 200:1 ({} bytes)", zip.len());
    let resp = s.post("alice", "extract", "path=sim-back", zip).await;
    let status = resp.status();
    let text = resp.text().await.unwrap();
    assert_eq!(status, 201, "{text}");
    assert!(std::fs::read(s.home("alice").join("sim-back/state.npy")).unwrap() == npy);
}

/// Sets the declared uncompressed size of every entry (local and central headers) to `size`.
fn lie_about_sizes(zip: &mut [u8], size: u32) {
    for (sig, offset) in [(b"PK\x03\x04", 22), (b"PK\x01\x02", 24)] {
        let at: Vec<usize> = zip.windows(4).enumerate().filter(|(_, w)| w == sig).map(|(i, _)| i).collect();
        for i in at {
            zip[i + offset..i + offset + 4].copy_from_slice(&size.to_le_bytes());
        }
    }
}

/// Bombs are still refused without a ratio limit, by what actually comes out: an entry that
/// expands past its declared size, or an archive past the total cap; neither leaves anything.
#[tokio::test]
async fn bombs_are_refused_by_the_bytes_that_come_out() {
    let s = start_with(|c| c.limits.max_uncompressed_bytes = 32 << 20).await;
    let zeros = vec![0u8; 20 << 20];
    let mut liar = make_zip(&[("small.txt", b"fine"), ("zeros.bin", &zeros)]);
    lie_about_sizes(&mut liar, 1000);
    let mut many_liars = make_zip(&[("a.bin", &zeros), ("b.bin", &zeros), ("c.bin", &zeros)]);
    lie_about_sizes(&mut many_liars, 10 << 20);
    // Reading stops at the declared size (the zip reader's bound and our own count): what is
    // left fails its checksum.
    let cases: [(&str, Vec<u8>, u16, &str); 3] = [
        ("declared small, expands huge", liar, 400, "entry `zeros.bin`"),
        ("declared under the cap, expands past it", many_liars, 400, ".bin` "),
        ("declared past the cap", make_zip(&[("a.bin", &zeros), ("b.bin", &zeros)]), 413, "expands to more"),
    ];
    for (what, zip, status, words) in cases {
        let (got, _, msg) = error_code(s.post("alice", "extract", "path=target", zip).await).await;
        assert_eq!(got, status, "{what}: {msg}");
        assert!(msg.contains(words), "{what}: `{msg}` should mention `{words}`");
        assert!(!s.home("alice").join("target").exists(), "{what}: the target must not exist");
        assert!(leftovers(&s.homes).is_empty(), "{what}: staging left behind");
    }
}

/// `total` counts exactly the entries a listing can show: names no path can address (not
/// UTF-8, control characters) and hidden ones (unless asked) are neither listed nor counted.
#[tokio::test]
async fn listing_total_counts_exactly_what_is_listed() {
    use std::os::unix::ffi::OsStrExt;
    let s = start().await;
    let dir = s.home("alice").join("odd");
    for name in ["ok.txt", ".hidden", "ctl\nname.txt", "sub/x"] {
        write(dir.join(name), b"x");
    }
    write(dir.join(std::ffi::OsStr::from_bytes(b"latin1-\xe9.txt")), b"x");
    for (hidden, want) in [(false, vec!["sub", "ok.txt"]), (true, vec!["sub", ".hidden", "ok.txt"])] {
        let q = format!("path=odd&hidden={hidden}");
        let page: EntriesPage = s.get("alice", "entries", &q).await.json().await.unwrap();
        let names: Vec<_> = page.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, want);
        assert_eq!(page.total, want.len() as u64, "hidden={hidden}");
        // The same total on every page of one entry.
        let q = format!("path=odd&hidden={hidden}&limit=1");
        let first: EntriesPage = s.get("alice", "entries", &q).await.json().await.unwrap();
        assert_eq!(first.total, want.len() as u64);
    }
}

fn sha256_hex(data: &[u8]) -> String {
    format!("{:x}", Sha256::digest(data))
}

/// Everything below `dir`, as (relative path → contents, `None` for a folder).
fn tree(dir: &std::path::Path) -> std::collections::BTreeMap<String, Option<Vec<u8>>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            if e.file_type().unwrap().is_dir() {
                out.insert(rel, None);
                stack.push(e.path());
            } else {
                out.insert(rel, Some(std::fs::read(e.path()).unwrap()));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_extract_reply_carries_the_sha256_of_the_zip_as_sent() {
    let s = start().await;
    let zip = make_zip(&[("a.txt", b"alpha"), ("b/c.txt", b"gamma")]);
    let r: ExtractResult = s.post("alice", "extract", "path=x", zip.clone()).await.json().await.unwrap();
    assert_eq!(r.sha256, sha256_hex(&zip));
    assert_eq!(r.sha256.len(), 64);
    // Another zip, another hash: it is of this body, not a constant.
    let other = make_zip(&[("a.txt", b"alpha!")]);
    let r: ExtractResult = s.post("alice", "extract", "path=x", other.clone()).await.json().await.unwrap();
    assert_eq!((r.path.as_str(), r.sha256), ("x-2", sha256_hex(&other)));
}

#[tokio::test]
async fn replace_swaps_an_existing_folder_whole() {
    let s = start().await;
    let alice = s.home("alice");
    write(alice.join("in/sub/old.txt"), b"old");
    write(alice.join("in/sub/deep/older.txt"), b"older");
    write(alice.join("in/sibling/keep.txt"), b"keep");
    let zip = make_zip(&[("new.txt", b"new"), ("d/e.txt", b"e")]);
    let resp = s.post("alice", "extract", "path=in/sub&on_conflict=replace", zip.clone()).await;
    assert_eq!(resp.status(), 201);
    let r: ExtractResult = resp.json().await.unwrap();
    assert_eq!((r.path.as_str(), r.files, r.sha256.as_str()), ("in/sub", 2, sha256_hex(&zip).as_str()));
    let got = tree(&alice.join("in/sub"));
    let want: std::collections::BTreeMap<String, Option<Vec<u8>>> = [
        ("d".to_owned(), None),
        ("d/e.txt".to_owned(), Some(b"e".to_vec())),
        ("new.txt".to_owned(), Some(b"new".to_vec())),
    ]
    .into();
    assert_eq!(got, want, "the old content is gone, the new one is there");
    assert_eq!(std::fs::read(alice.join("in/sibling/keep.txt")).unwrap(), b"keep");
    // Nothing else appeared beside it (no `sub-2`, no staging).
    let names: Vec<_> =
        std::fs::read_dir(alice.join("in")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(leftovers(&s.homes).is_empty());

    // An absent target is simply created.
    let resp = s.post("alice", "extract", "path=in/fresh&on_conflict=replace", zip).await;
    assert_eq!(resp.status(), 201);
    let r: ExtractResult = resp.json().await.unwrap();
    assert_eq!(r.path.as_str(), "in/fresh");
    assert_eq!(std::fs::read(alice.join("in/fresh/new.txt")).unwrap(), b"new");
    assert!(leftovers(&s.homes).is_empty());
}

#[tokio::test]
async fn replace_refuses_a_file_or_a_symlink_in_the_way() {
    let s = start().await;
    let alice = s.home("alice");
    write(alice.join("in/notes.txt"), b"my notes");
    symlink(s.home("bob").join("private"), alice.join("in/to-bob"));
    symlink("nowhere", alice.join("in/dangling"));
    std::fs::create_dir_all(alice.join("in/real")).unwrap();
    symlink("real", alice.join("in/to-real"));
    let zip = make_zip(&[("secret.txt", b"overwritten")]);
    for target in ["notes.txt", "to-bob", "dangling", "to-real"] {
        let q = format!("path=in/{target}&on_conflict=replace");
        let (status, code, msg) = error_code(s.post("alice", "extract", &q, zip.clone()).await).await;
        assert_eq!((status, code.as_str()), (409, "conflict"), "{target}: {msg}");
    }
    assert_eq!(std::fs::read(alice.join("in/notes.txt")).unwrap(), b"my notes");
    for link in ["to-bob", "dangling", "to-real"] {
        assert!(std::fs::symlink_metadata(alice.join("in").join(link)).unwrap().file_type().is_symlink());
    }
    assert_eq!(std::fs::read_to_string(s.home("bob").join("private/secret.txt")).unwrap(), BOB_SECRET);
    assert_eq!(std::fs::read_dir(alice.join("in/real")).unwrap().count(), 0);
    assert!(leftovers(&s.homes).is_empty());
}

#[tokio::test]
async fn a_replace_whose_zip_is_bad_leaves_the_old_folder_untouched() {
    let s = start_with(|c| c.limits.max_entries = 5).await;
    let alice = s.home("alice");
    write(alice.join("in/sub/old.txt"), b"old");
    write(alice.join("in/sub/deep/older.txt"), b"older");
    let before = tree(&alice.join("in/sub"));
    let many: Vec<(String, Vec<u8>)> = (0..6).map(|i| (format!("f{i}"), vec![])).collect();
    let many: Vec<(&str, &[u8])> = many.iter().map(|(n, d)| (n.as_str(), d.as_slice())).collect();
    let mut truncated = make_zip(&[("a.txt", &[7u8; 4096][..])]);
    truncated.truncate(truncated.len() / 2);
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        ("not a zip", b"plainly not a zip".to_vec(), 400),
        ("truncated", truncated, 400),
        ("zip-slip", make_zip(&[("ok.txt", b"ok"), ("../evil.txt", b"evil")]), 400),
        ("too many entries", make_zip(&many), 413),
        ("empty", Vec::new(), 400),
    ];
    for (what, zip, status) in cases {
        let resp = s.post("alice", "extract", "path=in/sub&on_conflict=replace", zip).await;
        let (got, _, msg) = error_code(resp).await;
        assert_eq!(got, status, "{what}: {msg}");
        assert_eq!(tree(&alice.join("in/sub")), before, "{what}: the old folder must be as it was");
        assert!(leftovers(&s.homes).is_empty(), "{what}: staging left behind");
    }
    assert!(!alice.join("in/evil.txt").exists());
}

/// PUT on `/v2/homes/{home}/file` with a fresh token of `scope` for exactly that route.
async fn put_file(s: &Server, home: &str, query: &str, body: Vec<u8>, scope: &str) -> reqwest::Response {
    let path = format!("/v2/homes/{home}/file");
    let t = token(home, "PUT", &path, scope);
    s.client.put(s.url(&format!("{path}?{query}"))).bearer_auth(t).body(body).send().await.unwrap()
}

#[tokio::test]
async fn put_file_writes_and_overwrites_by_rename() {
    use std::io::Read;
    use std::os::unix::fs::PermissionsExt;
    let s = start().await;
    let alice = s.home("alice");
    std::fs::create_dir_all(alice.join("course")).unwrap();
    let body = br#"{"format":"lablink-manifest"}"#.to_vec();
    let resp = put_file(&s, "alice", "path=course/manifest.json", body.clone(), "read write").await;
    assert_eq!(resp.status(), 201);
    let w: FileWritten = resp.json().await.unwrap();
    assert_eq!(
        (w.path.as_str(), w.bytes, w.sha256),
        ("course/manifest.json", body.len() as u64, sha256_hex(&body))
    );
    assert_eq!(std::fs::read(alice.join("course/manifest.json")).unwrap(), body);

    // Overwritten by a rename: a reader that opened the old file still reads all of it; the
    // name now gives the new content, and the old file's permissions carry over.
    std::fs::set_permissions(alice.join("course/manifest.json"), std::fs::Permissions::from_mode(0o600))
        .unwrap();
    let mut old = std::fs::File::open(alice.join("course/manifest.json")).unwrap();
    let new = b"second version, longer than the first one".repeat(10);
    let resp = put_file(&s, "alice", "path=course/manifest.json", new.clone(), "read write").await;
    assert_eq!(resp.status(), 201);
    let mut seen = Vec::new();
    old.read_to_end(&mut seen).unwrap();
    assert_eq!(seen, body, "the old file is never written in place");
    assert_eq!(std::fs::read(alice.join("course/manifest.json")).unwrap(), new);
    let mode = std::fs::metadata(alice.join("course/manifest.json")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    // An empty file is a file.
    let w: FileWritten =
        put_file(&s, "alice", "path=empty.txt", vec![], "read write").await.json().await.unwrap();
    assert_eq!((w.bytes, w.sha256.as_str()), (0, sha256_hex(b"").as_str()));
    assert_eq!(std::fs::read(alice.join("empty.txt")).unwrap(), b"");
    assert!(leftovers(&s.homes).is_empty());
}

/// While the file is rewritten again and again, a reader only ever sees one whole version.
#[tokio::test]
async fn a_reader_never_sees_half_a_put() {
    let s = start().await;
    let path = s.home("alice").join("big.bin");
    let (a, b) = (vec![b'a'; 1 << 20], vec![b'b'; 3 << 19]);
    std::fs::write(&path, &a).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (path, stop) = (path.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut reads = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let got = std::fs::read(&path).unwrap();
                let whole = (got.len() == 1 << 20 && got.iter().all(|&c| c == b'a'))
                    || (got.len() == 3 << 19 && got.iter().all(|&c| c == b'b'));
                assert!(whole, "a torn read of {} bytes", got.len());
                reads += 1;
            }
            reads
        })
    };
    for i in 0..20 {
        let body = if i % 2 == 0 { b.clone() } else { a.clone() };
        assert_eq!(put_file(&s, "alice", "path=big.bin", body, "read write").await.status(), 201);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0);
    assert!(leftovers(&s.homes).is_empty());
}

#[tokio::test]
async fn put_file_refusals_change_nothing() {
    let s = start_with(|c| c.limits.max_file_bytes = 1000).await;
    let alice = s.home("alice");
    write(alice.join("dir/inside.txt"), b"inside");
    symlink(s.home("bob").join("private/secret.txt"), alice.join("stolen.txt"));
    symlink(s.home("bob").join("private"), alice.join("to-bob"));
    let body = b"written".to_vec();
    let cases = [
        ("path=missing/x.txt", 404, "not_found"),
        ("path=dir/inside.txt/x", 409, "not_a_folder"),
        ("path=dir", 400, "not_a_file"),
        ("path=stolen.txt", 403, "forbidden"),
        ("path=to-bob/secret.txt", 403, "forbidden"),
        ("path=to-bob/new.txt", 403, "forbidden"),
        ("path=../bob/private/secret.txt", 400, "bad_path"),
        ("path=dir/../../bob/x.txt", 400, "bad_path"),
        ("path=/etc/x", 400, "bad_path"),
        ("path=", 400, "bad_path"),
        ("", 400, "bad_request"),
    ];
    for (q, status, code) in cases {
        let (got, got_code, msg) =
            error_code(put_file(&s, "alice", q, body.clone(), "read write").await).await;
        assert_eq!((got, got_code.as_str()), (status, code), "{q}: {msg}");
        assert!(!msg.contains(&s.homes.display().to_string()), "no server path in: {msg}");
    }
    // Too large: announced, and streamed without a length.
    let (got, code, _) =
        error_code(put_file(&s, "alice", "path=big.txt", vec![1; 1001], "read write").await).await;
    assert_eq!((got, code.as_str()), (413, "payload_too_large"));
    let path = "/v2/homes/alice/file";
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..4).map(|_| Ok(vec![1u8; 300])).collect();
    let resp = s
        .client
        .put(s.url(&format!("{path}?path=big.txt")))
        .bearer_auth(token("alice", "PUT", path, "read write"))
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    let (got, code, _) = error_code(resp).await;
    assert_eq!((got, code.as_str()), (413, "payload_too_large"));
    assert!(!alice.join("big.txt").exists());
    // Exactly the limit is fine.
    assert_eq!(put_file(&s, "alice", "path=limit.txt", vec![2; 1000], "read write").await.status(), 201);

    // A read token cannot write; a token for Alice cannot write into Bob's home.
    let (got, code, _) = error_code(put_file(&s, "alice", "path=ro.txt", body.clone(), "read").await).await;
    assert_eq!((got, code.as_str()), (403, "forbidden"));
    assert!(!alice.join("ro.txt").exists());
    let bob_path = "/v2/homes/bob/file";
    let t = token("alice", "PUT", bob_path, "read write");
    let resp = s
        .client
        .put(s.url(&format!("{bob_path}?path=private/secret.txt")))
        .bearer_auth(t)
        .body(body.clone())
        .send()
        .await
        .unwrap();
    let (got, code, _) = error_code(resp).await;
    assert_eq!((got, code.as_str()), (403, "forbidden"));

    // Nothing changed anywhere.
    assert_eq!(std::fs::read(alice.join("dir/inside.txt")).unwrap(), b"inside");
    assert!(std::fs::symlink_metadata(alice.join("stolen.txt")).unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_to_string(s.home("bob").join("private/secret.txt")).unwrap(), BOB_SECRET);
    assert_eq!(std::fs::read_dir(s.home("bob").join("private")).unwrap().count(), 1);
    assert!(!s.homes.join("bob/x.txt").exists() && !alice.join("missing").exists());
    assert!(leftovers(&s.homes).is_empty());
}

#[tokio::test]
async fn get_file_returns_the_bytes_of_regular_files_only() {
    let s = start().await;
    let alice = s.home("alice");
    let data: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    write(alice.join("course/data.bin"), &data);
    write(alice.join("empty.txt"), b"");
    let resp = s.get("alice", "file", "path=course/data.bin").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/octet-stream");
    assert_eq!(resp.headers()["content-length"], data.len().to_string().as_str());
    assert!(resp.bytes().await.unwrap() == data);
    let resp = s.get("alice", "file", "path=empty.txt").await;
    assert_eq!((resp.status().as_u16(), resp.bytes().await.unwrap().len()), (200, 0));

    symlink(s.home("bob").join("private/secret.txt"), alice.join("stolen.txt"));
    symlink(s.home("bob").join("private"), alice.join("to-bob"));
    let fifo = alice.join("pipe");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let cases = [
        ("path=course", 400, "not_a_file"),
        ("path=pipe", 400, "not_a_file"),
        ("path=course/nope.bin", 404, "not_found"),
        ("path=nope/data.bin", 404, "not_found"),
        ("path=stolen.txt", 403, "forbidden"),
        ("path=to-bob/secret.txt", 403, "forbidden"),
        ("path=../bob/private/secret.txt", 400, "bad_path"),
        ("path=", 400, "bad_path"),
    ];
    for (q, status, code) in cases {
        let resp = s.get("alice", "file", q).await;
        let (got, got_code, msg) = error_code(resp).await;
        assert_eq!((got, got_code.as_str()), (status, code), "{q}: {msg}");
        assert!(!msg.contains(BOB_SECRET));
    }
    // A token for Alice does not read Bob's file; a write-only route token does not either.
    let bob_path = "/v2/homes/bob/file";
    let t = token("alice", "GET", bob_path, "read");
    let resp =
        s.client.get(s.url(&format!("{bob_path}?path=private/secret.txt"))).bearer_auth(t).send().await;
    let (got, _, _) = error_code(resp.unwrap()).await;
    assert_eq!(got, 403);
    let t = token("alice", "PUT", "/v2/homes/alice/file", "read write");
    let resp = s.client.get(s.url("/v2/homes/alice/file?path=empty.txt")).bearer_auth(t).send().await;
    assert_eq!(resp.unwrap().status(), 401, "a token is for its method only");
}
