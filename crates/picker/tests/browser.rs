//! The picker's JavaScript surface in headless chromium: options as a host writes them, and
//! mount/unmount on a real element.

use lablink_picker::labels::Labels;
use lablink_picker::options::{Mode, Options, Transport};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn js(source: &str) -> JsValue {
    js_sys::eval(&format!("({source})")).unwrap()
}

#[wasm_bindgen_test]
fn options_as_hosts_write_them() {
    let files = Options::from_js(&js(r#"{
        mode: "destination", initialPath: "/course/week1/", field: "lablink_path", height: 5000,
        labels: { root: "Accueil", chooseHere: "Choisir", up: 7 },
        transport: { kind: "files", base: "/files", home: "demo", token: () => "t" },
        onPick: () => {}
    }"#))
    .unwrap();
    assert_eq!(files.mode, Mode::Destination);
    assert_eq!(files.initial_path.as_str(), "course/week1");
    assert_eq!(files.field.as_deref(), Some("lablink_path"));
    assert_eq!(files.height, 2000, "heights are clamped");
    assert_eq!((files.labels.root.as_str(), files.labels.choose_here.as_str()), ("Accueil", "Choisir"));
    assert_eq!(files.labels.up, Labels::default().up, "a non-string label keeps the default");
    assert_eq!(files.transport, Transport::Files { base: "/files".into(), home: "demo".into() });

    let moodle = Options::from_js(&js(r#"{
        transport: { kind: "moodle", serviceUrl: "/lib/ajax/service.php", sesskey: "abc", args: { contextid: 12 } }
    }"#))
    .unwrap();
    assert_eq!((moodle.mode, moodle.height), (Mode::Folder, 320));
    assert!(moodle.initial_path.is_root());
    let Transport::Moodle { args, sesskey, list_method, .. } = moodle.transport else { panic!("not moodle") };
    assert_eq!((args, sesskey.as_str(), list_method), (vec![("contextid".to_owned(), 12)], "abc", None));
}

#[wasm_bindgen_test]
fn bad_options_are_refused_with_a_reason() {
    let cases = [
        ("42", "options must be an object"),
        (r#"{ transport: { kind: "ftp" } }"#, "transport.kind"),
        (r#"{ transport: { kind: "files", base: "/files" } }"#, "transport.home"),
        (r#"{ transport: { kind: "moodle", serviceUrl: "/s" } }"#, "transport.sesskey"),
        (
            r#"{ transport: { kind: "moodle", serviceUrl: "/s", sesskey: "k", args: { contextid: "12" } } }"#,
            "transport.args",
        ),
        (r#"{ initialPath: "../../etc", transport: { kind: "files", home: "h" } }"#, "initialPath"),
        (r#"{ field: "x\"],*[y", transport: { kind: "files", home: "h" } }"#, "field"),
        (r#"{ mode: "file", transport: { kind: "files", home: "h" } }"#, "mode"),
        (r#"{ height: -3, transport: { kind: "files", home: "h" } }"#, "height"),
    ];
    for (source, needle) in cases {
        let err = Options::from_js(&js(source)).unwrap_err();
        assert!(err.contains(needle), "{source}: {err}");
    }
}

#[wasm_bindgen_test]
async fn mount_shows_a_clear_error_and_unmount_cleans_up() {
    let document = web_sys::window().unwrap().document().unwrap();
    let element = document.create_element("div").unwrap();
    element.set_text_content(Some("Loading the folder picker…"));
    document.body().unwrap().append_child(&element).unwrap();
    // A Moodle endpoint that does not exist on the test server: the picker must say so.
    let options =
        js(r#"{ transport: { kind: "moodle", serviceUrl: "/no/such/service.php", sesskey: "k" } }"#);
    let handle = lablink_picker::mount(element.clone(), options).unwrap();
    let mut alert = None;
    for _ in 0..100 {
        gloo_timers::future::TimeoutFuture::new(20).await;
        alert = element.query_selector("[role=alert]").unwrap();
        if alert.is_some() {
            break;
        }
    }
    let alert = alert.expect("an error is shown");
    assert!(alert.text_content().unwrap().contains("no longer exists"), "{:?}", alert.text_content());
    assert!(element.query_selector("button.lablink-retry").unwrap().is_some());
    assert!(!element.text_content().unwrap().contains("Loading the folder picker"), "placeholder replaced");
    assert!(document.get_element_by_id("lablink-ui-style").is_some(), "styles installed");

    handle.unmount();
    gloo_timers::future::TimeoutFuture::new(20).await;
    assert_eq!(element.child_element_count(), 0);
    assert!(element.get_attribute("data-lablink-picker").is_none());
    // Bad options throw a JS error that names the problem.
    let err: JsValue = lablink_picker::mount(element.clone(), js("{}")).err().expect("refused").into();
    let message = String::from(js_sys::Error::from(err).message());
    assert!(message.contains("transport.kind"), "{message}");
}
