//! The grades API end to end: a real JupyterHub runs the service, which reads a gradebook made
//! by nbgrader and syncs it to the LTI 1.3 test platform. Instructors see, preview, sync (with
//! progress as server-sent events) and export; a student is refused everywhere; a body that
//! tries to name the user is refused.

use std::collections::BTreeMap;

use lablink_testkit::hub::{
    self, ADMIN, GROUP, Hub, HubSetup, STUDENT, TEACHER, answer, with_token as token,
};
use lablink_testkit::lms::{self, Lms};
use lablink_testkit::python::nbgrader_course;
use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::{Value, json};

/// The binary the hub runs as its grading service.
const BIN: &str = env!("CARGO_BIN_EXE_lablink");
const LEARNER: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner";

fn get(client: &Client, hub: &Hub, who: &str, path: &str) -> (StatusCode, Value) {
    answer(token(client.get(hub.url(path)), who).send().unwrap())
}

fn post(client: &Client, hub: &Hub, who: &str, path: &str, body: &str) -> (StatusCode, Value) {
    let request = client.post(hub.url(path)).header("content-type", "application/json").body(body.to_owned());
    answer(token(request, who).send().unwrap())
}

/// The nbgrader course and the test platform (on its own runtime, as the hub tests block),
/// whose course 42 has these learners.
fn course_and_lms(
    learners: &[&str],
) -> (tempfile::TempDir, std::path::PathBuf, tokio::runtime::Runtime, Lms) {
    let dir = tempfile::tempdir().unwrap();
    let (gradebook, _) = nbgrader_course(dir.path());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let lms = rt.block_on(lms::start());
    let members: Vec<Value> = learners.iter().map(|id| json!({"user_id": id, "roles": [LEARNER]})).collect();
    rt.block_on(lms.control("POST", "/_test/members", Some(json!({"ctx": "42", "members": members}))));
    (dir, gradebook, rt, lms)
}

/// The service's config: the test platform and course `intro-python` on it, plus `course`.
fn config(lms: &Lms, gradebook: &std::path::Path, course: &str) -> String {
    format!(
        "journal = \"{{dir}}/journal.sqlite\"\n{platform}[[grading.courses]]\nid = \"intro-python\"\n\
         gradebook = {gradebook:?}\ninstructor_group = \"{GROUP}\"\nplatform = \"test\"\n{course}",
        platform = lms.config_toml("grading.platforms"),
    )
}

/// The `event:`/`data:` pairs of a server-sent event stream, read to its end.
/// The hub with the course's line items and roster at fixed URLs of the test LMS.
fn hub_with_lms_urls(lms: &Lms, gradebook: &std::path::Path) -> Hub {
    let urls = format!(
        "lineitems_url = {:?}\nmemberships_url = {:?}\n",
        lms.course("lineitems"),
        lms.course("context_memberships_url")
    );
    Hub::start_with(BIN, HubSetup { grading_toml: config(lms, gradebook, &urls), ..HubSetup::default() })
}

fn events(text: &str) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for block in text.split("\n\n") {
        let mut name = String::new();
        let mut data = String::new();
        for line in block.lines() {
            if let Some(v) = line.strip_prefix("event:") {
                name = v.trim().to_owned();
            } else if let Some(v) = line.strip_prefix("data:") {
                data.push_str(v.trim_start());
            }
        }
        if !data.is_empty() {
            out.push((name, serde_json::from_str(&data).unwrap()));
        }
    }
    out
}

#[test]
fn instructors_preview_sync_and_export_through_the_hub_and_students_are_refused() {
    let (_dir, gradebook, rt, lms) = course_and_lms(&["lms-alice", "lms-bob", "lms-dave"]);

    let hub = hub_with_lms_urls(&lms, &gradebook);
    let client = hub.client();
    let (teacher, student, admin) = (hub.token(TEACHER), hub.token(STUDENT), hub.token(ADMIN));

    // Courses: the teacher's group has one; the student sees none.
    let (status, body) = get(&client, &hub, &teacher, "api/courses");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"], TEACHER);
    assert_eq!(body["courses"], json!([{"id": "intro-python", "lms": "lti13", "instructor_group": GROUP}]));
    let (_, body) = get(&client, &hub, &student, "api/courses");
    assert_eq!(body["courses"], json!([]));
    // …but is told which group would make them an instructor.
    assert_eq!(body["instructor_groups"], json!([GROUP]));

    // Assignments with their maxima and counts, as nbgrader has them.
    let (_, body) = get(&client, &hub, &teacher, "api/courses/intro-python/assignments");
    let ps1 = body["assignments"].as_array().unwrap().iter().find(|a| a["name"] == "ps1").unwrap().clone();
    assert_eq!((ps1["max_score"].as_f64(), ps1["students"].as_u64()), (Some(11.5), Some(5)), "{ps1}");

    // Every grade route refuses the student, with a sentence naming the group.
    let grades = "api/courses/intro-python/assignments/ps1/grades";
    for (status, body) in [
        get(&client, &hub, &student, "api/courses/intro-python/assignments"),
        get(&client, &hub, &student, grades),
        get(&client, &hub, &student, &format!("{grades}.csv")),
        post(&client, &hub, &student, "api/courses/intro-python/assignments/ps1/sync", "{}"),
        get(&client, &hub, &student, "api/courses/intro-python/jobs"),
    ] {
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_instructor")));
        assert!(body["error"]["message"].as_str().unwrap().contains(GROUP), "{body}");
    }
    // Naming the user in the body is refused, not obeyed, and nothing is sent.
    let (status, body) = post(
        &client,
        &hub,
        &student,
        "api/courses/intro-python/assignments/ps1/sync",
        r#"{"user":"teacher"}"#,
    );
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = post(
        &client,
        &hub,
        &teacher,
        "api/courses/intro-python/assignments/ps1/preview",
        r#"{"user":"teacher"}"#,
    );
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")));
    let (status, body) =
        post(&client, &hub, &teacher, "api/courses/intro-python/assignments/ps1/sync", "{not json");
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")));

    // The table and the preview: three to send, carol has no LMS id, eve is not enrolled.
    let (status, table) = get(&client, &hub, &teacher, grades);
    assert_eq!(status, 200, "{table}");
    assert_eq!(table["lms"]["error"], Value::Null, "{table}");
    let status_of = |rows: &Value, key: &str| -> BTreeMap<String, String> {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| (r["student_id"].as_str().unwrap().to_owned(), r[key].as_str().unwrap().to_owned()))
            .collect()
    };
    let planned = status_of(&table["rows"], "status");
    assert_eq!(planned["alice"], "pending");
    assert_eq!(planned["carol"], "no_lms_id");
    assert_eq!(planned["eve.o'neil"], "not_enrolled");
    let (_, preview) = post(&client, &hub, &teacher, "api/courses/intro-python/assignments/ps1/preview", "");
    assert_eq!(preview["counts"], json!({"pending": 3, "not_enrolled": 1, "no_lms_id": 1}), "{preview}");
    assert!(rt.block_on(lms.control("GET", "/_test/scores", None))["log"].as_array().unwrap().is_empty());

    // The sync: 202 with the job, then its progress as server-sent events until `done`.
    let (status, job) = post(&client, &hub, &teacher, "api/courses/intro-python/assignments/ps1/sync", "{}");
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    assert_eq!(job["started_by"], TEACHER);
    let id = job["id"].as_str().unwrap();
    let (status, body) = get(&client, &hub, &student, &format!("api/jobs/{id}"));
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("not_instructor")));
    let stream = token(client.get(hub.url(&format!("api/jobs/{id}/events"))), &teacher).send().unwrap();
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let events = events(&stream.text().unwrap());
    let (last, done) = events.last().unwrap();
    assert_eq!(last, "done", "{events:?}");
    assert_eq!(done["state"], "finished");
    assert_eq!(done["counts"], json!({"sent": 3, "not_enrolled": 1, "no_lms_id": 1}), "{done}");
    assert_eq!(status_of(&done["students"], "outcome")["alice"], "sent");

    // Landed in the LMS once each, for the right users.
    let log = rt.block_on(lms.control("GET", "/_test/scores", None));
    let mut users: Vec<&str> =
        log["log"].as_array().unwrap().iter().map(|e| e["body"]["userId"].as_str().unwrap()).collect();
    users.sort();
    assert_eq!(users, ["lms-alice", "lms-bob", "lms-dave"]);

    // The CSV export shows what the LMS now holds; the admin may read it too.
    for who in [&teacher, &admin] {
        let reply = token(client.get(hub.url(&format!("{grades}.csv"))), who).send().unwrap();
        assert_eq!(reply.status(), 200);
        assert!(reply.headers()["content-disposition"].to_str().unwrap().contains("intro-python-ps1.csv"));
        let csv = reply.text().unwrap();
        let mut lines = csv.lines();
        assert!(lines.next().unwrap().starts_with("student_id,first_name,last_name,lms_user_id"), "{csv}");
        let alice = lines.find(|l| l.starts_with("alice,")).unwrap();
        assert!(alice.ends_with(",unchanged"), "{alice}");
    }

    // A second sync sends nothing; the job list shows both, newest first.
    let (_, again) = post(&client, &hub, &teacher, "api/courses/intro-python/assignments/ps1/sync", "{}");
    let again_id = again["id"].as_str().unwrap();
    let mut state = again["state"].clone();
    for _ in 0..100 {
        if state != "running" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        state = get(&client, &hub, &teacher, &format!("api/jobs/{again_id}")).1["state"].clone();
    }
    let (_, jobs) = get(&client, &hub, &teacher, "api/courses/intro-python/jobs");
    assert_eq!(jobs["jobs"][0]["id"], again_id);
    assert_eq!(jobs["jobs"][0]["counts"]["unchanged"], 3, "{jobs}");
    assert_eq!(jobs["jobs"][1]["id"], id);
    let log = rt.block_on(lms.control("GET", "/_test/scores", None));
    assert_eq!(log["log"].as_array().unwrap().len(), 3, "no score sent twice");
}

/// A course whose config names no AGS or NRPS URL: they come from the instructor's last LTI
/// launch, which the hub keeps as `auth_state`; and a student nbgrader has no LMS id for is
/// matched through the `sub` of her own last launch (`match_by = "launch"`). The hub's authenticator here is a DummyAuthenticator
/// that stores launch claims in the shape jupyterhub-ltiauthenticator's LTI 1.3 login does (the
/// id_token's claims): a real launch needs an LMS's browser flow, which no test here drives.
#[test]
fn a_course_without_urls_syncs_to_the_lms_course_of_the_instructors_last_launch() {
    let (_dir, gradebook, rt, lms) = course_and_lms(&["lms-alice", "lms-carol"]);

    // carol has no LMS id in nbgrader: her own launch (as hub user `carol`) gives it.
    let grading_toml = config(&lms, &gradebook, "lms_context_id = \"42\"\nmatch_by = \"launch\"\n");
    let launch = |context: &str| {
        json!({
            "iss": lms.info["issuer"],
            "aud": "lablink-grading",
            "sub": "lms-teacher",
            "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "1",
            "https://purl.imsglobal.org/spec/lti/claim/context": {"id": context, "label": "INTRO"},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {"lineitems": lms.course("lineitems")},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": lms.course("context_memberships_url")
            },
        })
    };
    let hub_config = format!(
        r#"
import os, json
from jupyterhub.auth import DummyAuthenticator
LAUNCHES = json.loads({launches:?})
class LaunchAuthenticator(DummyAuthenticator):
    async def authenticate(self, handler, data):
        name = await super().authenticate(handler, data)
        name = name["name"] if isinstance(name, dict) else name
        if name in LAUNCHES:
            return {{"name": name, "auth_state": LAUNCHES[name]}}
        return name
c.JupyterHub.authenticator_class = LaunchAuthenticator
c.Authenticator.allowed_users.add("carol")
c.Authenticator.enable_auth_state = True
c.CryptKeeper.keys = [os.urandom(32)]
"#,
        launches = json!({
            TEACHER: launch("42"),
            ADMIN: launch("77"),
            "carol": {"iss": lms.info["issuer"], "aud": ["lablink-grading"], "sub": "lms-carol",
                      "https://purl.imsglobal.org/spec/lti/claim/deployment_id": "1"},
        })
        .to_string(),
    );
    let mut setup = HubSetup { grading_toml, hub_config, ..HubSetup::default() };
    setup.service_scopes.push("admin:auth_state".into());
    let hub = Hub::start_with(BIN, setup);
    let client = hub.client();
    let preview = "api/courses/intro-python/assignments/ps1/preview";

    // Before any sign-in there is no launch: a clear 409, and the table says why the LMS is missing.
    let teacher = hub.token(TEACHER);
    let (status, body) = post(&client, &hub, &teacher, preview, "");
    assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("no_launch")), "{body}");
    let (_, table) = get(&client, &hub, &teacher, "api/courses/intro-python/assignments/ps1/grades");
    assert!(table["lms"]["error"].as_str().unwrap().contains("no LTI 1.3 launch"), "{table}");

    // Signing in through the hub stores each user's launch.
    for user in [TEACHER, ADMIN, "carol"] {
        // Not following the redirect: it would spawn a notebook server, which this hub has none of.
        let browser =
            Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let login_url = format!("{}/hub/login", hub.public);
        let html = browser.get(&login_url).send().unwrap().text().unwrap();
        // The login form's XSRF token, as a browser would send it back.
        let at = html.find("name=\"_xsrf\"").expect("an _xsrf field in the login form");
        let value = &html[at..][html[at..].find("value=\"").unwrap() + 7..];
        let xsrf = &value[..value.find('"').unwrap()];
        let form = [("username", user), ("password", hub::PASSWORD), ("_xsrf", xsrf)];
        let login = browser.post(&login_url).form(&form).send().unwrap();
        assert!(login.status().is_redirection(), "{}\n{}", login.status(), hub.log());
    }
    // The admin's last launch was from another LMS course: refused, never synced there.
    let (status, body) = post(&client, &hub, &hub.token(ADMIN), preview, "");
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("\"77\", not \"42\""), "{body}");

    let (status, job) = post(&client, &hub, &teacher, "api/courses/intro-python/assignments/ps1/sync", "");
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let id = job["id"].as_str().unwrap();
    let done = token(client.get(hub.url(&format!("api/jobs/{id}/events"))), &teacher)
        .send()
        .unwrap()
        .text()
        .unwrap();
    let (_, done) = events(&done).pop().unwrap();
    assert_eq!(done["counts"]["sent"], 2, "{done}");
    let carol = done["students"].as_array().unwrap().iter().find(|r| r["student_id"] == "carol").unwrap();
    assert_eq!((carol["outcome"].as_str(), carol["lms_user_id"].as_str()), (Some("sent"), Some("lms-carol")));
    let log = rt.block_on(lms.control("GET", "/_test/scores", None));
    let mut users: Vec<&str> =
        log["log"].as_array().unwrap().iter().map(|e| e["body"]["userId"].as_str().unwrap()).collect();
    users.sort();
    assert_eq!(users, ["lms-alice", "lms-carol"]);
}

/// Starts a sync of ps1 with `body` and follows its events to the end; the finished job.
fn synced(client: &Client, hub: &Hub, who: &str, body: &str) -> Value {
    let (status, job) = post(client, hub, who, "api/courses/intro-python/assignments/ps1/sync", body);
    assert_eq!(status, StatusCode::ACCEPTED, "{job}");
    let id = job["id"].as_str().unwrap();
    let stream = token(client.get(hub.url(&format!("api/jobs/{id}/events"))), who).send().unwrap();
    let (last, done) = events(&stream.text().unwrap()).pop().unwrap();
    assert_eq!((last.as_str(), &done["state"]), ("done", &json!("finished")), "{done}");
    done
}

fn row_of(rows: &Value, student: &str) -> Value {
    rows.as_array().unwrap().iter().find(|r| r["student_id"] == student).unwrap().clone()
}

/// What the grades panel relies on: a score a teacher changed in the LMS gradebook shows as
/// `lms_changed` in the table, the preview and the job, and is replaced only when the request
/// says `overwrite`; a locked grade column is `locked` with what to do; faults for two students
/// fail just them, and a sync of those students alone ("Retry failed") lands them.
#[test]
fn scores_changed_in_the_lms_are_kept_unless_overwritten_and_locked_grades_say_so() {
    let (_dir, gradebook, rt, lms) = course_and_lms(&["lms-alice", "lms-bob", "lms-dave"]);
    let hub = hub_with_lms_urls(&lms, &gradebook);
    let client = hub.client();
    let teacher = hub.token(TEACHER);
    let (grades, preview) = (
        "api/courses/intro-python/assignments/ps1/grades",
        "api/courses/intro-python/assignments/ps1/preview",
    );

    // Two students' scores fail; Retry failed sends only those, once the LMS takes them.
    rt.block_on(lms.fail_scores_of(&["lms-alice", "lms-dave"], 503));
    let first = synced(&client, &hub, &teacher, "{}");
    assert_eq!(
        first["counts"],
        json!({"sent": 1, "failed": 2, "not_enrolled": 1, "no_lms_id": 1}),
        "{first}"
    );
    rt.block_on(lms.clear_faults());
    let retry = synced(&client, &hub, &teacher, r#"{"students": ["alice", "dave"]}"#);
    assert_eq!(retry["counts"], json!({"sent": 2}), "{retry}");

    // A teacher gives dave 4 in the LMS gradebook (this service sent him 0).
    rt.block_on(lms.set_grade("ps1", "lms-dave", Some(4.0)));
    let (_, table) = get(&client, &hub, &teacher, grades);
    let dave = row_of(&table["rows"], "dave");
    assert_eq!(
        (dave["status"].as_str(), dave["lms_score"].as_f64()),
        (Some("lms_changed"), Some(4.0)),
        "{dave}"
    );
    assert_eq!(row_of(&table["rows"], "alice")["status"], "unchanged");
    let (status, shown) = post(&client, &hub, &teacher, preview, "{}");
    assert_eq!(status, 200, "{shown}");
    assert_eq!(
        shown["counts"],
        json!({"unchanged": 2, "lms_changed": 1, "not_enrolled": 1, "no_lms_id": 1}),
        "{shown}"
    );
    let why = row_of(&shown["rows"], "dave")["detail"].as_str().unwrap().to_owned();
    assert!(why.contains("the LMS holds 4, not the 0 this service last sent"), "{why}");

    // `overwrite` must be a list of student ids.
    let bad_lists = [
        (r#"{"overwrite": "dave"}"#, "overwrite"),
        (r#"{"overwrite": [4]}"#, "overwrite"),
        (r#"{"overwrite": null}"#, "overwrite"),
        (r#"{"students": ["alice"], "overwrite": {"dave": true}}"#, "overwrite"),
        (r#"{"students": "alice"}"#, "students"),
    ];
    for (bad, field) in bad_lists {
        for route in [preview, "api/courses/intro-python/assignments/ps1/sync"] {
            let (status, body) = post(&client, &hub, &teacher, route, bad);
            assert_eq!(
                (status, body["error"]["code"].as_str()),
                (StatusCode::BAD_REQUEST, Some("bad_request")),
                "{bad}: {body}"
            );
            let message = body["error"]["message"].as_str().unwrap();
            assert!(message.contains(&format!("{field:?} must be a list of nbgrader student ids")), "{body}");
        }
    }

    // A sync leaves dave's grade as the teacher set it; the job says why.
    let posts = rt.block_on(lms.score_posts_of("lms-dave"));
    let kept = synced(&client, &hub, &teacher, "{}");
    assert_eq!(row_of(&kept["students"], "dave")["outcome"], "lms_changed", "{kept}");
    assert_eq!(rt.block_on(lms.score_posts_of("lms-dave")), posts);
    assert_eq!(rt.block_on(lms.held("ps1", "lms-dave")), Some((Some(4.0), "gradebook".into())));

    // Ticked for overwriting: the preview says so, the sync replaces it.
    let (_, shown) = post(&client, &hub, &teacher, preview, r#"{"overwrite": ["dave"]}"#);
    let dave = row_of(&shown["rows"], "dave");
    assert_eq!(dave["outcome"], "pending", "{dave}");
    assert!(dave["detail"].as_str().unwrap().contains("overwrites the LMS's score 4"), "{dave}");
    let replaced = synced(&client, &hub, &teacher, r#"{"overwrite": ["dave"]}"#);
    assert_eq!(row_of(&replaced["students"], "dave")["outcome"], "sent", "{replaced}");
    assert_eq!(rt.block_on(lms.held("ps1", "lms-dave")), Some((Some(0.0), "tool".into())));

    // The grade column locked in the LMS: alice (changed there, overwrite ticked) is `locked`.
    rt.block_on(lms.set_grade("ps1", "lms-alice", Some(5.0)));
    rt.block_on(lms.lock("ps1", None, true));
    let locked = synced(&client, &hub, &teacher, r#"{"overwrite": ["alice"]}"#);
    let alice = row_of(&locked["students"], "alice");
    assert_eq!(alice["outcome"], "locked", "{locked}");
    assert!(alice["detail"].as_str().unwrap().contains("Unlock it, then use Retry failed"), "{alice}");
    assert_eq!(rt.block_on(lms.held("ps1", "lms-alice")), Some((Some(5.0), "gradebook".into())));
    // Unlocked, retried with the same choice: sent.
    rt.block_on(lms.lock("ps1", None, false));
    let retried = synced(&client, &hub, &teacher, r#"{"students": ["alice"], "overwrite": ["alice"]}"#);
    assert_eq!(retried["counts"], json!({"sent": 1}), "{retried}");
    assert_eq!(rt.block_on(lms.held("ps1", "lms-alice")).map(|h| h.1), Some("tool".into()));
}
