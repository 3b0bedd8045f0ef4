//! The grades panel mounted in headless chromium as the lab extension mounts it.
//!
//! The grading service is a **test-side fake** here: `window.fetch` and `EventSource` are
//! replaced by stand-ins that answer with JSON written by serde_json from the protocol types
//! and record every request. The runner's page has no JupyterHub; the real service behind a
//! real hub is driven by the end-to-end tests in `tests/e2e`.

#![cfg(target_arch = "wasm32")]

use std::collections::BTreeMap;

use gloo_timers::future::TimeoutFuture;
use lablink_grades_panel::labels::Labels;
use lablink_protocol::grading::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement};

wasm_bindgen_test_configure!(run_in_browser);

const BASE: &str = "/services/g/";

// ---- the host's side: labels as labels.ts gives them ----

/// `labels(trans)` with JupyterLab's English: the `key: trans.__('text'),` lines of labels.ts.
fn english() -> Vec<(String, String)> {
    include_str!("../../../lab-extension/src/labels.ts")
        .lines()
        .filter_map(|line| {
            let (key, rest) = line.trim().split_once(": trans.__('")?;
            let text = rest.strip_suffix("'),")?;
            Some((key.to_owned(), text.replace("\\'", "'").replace("\\\\", "\\")))
        })
        .collect()
}

fn labels_object(except: Option<&str>) -> JsValue {
    let object = js_sys::Object::new();
    for (key, text) in english() {
        if Some(key.as_str()) != except {
            js_sys::Reflect::set(&object, &key.into(), &text.into()).unwrap();
        }
    }
    object.into()
}

fn options(labels: JsValue) -> JsValue {
    let object = js_sys::Object::new();
    js_sys::Reflect::set(&object, &"serviceUrl".into(), &BASE.into()).unwrap();
    js_sys::Reflect::set(&object, &"labels".into(), &labels).unwrap();
    object.into()
}

// ---- the fake service ----

fn install_fake() {
    js_sys::eval(
        r#"
        globalThis.__fake = { routes: {}, requests: [] };
        window.fetch = async (input, init) => {
            const req = input instanceof Request ? input : new Request(input, init);
            const url = new URL(req.url);
            const body = req.method === 'POST' ? await req.text() : null;
            __fake.requests.push({ method: req.method, path: url.pathname, body,
                lablink: req.headers.get('x-lablink-request'), credentials: req.credentials });
            const route = __fake.routes[req.method + ' ' + url.pathname];
            if (route === undefined) return new Response('no such route', { status: 404 });
            if (route.offline) throw new TypeError('Failed to fetch');
            return new Response(route.body, { status: route.status,
                headers: { 'content-type': route.type || 'application/json' } });
        };
        globalThis.__sources = [];
        globalThis.EventSource = class extends EventTarget {
            constructor(url) { super(); this.url = url; this.readyState = 1; globalThis.__sources.push(this); }
            close() { this.readyState = 2; }
        };
        "#,
    )
    .unwrap();
}

fn route(method: &str, path: &str, status: u16, body: &str) {
    let key = serde_json::to_string(&format!("{method} {BASE}{path}")).unwrap();
    let value = serde_json::json!({ "status": status, "body": body });
    js_sys::eval(&format!("__fake.routes[{key}] = {value}")).unwrap();
}

fn ok<T: serde::Serialize>(method: &str, path: &str, value: &T) {
    route(method, path, 200, &serde_json::to_string(value).unwrap());
}

fn fail(method: &str, path: &str, code: GradingErrorCode, message: &str, login_url: Option<&str>) {
    let body = GradingErrorBody {
        error: GradingErrorDetail { code, message: message.into(), login_url: login_url.map(Into::into) },
    };
    route(method, path, code.status(), &serde_json::to_string(&body).unwrap());
}

fn offline(method: &str, path: &str) {
    let key = serde_json::to_string(&format!("{method} {BASE}{path}")).unwrap();
    js_sys::eval(&format!("__fake.routes[{key}] = {{ offline: true }}")).unwrap();
}

/// The recorded requests as (method, path, body, X-Lablink-Request).
fn requests() -> Vec<(String, String, Option<String>, Option<String>)> {
    let list = js_sys::Array::from(&js_sys::eval("__fake.requests").unwrap());
    list.iter()
        .map(|r| {
            let text = |k: &str| js_sys::Reflect::get(&r, &k.into()).unwrap().as_string();
            (text("method").unwrap(), text("path").unwrap(), text("body"), text("lablink"))
        })
        .collect()
}

fn posts_to(path: &str) -> Vec<serde_json::Value> {
    requests()
        .into_iter()
        .filter(|(m, p, _, _)| m == "POST" && p == &format!("{BASE}{path}"))
        .map(|(_, _, body, _)| serde_json::from_str(body.as_deref().unwrap_or("null")).unwrap())
        .collect()
}

fn send_event(kind: &str, data: &str) {
    let source = js_sys::eval("__sources[__sources.length - 1]").unwrap();
    let init = web_sys::MessageEventInit::new();
    init.set_data(&JsValue::from_str(data));
    let event = web_sys::MessageEvent::new_with_event_init_dict(kind, &init).unwrap();
    source.unchecked_ref::<web_sys::EventTarget>().dispatch_event(&event).unwrap();
}

// ---- data ----

fn me(name: &str) -> Me {
    Me { name: name.into(), admin: false, groups: vec!["formgrade-intro".into()] }
}

fn courses() -> CourseList {
    CourseList {
        user: "teacher".into(),
        courses: vec![CourseInfo {
            id: "intro".into(),
            lms: LmsKind::Lti13,
            instructor_group: "formgrade-intro".into(),
        }],
        instructor_groups: vec!["formgrade-intro".into()],
    }
}

fn assignments() -> AssignmentList {
    AssignmentList {
        course: "intro".into(),
        assignments: vec![AssignmentInfo {
            name: "ps1".into(),
            duedate: Some("2026-01-10 23:59:00".into()),
            max_score: 10.0,
            submissions: 3,
            students: 4,
        }],
    }
}

fn grade_row(id: String, score: f64, lms: Option<f64>, status: Outcome) -> GradeRow {
    GradeRow {
        first_name: Some(format!("First {id}")),
        last_name: Some(format!("Last {id}")),
        lms_user_id: Some(format!("u-{id}")),
        student_id: id,
        submitted_at: None,
        raw_score: score,
        late_penalty: 0.0,
        score,
        max_score: 10.0,
        ungraded_cells: 0,
        lms_score: lms,
        status: Some(status),
    }
}

fn table(rows: Vec<GradeRow>) -> GradeTable {
    GradeTable {
        course: "intro".into(),
        assignment: "ps1".into(),
        max_score: 10.0,
        lms: LmsView { line_item: Some("li".into()), line_max: Some(10.0), error: None },
        rows,
    }
}

fn small_table() -> GradeTable {
    table(vec![
        grade_row("a".into(), 9.0, None, Outcome::Pending),
        grade_row("b".into(), 7.0, Some(3.0), Outcome::LmsChanged),
        grade_row("c".into(), 5.0, Some(2.0), Outcome::LmsChanged),
        grade_row("d".into(), 8.0, Some(8.0), Outcome::Unchanged),
    ])
}

fn result(id: &str, outcome: Outcome) -> StudentResult {
    StudentResult {
        student_id: id.into(),
        lms_user_id: Some(format!("u-{id}")),
        score: 5.0,
        max_score: 10.0,
        lms_score: Some(2.0),
        outcome,
        detail: (outcome == Outcome::Failed).then(|| "LMS answered 503".into()),
    }
}

fn preview() -> SyncPreview {
    SyncPreview {
        course: "intro".into(),
        assignment: "ps1".into(),
        lms: LmsView { line_item: Some("li".into()), line_max: Some(10.0), error: None },
        rows: vec![
            result("a", Outcome::Pending),
            result("b", Outcome::LmsChanged),
            result("c", Outcome::LmsChanged),
            result("d", Outcome::Unchanged),
        ],
        counts: BTreeMap::from([(Outcome::Pending, 1), (Outcome::LmsChanged, 2), (Outcome::Unchanged, 1)]),
    }
}

fn job(state: JobState, students: Vec<StudentResult>) -> JobStatus {
    JobStatus {
        id: "j1".into(),
        course: "intro".into(),
        assignment: "ps1".into(),
        started_by: "teacher".into(),
        created_at: 1_764_700_000,
        state,
        error: None,
        total: 4,
        done: students.len() as u64,
        counts: BTreeMap::new(),
        students,
    }
}

fn serve_course(grades: &GradeTable) {
    ok("GET", "api/me", &me("teacher"));
    ok("GET", "api/courses", &courses());
    ok("GET", "api/courses/intro/assignments", &assignments());
    ok("GET", "api/courses/intro/jobs", &JobList { jobs: vec![] });
    ok("GET", "api/courses/intro/assignments/ps1/grades", grades);
}

// ---- DOM helpers ----

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn mount_point() -> Element {
    let element = document().create_element("div").unwrap();
    element.set_text_content(Some("Loading the grades panel…"));
    document().body().unwrap().append_child(&element).unwrap();
    element
}

fn find_all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length()).map(|i| list.item(i).unwrap().dyn_into::<Element>().unwrap()).collect()
}

/// Waits (up to 3 s) for `selector` to match, then returns the first match.
async fn wait_for(root: &Element, selector: &str) -> Element {
    for _ in 0..150 {
        if let Some(el) = root.query_selector(selector).unwrap() {
            return el;
        }
        TimeoutFuture::new(20).await;
    }
    panic!("nothing matches {selector}; the panel shows: {}", root.text_content().unwrap_or_default())
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..150 {
        if done() {
            return;
        }
        TimeoutFuture::new(20).await;
    }
    panic!("timed out waiting until {what}");
}

async fn settle() {
    for _ in 0..5 {
        TimeoutFuture::new(0).await;
    }
}

fn click(el: &Element) {
    el.dyn_ref::<HtmlElement>().unwrap().click();
}

fn key(target: &Element, key: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

fn text(el: &Element) -> String {
    el.text_content().unwrap_or_default()
}

/// The students' ids in the rows the table drew, top to bottom.
fn shown_ids(root: &Element) -> Vec<String> {
    let mut rows: Vec<(f64, String)> = find_all(root, ".lablink-students .lablink-spacer [role=row]")
        .iter()
        .map(|row| {
            let index = row.get_attribute("aria-rowindex").unwrap().parse().unwrap();
            (index, text(&find_all(row, "[role=gridcell]")[0]))
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    rows.into_iter().map(|(_, id)| id).collect()
}

/// The course's first assignment opens by itself.
async fn open_assignment(root: &Element) {
    wait_for(root, ".lablink-students .lablink-spacer [role=row]").await;
    let chosen = wait_for(root, ".lablink-assignment[aria-pressed=true]").await;
    assert!(text(&chosen).starts_with("ps1"));
}

fn marks(name: &str) -> u32 {
    let performance = web_sys::window().unwrap().performance().unwrap();
    performance.get_entries_by_name(name).length()
}

// ---- tests ----

#[wasm_bindgen_test]
fn bad_options_are_refused_with_the_reason() {
    let element = mount_point();
    let message = |options: JsValue| {
        let err: JsValue =
            lablink_grades_panel::mount(element.clone(), options).err().expect("refused").into();
        String::from(js_sys::Error::from(err).message())
    };
    assert!(message(options(labels_object(Some("sync")))).contains("labels.sync is missing"));
    assert!(message(options(JsValue::UNDEFINED)).contains("labels must be an object"));
    let no_url = js_sys::Object::new();
    js_sys::Reflect::set(&no_url, &"labels".into(), &labels_object(None)).unwrap();
    assert!(message(no_url.into()).contains("serviceUrl is required"));
    assert!(message(JsValue::from(3)).contains("options must be an object"));
    // Nothing was mounted: the host's placeholder is still there.
    assert_eq!(text(&element), "Loading the grades panel…");
    assert_eq!(english().len(), Labels::KEYS.len());
}

#[wasm_bindgen_test]
async fn two_thousand_students_sort_filter_and_stay_small() {
    install_fake();
    let outcomes = [Outcome::Pending, Outcome::Unchanged, Outcome::LmsChanged, Outcome::NoLmsId];
    let rows = (1..=2000)
        .map(|i| {
            let score = f64::from((i * 37) % 101) / 10.0;
            grade_row(format!("student-{i:04}"), score, Some(score), outcomes[i as usize % 4])
        })
        .collect();
    serve_course(&table(rows));
    let element = mount_point();
    let handle = lablink_grades_panel::mount(element.clone(), options(labels_object(None))).unwrap();
    let assignment = wait_for(&element, ".lablink-assignment").await;
    assert!(text(&assignment).contains("Due 2026-01-10 23:59"), "{}", text(&assignment));
    assert!(!text(&assignment).contains("23:59:00"), "to the minute: {}", text(&assignment));
    assert!(text(&assignment).contains("3 of 4 submitted"));
    open_assignment(&element).await;

    let grid = element.query_selector(".lablink-students [role=grid]").unwrap().unwrap();
    assert_eq!(grid.get_attribute("aria-rowcount").as_deref(), Some("2001"));
    let drawn = shown_ids(&element);
    assert!(drawn.len() < 40, "only the rows in view are drawn, not {}", drawn.len());
    assert_eq!(drawn[0], "student-0001");
    settle().await;
    assert!(marks("lablink:panel-mount") >= 1 && marks("lablink:panel-data") >= 1);
    let performance = web_sys::window().unwrap().performance().unwrap();
    let at = |name: &str| {
        let list = performance.get_entries_by_name(name);
        list.get(list.length() - 1).unchecked_into::<web_sys::PerformanceEntry>().start_time()
    };
    web_sys::console::log_1(
        &format!(
            "2,000 rows: data → table painted {:.1} ms (debug build)",
            at("lablink:panel-table-painted") - at("lablink:panel-data")
        )
        .into(),
    );
    assert!(marks("lablink:panel-table-painted") >= 1);
    assert!(text(&element).contains("2000 of 2000 students"));
    assert!(element.query_selector(".lablink-histogram svg rect").unwrap().is_some(), "histogram drawn");

    // Sorting by nbgrader's score: ascending, then descending; aria-sort says so.
    let headers = find_all(&element, ".lablink-students [role=columnheader]");
    let score_header = &headers[2];
    click(&score_header.query_selector("button").unwrap().unwrap());
    settle().await;
    assert_eq!(score_header.get_attribute("aria-sort").as_deref(), Some("ascending"));
    let first = shown_ids(&element)[0].clone();
    let lowest = find_all(&element, ".lablink-students .lablink-spacer [role=row]")
        .iter()
        .find(|r| text(&find_all(r, "[role=gridcell]")[0]) == first)
        .map(|r| text(&find_all(r, "[role=gridcell]")[2]))
        .unwrap();
    assert_eq!(lowest, "0 / 10");
    click(&score_header.query_selector("button").unwrap().unwrap());
    settle().await;
    assert_eq!(score_header.get_attribute("aria-sort").as_deref(), Some("descending"));
    assert_eq!(headers[0].get_attribute("aria-sort").as_deref(), Some("none"));
    let top = find_all(&element, ".lablink-students .lablink-spacer [role=row]")
        .iter()
        .find(|r| r.get_attribute("aria-rowindex").as_deref() == Some("2"))
        .map(|r| text(&find_all(r, "[role=gridcell]")[2]))
        .unwrap();
    assert_eq!(top, "10 / 10");

    // The keyboard: End goes to the last row, which is drawn and marked.
    key(&grid, "End");
    settle().await;
    let cursor =
        element.query_selector(".lablink-students [aria-selected=true]").unwrap().expect("a cursor row");
    assert_eq!(cursor.get_attribute("aria-rowindex").as_deref(), Some("2001"));
    assert_eq!(grid.get_attribute("aria-activedescendant"), Some(cursor.id()));

    // Filters: by name (any case), then by outcome.
    let filter = element.query_selector(".lablink-name-filter").unwrap().unwrap();
    let input = filter.dyn_ref::<HtmlInputElement>().unwrap();
    input.set_value("STUDENT-004");
    input.dispatch_event(&web_sys::InputEvent::new("input").unwrap()).unwrap();
    settle().await;
    assert!(text(&element).contains("10 of 2000 students"), "{}", text(&element));
    input.set_value("");
    input.dispatch_event(&web_sys::InputEvent::new("input").unwrap()).unwrap();
    let select = element.query_selector(".lablink-outcome-filter").unwrap().unwrap();
    let select = select.dyn_ref::<HtmlSelectElement>().unwrap();
    select.set_value("lms_changed");
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    settle().await;
    assert!(text(&element).contains("500 of 2000 students"), "{}", text(&element));
    let actions: Vec<String> = find_all(&element, ".lablink-students .lablink-spacer [role=row]")
        .iter()
        .map(|r| text(&find_all(r, "[role=gridcell]")[4]))
        .collect();
    assert!(!actions.is_empty() && actions.iter().all(|a| a == "Changed in the LMS"), "{actions:?}");

    handle.unmount();
    settle().await;
    assert_eq!(element.child_element_count(), 0);
}

#[wasm_bindgen_test]
async fn ticks_in_the_preview_are_the_overwrite_and_retry_sends_only_the_failures() {
    install_fake();
    serve_course(&small_table());
    ok("POST", "api/courses/intro/assignments/ps1/preview", &preview());
    ok("POST", "api/courses/intro/assignments/ps1/sync", &job(JobState::Running, vec![]));
    let element = mount_point();
    let _handle = lablink_grades_panel::mount(element.clone(), options(labels_object(None))).unwrap();
    open_assignment(&element).await;

    click(&wait_for(&element, ".lablink-sync-button").await);
    let dialog = wait_for(&element, "[role=dialog]").await;
    assert!(text(&dialog).contains("Changed in the LMS: 2"), "{}", text(&dialog));
    let boxes = find_all(&dialog, ".lablink-lms-changed input[type=checkbox][aria-label]");
    let labels: Vec<String> = boxes.iter().map(|b| b.get_attribute("aria-label").unwrap()).collect();
    assert_eq!(labels, ["Overwrite: b", "Overwrite: c"]);
    assert!(boxes.iter().all(|b| !b.dyn_ref::<HtmlInputElement>().unwrap().checked()), "unticked by default");
    click(&boxes[1]);
    settle().await;
    let boxes = find_all(&dialog, ".lablink-lms-changed input[type=checkbox][aria-label]");
    assert!(boxes[1].dyn_ref::<HtmlInputElement>().unwrap().checked());
    click(&dialog.query_selector(".lablink-dialog-actions .lablink-button-primary").unwrap().unwrap());
    wait_until("the sync is posted", || !posts_to("api/courses/intro/assignments/ps1/sync").is_empty()).await;

    assert_eq!(posts_to("api/courses/intro/assignments/ps1/preview"), [serde_json::json!({})]);
    assert_eq!(posts_to("api/courses/intro/assignments/ps1/sync"), [serde_json::json!({"overwrite": ["c"]})]);
    let log = requests();
    let first_post = log.iter().position(|r| r.0 == "POST").unwrap();
    assert!(log[..first_post].iter().any(|r| r.1 == format!("{BASE}api/me")), "api/me before the first POST");
    assert!(
        log.iter().filter(|r| r.0 == "POST").all(|r| r.3.as_deref() == Some("1")),
        "X-Lablink-Request on POSTs"
    );

    // The job's events: progress, then the end with each student's outcome.
    wait_for(&element, ".lablink-sync [role=progressbar]").await;
    wait_until("the job's events are followed", || {
        js_sys::eval("__sources.length").unwrap().as_f64() == Some(1.0)
    })
    .await;
    let url = js_sys::eval("__sources[0].url").unwrap().as_string();
    assert_eq!(url.as_deref(), Some("/services/g/api/jobs/j1/events"));
    let mut progress = serde_json::to_value(job(JobState::Running, vec![])).unwrap();
    progress["done"] = 2.into();
    progress.as_object_mut().unwrap().remove("students");
    send_event("progress", &progress.to_string());
    settle().await;
    let bar = element.query_selector(".lablink-sync [role=progressbar]").unwrap().unwrap();
    assert_eq!(bar.get_attribute("aria-valuenow").as_deref(), Some("50"));
    assert!(text(&element).contains("Syncing: 2 of 4"));
    let students = vec![
        result("a", Outcome::Sent),
        result("b", Outcome::Failed),
        result("c", Outcome::Sent),
        result("d", Outcome::Refused),
    ];
    send_event("done", &serde_json::to_string(&job(JobState::Finished, students)).unwrap());
    let retry = wait_for(&element, ".lablink-sync-done .lablink-retry-failed").await;
    assert_eq!(text(&retry), "Retry failed (2)");
    assert!(text(&element).contains("LMS answered 503"), "per-student detail shown");

    // Retry failed previews just those two; Tick all then overwrites both changed ones.
    click(&retry);
    let dialog = wait_for(&element, "[role=dialog]").await;
    click(&dialog.query_selector(".lablink-tick-all").unwrap().unwrap());
    settle().await;
    click(&dialog.query_selector(".lablink-dialog-actions .lablink-button-primary").unwrap().unwrap());
    wait_until("the retry is posted", || posts_to("api/courses/intro/assignments/ps1/sync").len() == 2).await;
    assert_eq!(
        posts_to("api/courses/intro/assignments/ps1/preview")[1],
        serde_json::json!({"students": ["b", "d"]})
    );
    assert_eq!(
        posts_to("api/courses/intro/assignments/ps1/sync")[1],
        serde_json::json!({"students": ["b", "d"], "overwrite": ["b", "c"]})
    );
}

/// Mounts against the fake as set up, and returns the text of the first alert shown.
async fn alert_text(element: &Element) -> (String, Option<String>) {
    let alert = wait_for(element, "[role=alert]").await;
    let link = alert.query_selector("a.lablink-sign-in").unwrap().and_then(|a| a.get_attribute("href"));
    (text(&alert), link)
}

#[wasm_bindgen_test]
async fn each_failure_gets_its_own_message() {
    let l = english().into_iter().collect::<BTreeMap<_, _>>();
    let mount = || {
        let element = mount_point();
        let handle = lablink_grades_panel::mount(element.clone(), options(labels_object(None))).unwrap();
        (element, handle)
    };

    // Signed out: the sign-in link is the service's login_url.
    install_fake();
    fail("GET", "api/me", GradingErrorCode::SignedOut, "sign in", Some("/services/g/login"));
    let (element, handle) = mount();
    let (said, link) = alert_text(&element).await;
    assert!(said.contains(&l["err_signed_out"]), "{said}");
    assert_eq!(link.as_deref(), Some("/services/g/login"));
    handle.unmount();

    // Not an instructor of any course: names the user and their groups.
    install_fake();
    ok("GET", "api/me", &Me { name: "student1".into(), admin: false, groups: vec!["students".into()] });
    let none = CourseList {
        user: "student1".into(),
        courses: vec![],
        instructor_groups: vec!["formgrade-intro".into()],
    };
    ok("GET", "api/courses", &none);
    let (element, handle) = mount();
    let (said, link) = alert_text(&element).await;
    assert!(said.contains("signed in as student1") && said.contains("your groups: students"), "{said}");
    assert!(said.contains("formgrade-intro"), "names the group to join: {said}");
    assert_eq!(link, None);
    handle.unmount();

    // The service is not reachable at all.
    install_fake();
    offline("GET", "api/me");
    let (element, handle) = mount();
    let (said, _) = alert_text(&element).await;
    assert!(said.contains("can't be reached") && said.contains(BASE), "{said}");
    handle.unmount();

    // No launch yet, and the LMS refusing a preview with its own words.
    install_fake();
    serve_course(&small_table());
    fail("GET", "api/courses/intro/assignments/ps1/grades", GradingErrorCode::NoLaunch, "no launch", None);
    let (element, handle) = mount();
    let (said, _) = alert_text(&element).await;
    assert!(said.contains(&l["err_no_launch"]), "{said}");
    handle.unmount();

    install_fake();
    serve_course(&small_table());
    fail(
        "POST",
        "api/courses/intro/assignments/ps1/preview",
        GradingErrorCode::Lms,
        "Moodle: grade item locked",
        None,
    );
    let (element, handle) = mount();
    open_assignment(&element).await;
    click(&wait_for(&element, ".lablink-sync-button").await);
    let (said, _) = alert_text(&element).await;
    assert!(said.contains("The LMS refused: Moodle: grade item locked"), "{said}");
    // Closing the message brings the Sync grades button back, and nothing was sent.
    click(&element.query_selector("[role=alert] .lablink-close").unwrap().expect("a close button"));
    settle().await;
    assert!(element.query_selector("[role=alert]").unwrap().is_none());
    let sync = element.query_selector(".lablink-sync-button").unwrap().unwrap();
    assert!(!sync.dyn_ref::<web_sys::HtmlButtonElement>().unwrap().disabled());
    assert!(posts_to("api/courses/intro/assignments/ps1/sync").is_empty());
    handle.unmount();

    // Not an instructor of a course (the service names the group).
    install_fake();
    ok("GET", "api/me", &me("ta"));
    ok("GET", "api/courses", &courses());
    fail(
        "GET",
        "api/courses/intro/assignments",
        GradingErrorCode::NotInstructor,
        "ta is not in the group \"formgrade-intro\"",
        None,
    );
    let (element, handle) = mount();
    let (said, _) = alert_text(&element).await;
    assert!(said.contains("not an instructor of this course") && said.contains("formgrade-intro"), "{said}");
    handle.unmount();
}

#[wasm_bindgen_test]
async fn another_course_opens_its_own_first_assignment() {
    install_fake();
    serve_course(&small_table());
    let mut two = courses();
    two.courses.push(CourseInfo {
        id: "stats".into(),
        lms: LmsKind::Lti11,
        instructor_group: "formgrade-stats".into(),
    });
    ok("GET", "api/courses", &two);
    let mut hw = assignments();
    hw.course = "stats".into();
    hw.assignments[0].name = "hw1".into();
    ok("GET", "api/courses/stats/assignments", &hw);
    ok("GET", "api/courses/stats/jobs", &JobList { jobs: vec![] });
    let mut stats = table(vec![grade_row("zed".into(), 3.0, None, Outcome::Pending)]);
    (stats.course, stats.assignment) = ("stats".into(), "hw1".into());
    ok("GET", "api/courses/stats/assignments/hw1/grades", &stats);
    let element = mount_point();
    let _handle = lablink_grades_panel::mount(element.clone(), options(labels_object(None))).unwrap();
    open_assignment(&element).await;

    let select = element.query_selector(".lablink-course").unwrap().unwrap();
    let select = select.dyn_ref::<HtmlSelectElement>().unwrap();
    select.set_value("stats");
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    wait_until("the other course's table shows", || shown_ids(&element) == ["zed"]).await;
    let chosen = element.query_selector(".lablink-assignment[aria-pressed=true]").unwrap().unwrap();
    assert!(text(&chosen).starts_with("hw1"));
    let asked: Vec<String> =
        requests().into_iter().filter(|r| r.1.ends_with("/grades")).map(|r| r.1).collect();
    assert_eq!(
        asked,
        [
            format!("{BASE}api/courses/intro/assignments/ps1/grades"),
            format!("{BASE}api/courses/stats/assignments/hw1/grades")
        ],
        "never the old assignment in the new course"
    );
}
