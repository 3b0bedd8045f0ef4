//! The browser-side readers of the wire types, run in headless chromium: every type is
//! written by serde_json (as the servers write it) and must read back equal.

use lablink_client::files::decode;
use lablink_client::moodle::{MoodleClient, MoodleMethods, decode_response};
use lablink_client::wire::{self, FromJs};
use lablink_client::{ErrorKind, moodle};
use lablink_protocol::WorkspacePath;
use lablink_protocol::files::{
    EntriesPage, Entry, EntryKind, ErrorBody, ErrorCode, ErrorDetail, FolderCreated,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn page(next: Option<&str>) -> EntriesPage {
    EntriesPage {
        path: WorkspacePath::parse("course/week 1").unwrap(),
        entries: vec![
            Entry { name: "data".into(), kind: EntryKind::Folder, size: 0, modified: 1_700_000_000 },
            Entry {
                name: "<img src=x onerror=alert(1)>.ipynb".into(),
                kind: EntryKind::File,
                size: 287,
                modified: -5,
            },
            Entry {
                name: "homework\u{202E}txt.py".into(),
                kind: EntryKind::File,
                size: 1 << 40,
                modified: 0,
            },
            Entry { name: "link".into(), kind: EntryKind::Symlink, size: 0, modified: 1 },
            Entry { name: "fifo".into(), kind: EntryKind::Other, size: 0, modified: 2 },
        ],
        total: 12_345,
        next_cursor: next.map(str::to_owned),
    }
}

fn round_trip<T: serde::Serialize + FromJs>(value: &T) -> T {
    let text = serde_json::to_string(value).unwrap();
    T::from_js(&wire::parse(&text).unwrap()).unwrap()
}

#[wasm_bindgen_test]
fn wire_types_read_back_as_serde_wrote_them() {
    assert_eq!(round_trip(&page(None)), page(None));
    assert_eq!(round_trip(&page(Some("Y3Vyc29y"))), page(Some("Y3Vyc29y")));
    let created = FolderCreated { path: WorkspacePath::parse("a/b").unwrap(), created: true };
    assert_eq!(round_trip(&created), created);
    for code in ErrorCode::ALL {
        let body = ErrorBody { error: ErrorDetail { code, message: "m".into() } };
        assert_eq!(round_trip(&body), body);
    }
}

#[wasm_bindgen_test]
fn malformed_answers_are_refused_not_guessed() {
    let bad = [
        "not json",
        r#"{"path":"","entries":{},"total":0}"#,
        r#"{"path":"../x","entries":[],"total":0}"#,
        r#"{"path":"","entries":[{"name":"a","kind":"file","size":-1,"modified":0}],"total":1}"#,
        r#"{"path":"","entries":[{"name":"a","kind":"file","size":1.5,"modified":0}],"total":1}"#,
        r#"{"path":"","entries":[{"kind":"file","size":1,"modified":0}],"total":1}"#,
        r#"{"path":"","entries":[],"total":"7"}"#,
    ];
    for body in bad {
        let err = decode::<EntriesPage>(200, "OK", body).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Server, "{body}");
    }
    // A kind from a newer server reads as Other rather than failing the listing.
    let page: EntriesPage = decode(
        200,
        "OK",
        r#"{"path":"","entries":[{"name":"s","kind":"socket","size":0,"modified":0}],"total":1,"next_cursor":null}"#,
    )
    .unwrap();
    assert_eq!((page.entries[0].kind, page.next_cursor), (EntryKind::Other, None));
}

#[wasm_bindgen_test]
fn v2_errors_map_to_kinds() {
    let err = decode::<EntriesPage>(
        404,
        "Not Found",
        r#"{"error":{"code":"not_found","message":"no such folder"}}"#,
    )
    .unwrap_err();
    assert_eq!(
        (err.kind, err.message.as_str(), err.code.as_deref()),
        (ErrorKind::NotFound, "no such folder", Some("not_found"))
    );
    let err =
        decode::<EntriesPage>(401, "Unauthorized", r#"{"error":{"code":"token_replayed","message":"m"}}"#)
            .unwrap_err();
    assert_eq!(err.kind, ErrorKind::SignedOut);
    let err = decode::<EntriesPage>(502, "Bad Gateway", "<html>proxy</html>").unwrap_err();
    assert_eq!((err.kind, err.message.as_str()), (ErrorKind::Offline, "HTTP 502 Bad Gateway"));
}

#[wasm_bindgen_test]
fn moodle_calls_are_encoded_like_core_ajax() {
    let client = MoodleClient::new(
        "/lib/ajax/service.php",
        "k",
        MoodleMethods::default(),
        vec![("contextid".into(), 42), ("path".into(), 1)],
    );
    let body = client
        .encode_call("m", &[("path", moodle::Arg::Text("a/\"b\"".into())), ("limit", moodle::Arg::Int(5))])
        .unwrap();
    let value: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        value,
        serde_json::json!([{"index": 0, "methodname": "m", "args": {"contextid": 42, "path": "a/\"b\"", "limit": 5}}])
    );
}

#[wasm_bindgen_test]
fn moodle_answers_and_both_error_shapes() {
    let ok = serde_json::json!([{"error": false, "data": page(None)}]).to_string();
    assert_eq!(decode_response::<EntriesPage>(&ok).unwrap(), page(None));
    let empty_cursor = r#"[{"error":false,"data":{"path":"","entries":[],"total":0,"next_cursor":""}}]"#;
    assert_eq!(moodle::normalise(decode_response::<EntriesPage>(empty_cursor).unwrap()).next_cursor, None);

    let err = decode_response::<EntriesPage>(
        r#"[{"error":true,"exception":{"message":"Sorry, no access","errorcode":"nopermissions"}}]"#,
    )
    .unwrap_err();
    assert_eq!((err.kind, err.message.as_str()), (ErrorKind::Forbidden, "Sorry, no access"));
    let err = decode_response::<EntriesPage>(r#"{"error":"Invalid sesskey","errorcode":"invalidsesskey"}"#)
        .unwrap_err();
    assert_eq!((err.kind, err.code.as_deref()), (ErrorKind::SignedOut, Some("invalidsesskey")));
    assert_eq!(decode_response::<EntriesPage>("[]").unwrap_err().kind, ErrorKind::Server);
    assert_eq!(decode_response::<EntriesPage>(r#"[{"error":false}]"#).unwrap_err().kind, ErrorKind::Server);
    assert_eq!(decode_response::<EntriesPage>("<html>").unwrap_err().kind, ErrorKind::Server);
}
