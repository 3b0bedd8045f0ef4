//! The grading client in headless chromium: every type the service answers is written by
//! serde_json from the protocol crate (as the service writes it) and must read back equal;
//! its error bodies, sign-in pages and proxies' pages become errors a panel can name.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use lablink_client::grading::{GradingClient, decode, encode_request};
use lablink_client::wire::{self, FromJs};
use lablink_client::{ClientError, ErrorKind};
use lablink_protocol::grading::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn round_trip<T: serde::Serialize + FromJs>(value: &T) -> T {
    let text = serde_json::to_string(value).unwrap();
    T::from_js(&wire::parse(&text).unwrap()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn result(id: &str, outcome: Outcome) -> StudentResult {
    StudentResult {
        student_id: id.into(),
        lms_user_id: (id != "nolms").then(|| format!("lms-{id}")),
        score: 7.25,
        max_score: 10.0,
        lms_score: (outcome == Outcome::LmsChanged).then_some(4.0),
        outcome,
        detail: (outcome == Outcome::Refused).then(|| "Moodle: the grade item is locked \"hard\"".into()),
    }
}

fn job(students: Vec<StudentResult>) -> JobStatus {
    JobStatus {
        id: "job-7".into(),
        course: "intro 101".into(),
        assignment: "ps1".into(),
        started_by: "teacher".into(),
        created_at: 1_764_700_000,
        state: JobState::Finished,
        error: None,
        total: students.len() as u64,
        done: students.len() as u64,
        counts: Outcome::ALL.iter().enumerate().map(|(i, o)| (*o, i as u64)).collect(),
        students,
    }
}

#[wasm_bindgen_test]
fn every_answer_reads_back_as_the_service_wrote_it() {
    let me = Me { name: "teacher".into(), admin: false, groups: vec!["formgrade-intro".into(), "x".into()] };
    assert_eq!(round_trip(&me), me);
    let courses = CourseList {
        user: "teacher".into(),
        courses: vec![
            CourseInfo {
                id: "intro".into(),
                lms: LmsKind::Lti13,
                instructor_group: "formgrade-intro".into(),
            },
            CourseInfo { id: "old".into(), lms: LmsKind::Lti11, instructor_group: "g".into() },
        ],
        instructor_groups: vec!["formgrade-intro".into(), "g".into()],
    };
    assert_eq!(round_trip(&courses), courses);
    let assignments = AssignmentList {
        course: "intro".into(),
        assignments: vec![
            AssignmentInfo {
                name: "ps1".into(),
                duedate: Some("2026-01-10 23:59:00".into()),
                max_score: 12.5,
                submissions: 30,
                students: 32,
            },
            AssignmentInfo {
                name: "ps2".into(),
                duedate: None,
                max_score: 0.0,
                submissions: 0,
                students: 32,
            },
        ],
    };
    assert_eq!(round_trip(&assignments), assignments);
    let rows = Outcome::ALL
        .iter()
        .map(|o| GradeRow {
            student_id: format!("s-{}", o.as_str()),
            first_name: Some("Zoë".into()),
            last_name: None,
            lms_user_id: Some("42".into()),
            submitted_at: Some("2026-01-09 10:00:00".into()),
            raw_score: 9.0,
            late_penalty: 1.5,
            score: 7.5,
            max_score: 10.0,
            ungraded_cells: 2,
            lms_score: Some(7.5),
            status: Some(*o),
        })
        .chain([GradeRow {
            student_id: "<b>x</b>".into(),
            first_name: None,
            last_name: None,
            lms_user_id: None,
            submitted_at: None,
            raw_score: 0.0,
            late_penalty: 0.0,
            score: 0.0,
            max_score: 10.0,
            ungraded_cells: 0,
            lms_score: None,
            status: None,
        }])
        .collect();
    let table = GradeTable {
        course: "intro".into(),
        assignment: "ps1".into(),
        max_score: 10.0,
        lms: LmsView { line_item: Some("https://lms/li/1".into()), line_max: Some(100.0), error: None },
        rows,
    };
    assert_eq!(round_trip(&table), table);
    let preview = SyncPreview {
        course: "intro".into(),
        assignment: "ps1".into(),
        lms: LmsView { line_item: None, line_max: None, error: Some("no line item yet".into()) },
        rows: Outcome::ALL.iter().map(|o| result(o.as_str(), *o)).collect(),
        counts: BTreeMap::from([(Outcome::Pending, 3), (Outcome::LmsChanged, 1)]),
    };
    assert_eq!(round_trip(&preview), preview);
    let finished = job(Outcome::ALL.iter().map(|o| result(o.as_str(), *o)).collect());
    assert_eq!(round_trip(&finished), finished);
    let list = JobList { jobs: vec![finished.clone(), job(vec![])] };
    assert_eq!(round_trip(&list), list);
    for code in GradingErrorCode::ALL {
        let body = GradingErrorBody {
            error: GradingErrorDetail {
                code,
                message: "m".into(),
                login_url: (code == GradingErrorCode::SignedOut).then(|| "/services/g/login".into()),
            },
        };
        assert_eq!(round_trip(&body), body);
    }
}

#[wasm_bindgen_test]
fn progress_events_without_students_read_too() {
    let mut value = serde_json::to_value(job(vec![result("a", Outcome::Sent)])).unwrap();
    value.as_object_mut().unwrap().remove("students");
    value["state"] = "running".into();
    let status: JobStatus = decode(200, "OK", "text/event-stream", &value.to_string()).unwrap();
    assert_eq!((status.state, status.students.len()), (JobState::Running, 0));
}

#[wasm_bindgen_test]
fn malformed_answers_are_refused_not_guessed() {
    let mut table = serde_json::json!({"course":"c","assignment":"a","max_score":10,"lms":{},"rows":[]});
    assert!(decode::<GradeTable>(200, "OK", "application/json", &table.to_string()).is_ok());
    table["rows"] = serde_json::json!([{"student_id": "s", "status": "exploded"}]);
    let err = decode::<GradeTable>(200, "OK", "application/json", &table.to_string()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Server);
    let bad = [
        r#"{"course":"c","assignment":"a","max_score":"10","lms":{},"rows":[]}"#,
        r#"{"course":"c","assignment":"a","max_score":10,"lms":{},"rows":{}}"#,
        r#"{"course":"c","assignment":"a","max_score":10,"lms":{"line_max":"x"},"rows":[]}"#,
    ];
    for body in bad {
        assert_eq!(
            decode::<GradeTable>(200, "OK", "application/json", body).unwrap_err().kind,
            ErrorKind::Server
        );
    }
    let counts = r#"{"course":"c","assignment":"a","lms":{},"rows":[],"counts":{"sent":-1}}"#;
    assert!(decode::<SyncPreview>(200, "OK", "application/json", counts).is_err());
}

#[wasm_bindgen_test]
fn errors_keep_the_code_the_message_and_the_sign_in_url() {
    let body = r#"{"error":{"code":"signed_out","message":"sign in","login_url":"/services/g/login"}}"#;
    let e = decode::<Me>(401, "Unauthorized", "application/json", body).unwrap_err();
    assert_eq!((e.kind, e.grading_code()), (ErrorKind::SignedOut, Some(GradingErrorCode::SignedOut)));
    assert_eq!((e.message.as_str(), e.login_url.as_deref()), ("sign in", Some("/services/g/login")));

    let body = r#"{"error":{"code":"not_instructor","message":"not in the group \"formgrade-intro\""}}"#;
    let e = decode::<CourseList>(403, "Forbidden", "application/json", body).unwrap_err();
    assert_eq!((e.kind, e.grading_code()), (ErrorKind::Forbidden, Some(GradingErrorCode::NotInstructor)));
    assert!(e.message.contains("formgrade-intro"));

    let body = r#"{"error":{"code":"lms","message":"Moodle answered 500: grade locked"}}"#;
    let e = decode::<JobStatus>(502, "Bad Gateway", "application/json", body).unwrap_err();
    assert_eq!(
        (e.grading_code(), e.message.as_str()),
        (Some(GradingErrorCode::Lms), "Moodle answered 500: grade locked")
    );

    // The hub's sign-in page served with 200 where JSON was expected.
    let page = "<!DOCTYPE html><html><body><form action=\"/hub/login\"></form></body></html>";
    let e = decode::<CourseList>(200, "OK", "text/html; charset=utf-8", page).unwrap_err();
    assert_eq!((e.kind, e.grading_code()), (ErrorKind::SignedOut, Some(GradingErrorCode::SignedOut)));
    // A proxy's page for a stopped service.
    let e = decode::<CourseList>(503, "Service Unavailable", "text/html", "<html>503</html>").unwrap_err();
    assert_eq!((e.kind, e.grading_code()), (ErrorKind::Offline, None));
    // An error code from a newer service is reported by its status, not guessed.
    let e = decode::<Me>(418, "Teapot", "application/json", r#"{"error":{"code":"brewing","message":"m"}}"#)
        .unwrap_err();
    assert_eq!((e.kind, e.code), (ErrorKind::Refused, None));
    // Plain text with 200 is unreadable, not a sign-in page.
    assert_eq!(decode::<Me>(200, "OK", "text/plain", "ok").unwrap_err().kind, ErrorKind::Server);
}

#[wasm_bindgen_test]
fn sync_requests_are_what_the_service_accepts() {
    for req in [
        SyncRequest::default(),
        SyncRequest { students: Some(vec!["a".into(), "b \"c\"".into()]), overwrite: vec![] },
        SyncRequest { students: None, overwrite: vec!["c".into()] },
        SyncRequest { students: Some(vec![]), overwrite: vec!["c".into(), "d".into()] },
    ] {
        let text = wire::stringify(&encode_request(&req)).unwrap();
        // deny_unknown_fields: the service's own reading.
        assert_eq!(serde_json::from_str::<SyncRequest>(&text).unwrap(), req, "{text}");
    }
}

#[wasm_bindgen_test]
async fn a_service_that_is_not_there_is_named_by_status() {
    // The test runner's own server has no grading service: its 404 must come back as such.
    let client = GradingClient::new("/no/such/grading/service");
    let e: ClientError = client.courses().await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e:?}");
    // POSTs need api/me first; its failure stops the POST.
    let e = client.preview("c", "a", &SyncRequest::default()).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound, "{e:?}");
}

/// A stand-in for the browser's EventSource (a test-side fake: the runner's server cannot
/// stream events). It records its instances and lets the test dispatch named events.
fn install_fake_event_source() {
    js_sys::eval(
        r#"
        globalThis.__sources = [];
        globalThis.EventSource = class extends EventTarget {
            constructor(url, init) { super(); this.url = url; this.withCredentials = !!(init && init.withCredentials);
                this.readyState = 1; this.onerror = null; globalThis.__sources.push(this); }
            close() { this.readyState = 2; }
        };
        "#,
    )
    .unwrap();
}

fn dispatch(kind: &str, data: &str) {
    let source = js_sys::eval("globalThis.__sources[globalThis.__sources.length - 1]").unwrap();
    let init = web_sys::MessageEventInit::new();
    init.set_data(&JsValue::from_str(data));
    let event = web_sys::MessageEvent::new_with_event_init_dict(kind, &init).unwrap();
    let target: &web_sys::EventTarget = wasm_bindgen::JsCast::unchecked_ref(&source);
    target.dispatch_event(&event).unwrap();
}

fn source_state() -> (String, f64) {
    let source = js_sys::eval("globalThis.__sources[globalThis.__sources.length - 1]").unwrap();
    let url = wire::string(&source, "url").unwrap();
    (url, js_sys::Reflect::get(&source, &"readyState".into()).unwrap().as_f64().unwrap())
}

#[wasm_bindgen_test]
fn watch_follows_progress_to_done_and_closes() {
    install_fake_event_source();
    let client = GradingClient::new("/services/g/");
    let seen = Rc::new(RefCell::new(Vec::<(JobState, u64, usize)>::new()));
    let watch = {
        let seen = seen.clone();
        client.watch("job 7", move |s| seen.borrow_mut().push((s.state, s.done, s.students.len())))
    };
    assert_eq!(source_state(), ("/services/g/api/jobs/job%207/events".to_owned(), 1.0));
    let mut progress = serde_json::to_value(job(vec![])).unwrap();
    progress["state"] = "running".into();
    progress["done"] = 1.into();
    progress.as_object_mut().unwrap().remove("students");
    dispatch("progress", &progress.to_string());
    dispatch("progress", "not json");
    let done = job(vec![result("a", Outcome::Sent), result("b", Outcome::Failed)]);
    dispatch("done", &serde_json::to_string(&done).unwrap());
    assert_eq!(*seen.borrow(), [(JobState::Running, 1, 0), (JobState::Finished, 2, 2)]);
    assert_eq!(source_state().1, 2.0, "closed after the last event");

    // Dropping a watch closes its stream.
    let second = client.watch("j2", |_| {});
    assert_eq!(source_state().1, 1.0);
    drop(second);
    assert_eq!(source_state().1, 2.0);
    drop(watch);
}
