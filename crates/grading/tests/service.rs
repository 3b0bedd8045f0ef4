//! The service's core against real test LMSs (`tests/grading/lti_platform.py`) and a real
//! nbgrader gradebook: tokens per platform, an assignment never left claimed, the scopes a
//! course needs and what the LMS granted.

use std::sync::Arc;
use std::time::Duration;

use lablink_grading::GradingConfig;
use lablink_grading::keys::SigningKey;
use lablink_grading::service::{Launches, Service, ServiceError};
use lablink_grading::sync::SyncError;
use lablink_testkit::lms::{Lms, start, start_trusting};
use lablink_testkit::python::nbgrader_course;
use serde_json::{Value, json};

const LEARNER: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner";

/// The LMS course 42 with the gradebook's learners alice, bob and dave.
async fn enrol(lms: &Lms) {
    let members: Vec<Value> = ["lms-alice", "lms-bob", "lms-dave"]
        .iter()
        .map(|id| json!({"user_id": id, "roles": [LEARNER]}))
        .collect();
    lms.control("POST", "/_test/members", Some(json!({"ctx": "42", "members": members}))).await;
}

/// A course on platform `platform` of `lms`, syncing the nbgrader gradebook.
fn course_toml(id: &str, platform: &str, lms: &Lms, gradebook: &std::path::Path, extra: &str) -> String {
    format!(
        "[[courses]]\nid = {id:?}\ngradebook = {gradebook:?}\ninstructor_group = \"formgrade\"\nplatform = {platform:?}\n\
         lineitems_url = {lineitems:?}\nmemberships_url = {members:?}\n{extra}",
        lineitems = lms.course("lineitems"),
        members = lms.course("context_memberships_url"),
    )
}

struct Setup {
    lms: Lms,
    service: Arc<Service>,
    _dir: tempfile::TempDir,
}

async fn one_platform(extra: &str) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let (gradebook, _) = nbgrader_course(dir.path());
    let lms = start().await;
    enrol(&lms).await;
    let journal = dir.path().join("journal.sqlite");
    let toml = format!("journal = {journal:?}\n")
        + &lms.config_toml("platforms")
        + &course_toml("intro", "test", &lms, &gradebook, extra);
    let service = service(&toml, &lms);
    Setup { lms, service, _dir: dir }
}

fn service(toml: &str, lms: &Lms) -> Arc<Service> {
    let config = GradingConfig::from_toml(toml).unwrap();
    let key = Arc::new(SigningKey::load_or_create(&lms.key_file()).unwrap());
    Service::new(config, key).unwrap()
}

async fn sync(service: &Arc<Service>, course: &str) -> Result<String, ServiceError> {
    service.start(course, "ps1", &Default::default(), "teacher", &Launches::default()).await
}

async fn wait_finished(service: &Service, job: &str) -> Value {
    for _ in 0..400 {
        let status = serde_json::to_value(service.status(job, true).unwrap().unwrap()).unwrap();
        if status["state"] != "running" {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("job {job} did not finish");
}

async fn accepted_scores(lms: &Lms) -> usize {
    let log = lms.control("GET", "/_test/scores", None).await;
    log["log"].as_array().unwrap().iter().filter(|e| matches!(e["outcome"].as_u64(), Some(200 | 201))).count()
}

fn is_busy(result: &Result<String, ServiceError>) -> bool {
    matches!(result, Err(ServiceError::Sync(SyncError::Busy { .. })))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_platforms_in_one_service_each_get_their_own_token() {
    let dir = tempfile::tempdir().unwrap();
    let (gradebook, _) = nbgrader_course(dir.path());
    let (a, b) = {
        let a = start().await;
        let b = start_trusting(&a, &[]);
        (a, b)
    };
    enrol(&a).await;
    enrol(&b).await;
    let journal = dir.path().join("journal.sqlite");
    let toml = format!("key_file = {:?}\njournal = {journal:?}\n", a.key_file())
        + &a.platform_toml("platforms", "a")
        + &b.platform_toml("platforms", "b")
        + &course_toml("on-a", "a", &a, &gradebook, "")
        + &course_toml("on-b", "b", &b, &gradebook, "");
    let service = service(&toml, &a);

    for (course, lms) in [("on-a", &a), ("on-b", &b)] {
        let job = sync(&service, course).await.unwrap_or_else(|e| panic!("{course}: {e}"));
        let status = wait_finished(&service, &job).await;
        assert_eq!(status["state"], "finished", "{course}: {status}");
        assert_eq!(accepted_scores(lms).await, 3, "{course}: {status}");
    }
    // Each platform issued one token (and accepts only its own: each signs with its own key).
    for lms in [&a, &b] {
        assert_eq!(lms.control("GET", "/_test/state", None).await["tokens_issued"], 1);
    }
    assert_eq!(service.syncer.tokens.requests.load(std::sync::atomic::Ordering::Relaxed), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_dropped_while_planning_leaves_the_assignment_free() {
    let s = one_platform("").await;
    // The roster answers after 3 s: the request (its client gone) is dropped mid-planning.
    let slow = json!({"method": "GET", "path": "/memberships", "delay_ms": 3000, "times": 1});
    s.lms.control("POST", "/_test/faults", Some(slow)).await;
    let dropped = tokio::time::timeout(Duration::from_millis(500), sync(&s.service, "intro")).await;
    assert!(dropped.is_err(), "the planning was still under way: {dropped:?}");

    let again = sync(&s.service, "intro").await;
    assert!(!is_busy(&again), "the dropped planning still holds the assignment: {again:?}");
    let status = wait_finished(&s.service, &again.unwrap()).await;
    assert_eq!(status["state"], "finished", "{status}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_line_item_without_id_is_an_error_and_frees_the_assignment() {
    let s = one_platform("").await;
    // The LMS answers the line item's creation without its `id`.
    let no_id = json!({"method": "POST", "path": "/42/lineitems\\?", "status": 200,
                       "body": {"label": "ps1", "scoreMaximum": 11.5, "resourceId": "ps1"}});
    s.lms.control("POST", "/_test/faults", Some(no_id)).await;
    // In a task of its own: before the fix this panicked.
    let service = Arc::clone(&s.service);
    let first = tokio::spawn(async move { sync(&service, "intro").await.map_err(|e| e.to_string()) }).await;
    match &first {
        Ok(Err(e)) => assert!(e.contains("came back without an id"), "{e}"),
        other => panic!("expected a clear error, got {other:?}"),
    }
    let again = sync(&s.service, "intro").await;
    assert!(!is_busy(&again), "the failed planning still holds the assignment: {again:?}");
    let status = wait_finished(&s.service, &again.unwrap()).await;
    assert_eq!(status["state"], "finished", "{status}");
    assert_eq!(accepted_scores(&s.lms).await, 3);
}

/// The sync's error, as the API and the CLI show it.
async fn failed(service: &Arc<Service>) -> String {
    match sync(service, "intro").await {
        Ok(job) => panic!("job {job} started; {}", wait_finished(service, &job).await),
        Err(e) => e.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grade_sync_only_tool_uses_the_line_item_the_lms_has() {
    let s = one_platform("create_line_items = false\n").await;
    s.lms.configure(json!({"ags_service": "sync_only"})).await;
    // No line item for ps1 yet: said so, with what to do.
    let none = failed(&s.service).await;
    assert!(none.contains("no line item for \"ps1\"") && none.contains("create the grade item"), "{none}");

    // The instructor makes the grade item in the LMS (as Moodle lists an activity's: a label,
    // no resourceId); made here through the API with column management on for a moment.
    s.lms.configure(json!({"ags_service": "column_management"})).await;
    let client = lablink_grading::lti::http::client(Duration::from_secs(10)).unwrap();
    let tokens = lablink_grading::lti::token::TokenCache::default();
    let platform = s.lms.platform();
    let token = tokens
        .get(&client, &platform, &s.service.syncer.key, &[lablink_grading::lti::token::SCOPE_LINEITEM])
        .await
        .unwrap();
    let origin = lablink_grading::lti::ags::platform_origin(&platform.token_url).unwrap();
    let ags = lablink_grading::lti::ags::Ags {
        client: &client,
        token: &token.bearer,
        retry: Default::default(),
        origin,
    };
    let item = lablink_grading::lti::ags::LineItem {
        id: None,
        score_maximum: 10.0,
        label: "ps1".into(),
        resource_id: None,
        tag: None,
        resource_link_id: Some("7".into()),
    };
    let made = ags.create_line_item(&s.lms.course("lineitems"), &item).await.unwrap();
    s.lms.configure(json!({"ags_service": "sync_only"})).await;

    let job = sync(&s.service, "intro").await.unwrap();
    let status = wait_finished(&s.service, &job).await;
    assert_eq!(status["state"], "finished", "{status}");
    assert_eq!(accepted_scores(&s.lms).await, 3);
    let current = s.lms.control("GET", "/_test/scores", None).await["current"].clone();
    let alice = current.as_array().unwrap().iter().find(|c| c["userId"] == "lms-alice").unwrap().clone();
    assert_eq!(
        made.id.unwrap(),
        s.lms.control("GET", "/_test/state", None).await["courses"]["42"]["lineitems"][3]["id"]
    );
    assert!((alice["resultScore"].as_f64().unwrap() - 11.0 * 10.0 / 11.5).abs() < 1e-9, "{alice}");
    // Its token (the first one asked for) asked for reading line items, not managing them.
    let requests = s.lms.control("GET", "/_test/requests", None).await;
    let asked: Vec<&str> = requests
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["target"].as_str().unwrap().contains("token.php"))
        .map(|r| r["body"].as_str().unwrap())
        .collect();
    assert!(asked[0].contains("lineitem.readonly") && !asked[0].contains("lineitem+"), "{}", asked[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scopes_the_lms_did_not_grant_name_the_service_to_enable() {
    let s = one_platform("").await;
    s.lms.configure(json!({"nrps_service": false})).await;
    let why = failed(&s.service).await;
    assert!(why.contains("contextmembership.readonly") && why.contains("names and roles service"), "{why}");

    let s = one_platform("").await;
    s.lms.configure(json!({"ags_service": "off"})).await;
    let why = failed(&s.service).await;
    assert!(why.contains("enable the grade service"), "{why}");

    // Grade sync only, and the course may create line items: it can sync into existing ones,
    // and says what to do when there is none.
    let s = one_platform("").await;
    s.lms.configure(json!({"ags_service": "sync_only"})).await;
    let why = failed(&s.service).await;
    assert!(why.contains("read line items only") && why.contains("create the grade item"), "{why}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_html_error_page_from_the_lms_becomes_its_message() {
    let s = one_platform("").await;
    let page = json!({"method": "GET", "path": "/42/lineitems\\?", "status": 403, "times": null,
                      "moodle_error": "The URL is blocked by the cURL security settings."});
    s.lms.control("POST", "/_test/faults", Some(page)).await;
    let why = failed(&s.service).await;
    assert_eq!(why, "the LMS answered 403: The URL is blocked by the cURL security settings.");

    let s = one_platform("").await;
    let page = json!({"method": "POST", "path": "token.php", "status": 400, "times": null,
                      "moodle_error": "Invalid client: the tool's public keyset could not be fetched"});
    s.lms.control("POST", "/_test/faults", Some(page)).await;
    let why = failed(&s.service).await;
    assert_eq!(
        why,
        "the LMS refused the token request (400): Invalid client: the tool's public keyset could not be fetched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relative_next_links_are_followed() {
    let s = one_platform("").await;
    s.lms.configure(json!({"link_style": "relative", "page_size": 1})).await;
    let job = sync(&s.service, "intro").await.unwrap();
    let status = wait_finished(&s.service, &job).await;
    assert_eq!(status["state"], "finished", "{status}");
    assert_eq!(accepted_scores(&s.lms).await, 3, "every page of the roster was read");
    let requests = s.lms.control("GET", "/_test/requests", None).await;
    let pages = requests
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["target"].as_str().unwrap().contains("page=3"))
        .count();
    assert!(pages >= 2, "the second and third pages were asked for");
}

/// A listener on another port of this host (another origin), counting connections.
async fn elsewhere() -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Arc::clone(&hits);
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            drop(conn);
        }
    });
    (url, hits)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_never_goes_to_another_origin() {
    let s = one_platform("").await;
    let (other, hits) = elsewhere().await;
    // A Link header pointing elsewhere.
    let link = json!({"method": "GET", "path": "/42/lineitems\\?", "status": 200, "body": [],
                      "headers": {"Link": format!("<{other}/steal>; rel=\"next\"")}});
    s.lms.control("POST", "/_test/faults", Some(link)).await;
    let why = failed(&s.service).await;
    assert!(why.contains(&format!("refused to send the LMS's token to {other}/steal")), "{why}");

    // A line item whose id is elsewhere.
    let item = json!({"method": "GET", "path": "/42/lineitems\\?", "status": 200,
                      "body": [{"id": format!("{other}/li"), "label": "ps1", "resourceId": "ps1", "scoreMaximum": 10}]});
    s.lms.control("POST", "/_test/faults", Some(item)).await;
    let why = failed(&s.service).await;
    assert!(why.contains(&format!("refused to send the LMS's token to {other}/li")), "{why}");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0, "nothing was sent there");
}
