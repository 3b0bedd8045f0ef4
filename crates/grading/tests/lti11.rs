//! The LTI 1.1 Basic Outcomes client against the test LMS (`tests/grading/lti_platform.py`),
//! whose outcomes endpoint checks our OAuth 1.0a signature with oauthlib, checks the body hash,
//! refuses replayed nonces and stale timestamps, and reads the POX with xml.etree.

use std::time::Duration;

use lablink_grading::lti::http::{self, RetryPolicy};
use lablink_grading::lti::lti11::{self, Lti11Error, Outcomes};
use lablink_testkit::lms::{Lms, start};
use reqwest::Url;
use serde_json::{Value, json};

/// The test LMS's default consumer secret (it does not print it).
const SECRET: &str = "lablink-secret";
/// Moodle's sourcedids are JSON: quotes, braces; this one adds what XML must escape.
const HOSTILE: &str = r#"{"data":{"instanceid":"1","userid":"3"},"hash":"<a&b>'"}"#;

fn fast() -> RetryPolicy {
    RetryPolicy { attempts: 3, base_delay: Duration::from_millis(20), max_delay: Duration::from_millis(200) }
}

fn client() -> reqwest::Client {
    http::client(Duration::from_secs(20)).unwrap()
}

fn url(lms: &Lms) -> String {
    lms.info["lti11_outcomes_url"].as_str().unwrap().to_owned()
}

fn key(lms: &Lms) -> String {
    lms.info["lti11_consumer_key"].as_str().unwrap().to_owned()
}

async fn declare(lms: &Lms, sourcedids: &[&str]) {
    lms.control("POST", "/_test/lti11/sourcedids", Some(json!(sourcedids))).await;
}

async fn results(lms: &Lms) -> Value {
    lms.control("GET", "/_test/lti11/results", None).await
}

/// Requests the test LMS received at the outcomes path, faulted ones included.
async fn outcome_requests(lms: &Lms) -> usize {
    let path = Url::parse(&url(lms)).unwrap().path().to_owned();
    let log = lms.control("GET", "/_test/requests", None).await;
    log.as_array().unwrap().iter().filter(|r| r["target"].as_str().unwrap().starts_with(&path)).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replace_result_lands_and_read_result_reads_it_back() {
    let lms = start().await;
    let (client, key, url) = (client(), key(&lms), url(&lms));
    assert!(url.contains("?type_id=7"), "the query must be signed too for this test to mean it: {url}");
    declare(&lms, &["sid-alice", HOSTILE]).await;
    let outcomes = Outcomes { client: &client, consumer_key: &key, secret: SECRET, retry: fast() };

    assert_eq!(outcomes.read_result(&url, "sid-alice").await.unwrap(), None, "no grade yet");
    outcomes.replace_result(&url, "sid-alice", 0.875).await.unwrap();
    assert_eq!(outcomes.read_result(&url, "sid-alice").await.unwrap(), Some(0.875));
    outcomes.replace_result(&url, "sid-alice", 1.0).await.unwrap();
    assert_eq!(outcomes.read_result(&url, "sid-alice").await.unwrap(), Some(1.0), "replaced");

    // A sourcedid full of XML's special characters reaches the LMS unchanged.
    outcomes.replace_result(&url, HOSTILE, 0.0).await.unwrap();
    assert_eq!(outcomes.read_result(&url, HOSTILE).await.unwrap(), Some(0.0));

    let state = results(&lms).await;
    assert_eq!(state["results"], json!({"sid-alice": "1.0", HOSTILE: "0.0"}));
    let log = state["log"].as_array().unwrap();
    assert_eq!(log.len(), 7, "four reads, three replaces");
    assert!(log.iter().all(|e| e["code_major"] == "success" && e["consumer_key"] == key.as_str()), "{log:?}");
    let ids: std::collections::HashSet<_> = log.iter().map(|e| e["message_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 7, "every message has its own imsx_messageIdentifier");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_or_key_is_refused_with_the_lms_reason() {
    let lms = start().await;
    let (client, key, url) = (client(), key(&lms), url(&lms));
    declare(&lms, &["sid-alice"]).await;

    let wrong_secret = Outcomes { client: &client, consumer_key: &key, secret: "not-it", retry: fast() };
    let err = wrong_secret.replace_result(&url, "sid-alice", 0.5).await.unwrap_err();
    let Lti11Error::Refused { status: 401, description, .. } = &err else { panic!("{err:?}") };
    assert!(description.contains("signature does not match"), "{description}");
    assert!(err.to_string().contains("Check the LTI 1.1 consumer key and secret"), "{err}");

    let wrong_key = Outcomes { client: &client, consumer_key: "someone-else", secret: SECRET, retry: fast() };
    let err = wrong_key.read_result(&url, "sid-alice").await.unwrap_err();
    assert!(
        matches!(&err, Lti11Error::Refused { status: 401, description, .. } if description.contains("unknown oauth_consumer_key")),
        "{err:?}"
    );
    assert_eq!(results(&lms).await["results"], json!({}), "nothing stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_sourcedid_is_refused_with_the_lms_reason() {
    let lms = start().await;
    let (client, key, url) = (client(), key(&lms), url(&lms));
    let outcomes = Outcomes { client: &client, consumer_key: &key, secret: SECRET, retry: fast() };

    let err = outcomes.replace_result(&url, "sid-nobody", 0.5).await.unwrap_err();
    match &err {
        Lti11Error::Refused { status: 200, code_major: Some(code), description } => {
            assert_eq!(code, "failure");
            assert!(description.contains("'sid-nobody' is not a gradable result"), "{description}");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().starts_with("the LMS refused the grade request (failure, HTTP 200): sourcedid"),
        "{err}"
    );
    assert!(matches!(outcomes.read_result(&url, "sid-nobody").await, Err(Lti11Error::Refused { .. })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_lms_is_retried_and_the_grade_lands_once() {
    let lms = start().await;
    let (client, key, url) = (client(), key(&lms), url(&lms));
    declare(&lms, &["sid-bob"]).await;
    let outcomes = Outcomes { client: &client, consumer_key: &key, secret: SECRET, retry: fast() };

    // A 500 first: the retry is signed anew (a reused nonce would be refused as a replay).
    lms.control(
        "POST",
        "/_test/faults",
        Some(json!({"method": "POST", "path": "service\\.php", "status": 500})),
    )
    .await;
    outcomes.replace_result(&url, "sid-bob", 0.5).await.unwrap();
    assert_eq!(outcome_requests(&lms).await, 2, "the failed try and the retry");
    let state = results(&lms).await;
    assert_eq!(state["results"], json!({"sid-bob": "0.5"}));
    assert_eq!(state["log"].as_array().unwrap().len(), 1, "it reached the outcomes service exactly once");

    // An LMS that keeps failing: reported after the policy's tries, as unavailable.
    lms.control(
        "POST",
        "/_test/faults",
        Some(json!({"method": "POST", "path": "service\\.php", "status": 503, "times": null})),
    )
    .await;
    let err = outcomes.replace_result(&url, "sid-bob", 0.75).await.unwrap_err();
    assert!(matches!(&err, Lti11Error::Unavailable { detail, .. } if detail.contains("503")), "{err:?}");
    assert_eq!(outcome_requests(&lms).await, 2 + 3);
    assert_eq!(results(&lms).await["results"], json!({"sid-bob": "0.5"}), "unchanged");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_range_scores_are_refused_without_any_request() {
    let lms = start().await;
    let (client, key, url) = (client(), key(&lms), url(&lms));
    declare(&lms, &["sid-alice"]).await;
    let outcomes = Outcomes { client: &client, consumer_key: &key, secret: SECRET, retry: fast() };

    for score in [1.5, -0.1, f64::NAN, f64::INFINITY] {
        let err = outcomes.replace_result(&url, "sid-alice", score).await.unwrap_err();
        assert!(matches!(err, Lti11Error::InvalidScore { .. }), "{score}: {err:?}");
    }
    let err = outcomes.replace_result(&url, "sid-alice", 1.5).await.unwrap_err();
    assert!(err.to_string().starts_with("the score 1.5 was not sent"), "{err}");
    assert_eq!(outcome_requests(&lms).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_lms_that_is_down_is_a_clear_transport_error() {
    // A port nothing listens on any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}/mod/lti/service.php");
    let client = client();
    let outcomes = Outcomes { client: &client, consumer_key: "lablink-key", secret: SECRET, retry: fast() };
    let err = outcomes.replace_result(&url, "sid-alice", 0.5).await.unwrap_err();
    assert!(matches!(&err, Lti11Error::Unavailable { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.starts_with(&format!("the LMS at {url} could not be reached")), "{message}");
    assert!(message.contains("onnect"), "says the connection failed: {message}");
}

/// The LMS side is only worth testing against if it really checks: hand-made requests with a
/// replayed nonce, a stale timestamp or an altered body are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_lms_refuses_replays_stale_timestamps_and_altered_bodies() {
    let lms = start().await;
    let (client, key, url) = (client(), key(&lms), url(&lms));
    declare(&lms, &["sid-alice"]).await;
    let body = "<?xml version=\"1.0\"?><imsx_POXEnvelopeRequest><imsx_POXBody><readResultRequest><resultRecord>\
                <sourcedGUID><sourcedId>sid-alice</sourcedId></sourcedGUID></resultRecord></readResultRequest>\
                </imsx_POXBody></imsx_POXEnvelopeRequest>";
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let post = |nonce: &str, timestamp: u64, sent: &str| {
        let header = lti11::authorization(
            "POST",
            &Url::parse(&url).unwrap(),
            &lti11::body_hash(body.as_bytes()),
            &key,
            SECRET,
            nonce,
            timestamp,
        );
        client
            .post(&url)
            .header("Content-Type", "application/xml")
            .header("Authorization", header)
            .body(sent.to_owned())
            .send()
    };
    let text = |r: reqwest::Response| async move { (r.status().as_u16(), r.text().await.unwrap()) };

    let (status, answer) = text(post("nonce1", now, body).await.unwrap()).await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer.contains("<imsx_codeMajor>success</imsx_codeMajor>"), "{answer}");
    let (status, answer) = text(post("nonce1", now, body).await.unwrap()).await;
    assert!(status == 401 && answer.contains("replayed"), "{status} {answer}");
    let (status, answer) = text(post("nonce2", now - 3600, body).await.unwrap()).await;
    assert!(status == 401 && answer.contains("oauth_timestamp"), "{status} {answer}");
    let altered = body.replace("sid-alice", "sid-alic3");
    let (status, answer) = text(post("nonce3", now, &altered).await.unwrap()).await;
    assert!(status == 401 && answer.contains("oauth_body_hash does not match"), "{status} {answer}");
}
