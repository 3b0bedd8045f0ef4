//! The LMS client against the test platform `tests/grading/lti_platform.py` (built on the
//! `lti1p3platform` library from PyPI, with Moodle's URL shapes, typographic `Link` quotes
//! and whole-second 409 rule). Its token endpoint verifies our client assertion against the
//! `/jwks` our own router serves, over HTTP.

use std::sync::atomic::Ordering;

use lablink_grading::lti::ags::{self, Ags, AgsError, LineItem, Score};
use lablink_grading::lti::clock::{self, ScoreClock};
use lablink_grading::lti::http::{self, RetryPolicy};
use lablink_grading::lti::token::{self, TokenCache};
use lablink_testkit::lms::start;
use serde_json::json;

const ALL_SCOPES: [&str; 4] =
    [token::SCOPE_LINEITEM, token::SCOPE_RESULT_READONLY, token::SCOPE_SCORE, token::SCOPE_NRPS];

fn score(user: &str, given: f64, max: f64, timestamp: String) -> Score {
    Score {
        user_id: user.into(),
        score_given: Some(given),
        score_maximum: Some(max),
        comment: None,
        timestamp,
        activity_progress: "Completed".into(),
        grading_progress: "FullyGraded".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_line_items_scores_results_and_roster_against_a_real_platform() {
    let lms = start().await;
    let client = http::client(std::time::Duration::from_secs(20)).unwrap();
    let tokens = TokenCache::default();
    let platform = lms.platform();

    // The platform verified our RS256 assertion against our /jwks; a second ask is cached.
    let token = tokens.get(&client, &platform, &lms.key.key, &ALL_SCOPES).await.unwrap();
    assert_eq!(tokens.get(&client, &platform, &lms.key.key, &ALL_SCOPES).await.unwrap(), token);
    assert_eq!(tokens.requests.load(Ordering::Relaxed), 1);
    assert_eq!(lms.control("GET", "/_test/state", None).await["tokens_issued"], 1);

    let origin = ags::platform_origin(&platform.token_url).unwrap();
    let ags = Ags { client: &client, token: &token.bearer, retry: RetryPolicy::default(), origin };
    // Two per page with Moodle's typographic quotes in `Link`: all pages are followed.
    let state = lms.control("GET", "/_test/state", None).await;
    let on_platform = state["courses"]["42"]["lineitems"].as_array().unwrap().len();
    let items = ags.line_items(&lms.course("lineitems")).await.unwrap();
    assert!(on_platform > 2, "the platform must page for this test to mean something");
    assert_eq!(items.len(), on_platform);
    assert!(items.iter().all(|i| i.id.as_deref().is_some_and(|id| id.contains("type_id=7"))));

    let created = ags
        .create_line_item(
            &lms.course("lineitems"),
            &LineItem {
                id: None,
                score_maximum: 11.5,
                label: "ps1".into(),
                resource_id: Some("ps1".into()),
                tag: Some("nbgrader".into()),
                resource_link_id: None,
            },
        )
        .await
        .unwrap();
    let lineitem = created.id.clone().unwrap();
    assert_eq!(ags.line_items(&lms.course("lineitems")).await.unwrap().len(), on_platform + 1);

    let clock = ScoreClock::new();
    ags.post_score(&lineitem, &score("u-alice", 9.5, 11.5, clock::format(clock.next()))).await.unwrap();
    let results = ags.results(&lineitem).await.unwrap();
    let alice = results.iter().find(|r| r.user_id == "u-alice").unwrap();
    assert_eq!(alice.result_score, Some(9.5));

    // Moodle compares whole seconds: a second score within the same second is refused (409).
    let again = ags.post_score(&lineitem, &score("u-alice", 10.0, 11.5, clock::format(clock.next()))).await;
    assert!(matches!(again, Err(AgsError::Status { status: 409, .. })), "{again:?}");
    // An unenrolled user is refused with the LMS's reason.
    let stranger =
        ags.post_score(&lineitem, &score("u-nobody", 1.0, 11.5, clock::format(clock.next()))).await;
    assert!(
        matches!(&stranger, Err(AgsError::Status { status: 400, body }) if body.contains("not gradable")),
        "{stranger:?}"
    );

    let members = ags.members(&lms.course("context_memberships_url")).await.unwrap();
    let learners: Vec<_> =
        members.iter().filter(|m| m.is_active_learner()).map(|m| m.user_id.as_str()).collect();
    assert_eq!(members.len(), 4, "all pages of the roster");
    assert_eq!(learners, ["u-alice", "u-bob"], "not the instructor, not the inactive student");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_and_failing_platforms_are_retried_then_reported() {
    let lms = start().await;
    let client = http::client(std::time::Duration::from_secs(20)).unwrap();
    let tokens = TokenCache::default();
    let platform = lms.platform();
    // The token endpoint fails once: the request is retried.
    lms.control(
        "POST",
        "/_test/faults",
        Some(json!({"method": "POST", "path": "token", "status": 500, "times": 1})),
    )
    .await;
    let token = tokens.get(&client, &platform, &lms.key.key, &ALL_SCOPES).await.unwrap();

    let fast = RetryPolicy {
        attempts: 4,
        base_delay: std::time::Duration::from_millis(20),
        ..RetryPolicy::default()
    };
    let origin = ags::platform_origin(&platform.token_url).unwrap();
    let ags = Ags { client: &client, token: &token.bearer, retry: fast, origin };
    let lineitem = ags.line_items(&lms.course("lineitems")).await.unwrap()[0].id.clone().unwrap();
    lms.control(
        "POST",
        "/_test/faults",
        Some(json!({"method": "POST", "path": "/scores", "status": 429, "times": 2})),
    )
    .await;
    let clock = ScoreClock::new();
    ags.post_score(&lineitem, &score("u-bob", 3.0, 10.0, clock::format(clock.next()))).await.unwrap();
    let log = lms.control("GET", "/_test/scores", None).await;
    let landed: Vec<_> =
        log["log"].as_array().unwrap().iter().filter(|e| e["body"]["userId"] == "u-bob").collect();
    assert_eq!(landed.len(), 1, "429s are answered before the score is recorded: it lands once");

    // Failing for longer than the policy allows: the caller gets the status, not a hang.
    lms.control(
        "POST",
        "/_test/faults",
        Some(json!({"method": "POST", "path": "/scores", "status": 503, "times": null})),
    )
    .await;
    let later = clock::format(
        clock.next_after(clock::parse_micros(&clock::format(clock.next())).unwrap() + 2_000_000),
    );
    let failed = ags.post_score(&lineitem, &score("u-bob", 4.0, 10.0, later)).await;
    assert!(matches!(failed, Err(AgsError::Status { status: 503, .. })), "{failed:?}");

    // The platform gone entirely: reported as unreachable.
    let url = lms.course("lineitems");
    drop(lms);
    let gone = ags.line_items(&url).await;
    assert!(matches!(gone, Err(AgsError::Unreachable(_))), "{gone:?}");
}
