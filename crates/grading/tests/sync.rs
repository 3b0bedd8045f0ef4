//! Syncs of a real nbgrader gradebook to the test LMS (`tests/grading/lti_platform.py`): the
//! right scores for the right users, nothing sent twice, and a sync interrupted after a score
//! left resumes without recording it again.

use std::collections::BTreeMap;
use std::sync::Arc;

use lablink_grading::config::RosterMatch;
use lablink_grading::gradebook::StudentScore;
use lablink_grading::journal::{Outcome, SharedJournal};
use lablink_grading::lti::ags::{self, Ags, Score};
use lablink_grading::lti::clock::{self, ScoreClock};
use lablink_grading::lti::http::{self, RetryPolicy};
use lablink_grading::lti::token::TokenCache;
use lablink_grading::sync::{AgsTarget, OutcomesTarget, Plan, Scores, Syncer, Target};
use lablink_testkit::lms::{Lms, start};
use lablink_testkit::python::nbgrader_course;
use serde_json::{Value, json};

const LEARNER: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner";

struct Setup {
    lms: Lms,
    syncer: Syncer,
    target: Target,
    gradebook: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

/// The nbgrader course, and an LMS course whose learners are alice, bob and dave (eve is not
/// enrolled; carol has no LMS id in nbgrader).
async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let (gradebook, _) = nbgrader_course(dir.path());
    let lms = start().await;
    let members: Vec<Value> = ["lms-alice", "lms-bob", "lms-dave"]
        .iter()
        .map(|id| json!({"user_id": id, "roles": [LEARNER], "name": id}))
        .chain([json!({"user_id": "lms-teacher", "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]})])
        .collect();
    lms.control("POST", "/_test/members", Some(json!({"ctx": "42", "members": members}))).await;
    let syncer = Syncer {
        client: http::client(std::time::Duration::from_secs(20)).unwrap(),
        tokens: TokenCache::default(),
        key: lms.key.key.clone(),
        clock: ScoreClock::new(),
        journal: Arc::new(SharedJournal::open(&dir.path().join("journal.sqlite")).unwrap()),
        concurrency: 4,
        retry: RetryPolicy { base_delay: std::time::Duration::from_millis(20), ..RetryPolicy::default() },
        progress: tokio::sync::watch::channel(0).0,
    };
    let target = Target::Ags(AgsTarget {
        platform: lms.platform(),
        lineitems_url: lms.course("lineitems"),
        memberships_url: lms.course("context_memberships_url"),
        create_line_items: true,
        match_by: RosterMatch::LmsUserId,
        launch_ids: Default::default(),
    });
    Setup { lms, syncer, target, gradebook, _dir: dir }
}

async fn plan(s: &Setup) -> String {
    plan_to(s, &s.target).await
}

async fn plan_to(s: &Setup, target: &Target) -> String {
    let plan = Plan {
        course: "intro-python",
        gradebook: &s.gradebook,
        assignment: "ps1",
        only: None,
        overwrite: &[],
        started_by: "teacher",
    };
    s.syncer.plan(plan, target).await.unwrap()
}

fn what<'a>(
    assignment: &'a str,
    max: f64,
    scores: &'a [StudentScore],
    overwrite: &'a [String],
) -> Scores<'a> {
    Scores { course: "intro-python", assignment, max_score: max, scores, overwrite }
}

fn outcomes(s: &Setup, job: &str) -> BTreeMap<String, Outcome> {
    let rows = s.syncer.journal.read(|j| j.students(job)).unwrap();
    rows.into_iter().map(|r| (r.student_id, r.outcome)).collect()
}

/// Accepted score POSTs per LMS user.
async fn accepted(lms: &Lms) -> BTreeMap<String, usize> {
    let log = lms.control("GET", "/_test/scores", None).await;
    let mut n = BTreeMap::new();
    for entry in log["log"].as_array().unwrap() {
        if matches!(entry["outcome"].as_u64(), Some(200 | 201)) {
            *n.entry(entry["body"]["userId"].as_str().unwrap().to_owned()).or_default() += 1;
        }
    }
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_lands_the_right_scores_and_a_second_sends_nothing() {
    let s = setup().await;
    // A preview asks the LMS but changes nothing there: no line item is created.
    let (max, scores) = Syncer::read_gradebook(&s.gradebook, "ps1", None).await.unwrap();
    let preview = s.syncer.assess(&s.target, what("ps1", max, &scores, &[]), false).await.unwrap();
    assert!(preview.line_item.is_none());
    let planned: BTreeMap<_, _> = preview.rows.iter().map(|r| (r.student_id.as_str(), r.outcome)).collect();
    assert_eq!(planned["alice"], Outcome::Pending);
    assert_eq!(planned["carol"], Outcome::NoLmsId);
    assert_eq!(planned["eve.o'neil"], Outcome::NotEnrolled);
    let state = s.lms.control("GET", "/_test/state", None).await;
    assert!(!state.to_string().contains("\"resourceId\":\"ps1\""), "the preview created nothing: {state}");
    let job = plan(&s).await;
    s.syncer.run(&job, &s.target).await.unwrap();
    let got = outcomes(&s, &job);
    assert_eq!(got["alice"], Outcome::Sent);
    assert_eq!(got["bob"], Outcome::Sent);
    assert_eq!(got["dave"], Outcome::Sent, "a missing submission is a 0, sent");
    assert_eq!(got["carol"], Outcome::NoLmsId);
    assert_eq!(got["eve.o'neil"], Outcome::NotEnrolled);

    let current = s.lms.control("GET", "/_test/scores", None).await["current"].clone();
    let held = |user: &str| {
        current.as_array().unwrap().iter().find(|c| c["userId"] == user).map(|c| c["resultScore"].clone())
    };
    assert_eq!(held("lms-alice"), Some(json!(11.0)), "on the line item's scale (created with max 11.5)");
    assert_eq!(held("lms-dave"), Some(json!(0.0)));
    assert_eq!(held("lms-bob"), Some(Value::Null), "bob has an ungraded cell: PendingManual, no grade yet");
    assert_eq!(
        accepted(&s.lms).await,
        BTreeMap::from([("lms-alice".into(), 1), ("lms-bob".into(), 1), ("lms-dave".into(), 1)])
    );

    // Nothing changed in nbgrader: the second sync posts nothing.
    let again = plan(&s).await;
    s.syncer.run(&again, &s.target).await.unwrap();
    let got = outcomes(&s, &again);
    assert_eq!(
        (got["alice"], got["bob"], got["dave"]),
        (Outcome::Unchanged, Outcome::Unchanged, Outcome::Unchanged)
    );
    assert_eq!(accepted(&s.lms).await.values().sum::<usize>(), 3, "no score sent twice");
    assert_eq!(
        s.syncer.tokens.requests.load(std::sync::atomic::Ordering::Relaxed),
        1,
        "one token for both syncs"
    );
    // The preview now reads back what landed, on nbgrader's scale.
    let after = s.syncer.assess(&s.target, what("ps1", max, &scores, &[]), false).await.unwrap();
    let alice = after.rows.iter().find(|r| r.student_id == "alice").unwrap();
    let expected = scores.iter().find(|s| s.student.id == "alice").unwrap().score;
    assert!((alice.lms_score.unwrap() - expected).abs() < 1e-9, "{alice:?}");
    assert_eq!(alice.outcome, Outcome::Unchanged);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_the_lms_stops_ends_failed_with_the_reason() {
    let s = setup().await;
    let job = plan(&s).await;
    // The LMS now refuses every score with a server error, after the retries.
    s.lms
        .control(
            "POST",
            "/_test/faults",
            Some(json!([{"method": "POST", "path": "/scores", "status": 503, "times": null}])),
        )
        .await;
    s.syncer.run(&job, &s.target).await.unwrap();
    let rows = s.syncer.journal.read(|j| j.students(&job)).unwrap();
    for r in rows.iter().filter(|r| !matches!(r.outcome, Outcome::NoLmsId | Outcome::NotEnrolled)) {
        assert_eq!(r.outcome, Outcome::Failed, "{r:?}");
        assert!(r.detail.as_deref().unwrap_or_default().contains("503"), "{r:?}");
    }
    assert!(accepted(&s.lms).await.is_empty());
    assert!(s.syncer.journal.read(|j| j.unfinished()).unwrap().is_empty(), "the job ended");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_sync_resumes_without_sending_a_score_twice() {
    let s = setup().await;
    let job = plan(&s).await;
    let lineitem = s.syncer.journal.read(|j| j.job(&job)).unwrap().unwrap().lineitem.unwrap();
    // The service marked alice `sending`, her score reached the LMS, and then it was killed.
    let timestamp = clock::format(ScoreClock::new().next());
    let (j1, t1) = (job.clone(), timestamp.clone());
    s.syncer.journal.write(move |j| j.sending(&j1, "alice", &t1)).await.unwrap();
    let token = s
        .syncer
        .tokens
        .get(&s.syncer.client, &s.lms.platform(), &s.syncer.key, &[lablink_grading::lti::token::SCOPE_SCORE])
        .await
        .unwrap();
    let origin = ags::platform_origin(&s.lms.platform().token_url).unwrap();
    let ags = Ags { client: &s.syncer.client, token: &token.bearer, retry: RetryPolicy::default(), origin };
    let landed = Score {
        user_id: "lms-alice".into(),
        score_given: Some(11.0),
        score_maximum: Some(11.5),
        comment: None,
        timestamp: timestamp.clone(),
        activity_progress: "Completed".into(),
        grading_progress: "FullyGraded".into(),
    };
    ags.post_score(&lineitem, &landed).await.unwrap();

    // A restarted service finds the job unfinished and runs it.
    assert_eq!(s.syncer.journal.read(|j| j.unfinished()).unwrap(), std::slice::from_ref(&job));
    s.syncer.run(&job, &s.target).await.unwrap();
    let got = outcomes(&s, &job);
    assert_eq!(got["alice"], Outcome::Sent);
    assert_eq!((got["bob"], got["dave"]), (Outcome::Sent, Outcome::Sent));
    let accepted = accepted(&s.lms).await;
    assert_eq!(accepted["lms-alice"], 1, "the resumed row was recognised, not recorded again");
    assert_eq!((accepted["lms-bob"], accepted["lms-dave"]), (1, 1));
    assert!(s.syncer.journal.read(|j| j.unfinished()).unwrap().is_empty());
}

/// The test LMS's LTI 1.1 outcomes, where alice, bob and dave have results for ps1 (they
/// launched it); eve never did.
async fn lti11_target(s: &Setup) -> Target {
    let sourcedids = json!(["ps1:lms-alice", "ps1:lms-bob", "ps1:lms-dave"]);
    s.lms.control("POST", "/_test/lti11/sourcedids", Some(sourcedids)).await;
    Target::Outcomes(OutcomesTarget {
        url: s.lms.info["lti11_outcomes_url"].as_str().unwrap().to_owned(),
        consumer_key: "lablink-key".into(),
        secret: "lablink-secret".into(),
        sourcedid: "{assignment}:{lms_user_id}".into(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_lti11_course_syncs_through_basic_outcomes_once() {
    let s = setup().await;
    let target = lti11_target(&s).await;
    let job = plan_to(&s, &target).await;
    s.syncer.run(&job, &target).await.unwrap();
    let got = outcomes(&s, &job);
    assert_eq!((got["alice"], got["dave"]), (Outcome::Sent, Outcome::Sent));
    assert_eq!(got["bob"], Outcome::Held, "an ungraded cell: LTI 1.1 cannot hold it pending");
    assert_eq!(got["carol"], Outcome::NoLmsId);
    assert_eq!(got["eve.o'neil"], Outcome::NotEnrolled, "the LMS knows no result for her");

    let (max, scores) = Syncer::read_gradebook(&s.gradebook, "ps1", None).await.unwrap();
    let alice = scores.iter().find(|x| x.student.id == "alice").unwrap().score;
    let lms = s.lms.control("GET", "/_test/lti11/results", None).await;
    let stored: f64 = lms["results"]["ps1:lms-alice"].as_str().unwrap().parse().unwrap();
    assert!((stored - alice / max).abs() < 1e-9, "{lms}");
    assert_eq!(lms["results"]["ps1:lms-dave"], "0.0");
    assert!(lms["results"].get("ps1:lms-bob").is_none(), "{lms}");
    let replaces = |lms: &Value| {
        lms["log"].as_array().unwrap().iter().filter(|e| e.to_string().contains("replaceResult")).count()
    };
    assert_eq!(replaces(&lms), 2);

    // A second sync reads, finds both unchanged, and replaces nothing.
    let again = plan_to(&s, &target).await;
    s.syncer.run(&again, &target).await.unwrap();
    let got = outcomes(&s, &again);
    assert_eq!((got["alice"], got["dave"]), (Outcome::Unchanged, Outcome::Unchanged));
    assert_eq!(replaces(&s.lms.control("GET", "/_test/lti11/results", None).await), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roster_rule_matches_students_nbgrader_has_no_lms_id_for() {
    let s = setup().await;
    // carol has no LMS id in nbgrader; the LMS knows her ID number (lis_person_sourcedid).
    let members = json!([
        {"user_id": "lms-alice", "roles": [LEARNER]},
        {"user_id": "lms-carol", "roles": [LEARNER], "lis_person_sourcedid": "carol"},
    ]);
    s.lms.control("POST", "/_test/members", Some(json!({"ctx": "42", "members": members}))).await;
    let Target::Ags(ags) = &s.target else { unreachable!() };
    let by_rule = Target::Ags(AgsTarget { match_by: RosterMatch::Sourcedid, ..ags.clone() });
    let job = plan_to(&s, &by_rule).await;
    s.syncer.run(&job, &by_rule).await.unwrap();
    let rows = s.syncer.journal.read(|j| j.students(&job)).unwrap();
    let carol = rows.iter().find(|r| r.student_id == "carol").unwrap();
    assert_eq!((carol.outcome, carol.lms_user_id.as_deref()), (Outcome::Sent, Some("lms-carol")));
    assert_eq!(accepted(&s.lms).await.get("lms-carol"), Some(&1));

    // Without the rule she stays `no_lms_id`.
    let job = plan_to(&s, &s.target).await;
    assert_eq!(outcomes(&s, &job)["carol"], Outcome::NoLmsId);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_409_is_answered_by_one_resend_a_second_later() {
    let s = setup().await;
    let job = plan(&s).await;
    // The LMS says it holds a newer score for the first POST (as Moodle does within a second).
    s.lms
        .control("POST", "/_test/faults", Some(json!([{"method": "POST", "path": "/scores", "status": 409}])))
        .await;
    s.syncer.run(&job, &s.target).await.unwrap();
    let got = outcomes(&s, &job);
    assert_eq!((got["alice"], got["bob"], got["dave"]), (Outcome::Sent, Outcome::Sent, Outcome::Sent));
    assert_eq!(accepted(&s.lms).await.values().sum::<usize>(), 3, "each landed once");
    // The refused user's second POST carries a timestamp at least a second after the first.
    let log = s.lms.control("GET", "/_test/requests", None).await;
    let mut posts: BTreeMap<String, Vec<i128>> = BTreeMap::new();
    for r in log.as_array().unwrap().iter().filter(|r| r["method"] == "POST") {
        if r["target"].as_str().unwrap().contains("/scores") {
            let body: Value = serde_json::from_str(r["body"].as_str().unwrap()).unwrap();
            let stamp = clock::parse_micros(body["timestamp"].as_str().unwrap()).unwrap();
            posts.entry(body["userId"].as_str().unwrap().to_owned()).or_default().push(stamp);
        }
    }
    let twice: Vec<_> = posts.values().filter(|v| v.len() == 2).collect();
    assert_eq!((posts.len(), twice.len()), (3, 1), "{posts:?}");
    assert!(twice[0][1] - twice[0][0] >= 1_000_000, "{posts:?}");
}

/// Runs a job planned with these students (all when `None`) and overwrites; its rows.
async fn sync_with(
    s: &Setup,
    only: Option<&[String]>,
    overwrite: &[String],
) -> BTreeMap<String, lablink_grading::journal::StudentRow> {
    let plan = Plan {
        course: "intro-python",
        gradebook: &s.gradebook,
        assignment: "ps1",
        only,
        overwrite,
        started_by: "teacher",
    };
    let job = s.syncer.plan(plan, &s.target).await.unwrap();
    s.syncer.run(&job, &s.target).await.unwrap();
    let rows = s.syncer.journal.read(|j| j.students(&job)).unwrap();
    rows.into_iter().map(|r| (r.student_id.clone(), r)).collect()
}

/// The instructor regrades a cell in nbgrader (through nbgrader's own API).
fn regrade(gradebook: &std::path::Path, cell: &str, notebook: &str, student: &str, manual: f64) {
    let script = format!(
        "from nbgrader.api import Gradebook\n\
         with Gradebook('sqlite:///{db}', course_id='intro-python') as gb:\n    \
         g = gb.find_grade({cell:?}, {notebook:?}, 'ps1', {student:?})\n    \
         g.manual_score = {manual}\n    g.needs_manual_grade = False\n    gb.db.commit()\n",
        db = gradebook.display(),
    );
    lablink_testkit::python::python(&["-c", &script]);
}

fn owned(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_score_changed_in_the_lms_is_left_there_unless_the_sync_may_overwrite_it() {
    let s = setup().await;
    let first = sync_with(&s, None, &[]).await;
    assert_eq!((first["alice"].outcome, first["dave"].outcome), (Outcome::Sent, Outcome::Sent));
    // A teacher gives dave 4 in the LMS gradebook (we sent 0); nbgrader's alice goes from 11
    // to 10 (a regraded cell) while the LMS holds the 11 we sent.
    s.lms.set_grade("ps1", "lms-dave", Some(4.0)).await;
    regrade(&s.gradebook, "q2", "problem1", "alice", 1.5);

    let (max, scores) = Syncer::read_gradebook(&s.gradebook, "ps1", None).await.unwrap();
    let preview = s.syncer.assess(&s.target, what("ps1", max, &scores, &[]), false).await.unwrap();
    let row = |id: &str| preview.rows.iter().find(|r| r.student_id == id).unwrap().clone();
    let dave = row("dave");
    assert_eq!((dave.outcome, dave.lms_score), (Outcome::LmsChanged, Some(4.0)), "{dave:?}");
    let why = dave.detail.unwrap();
    assert!(why.contains("the LMS holds 4, not the 0 this service last sent"), "{why}");
    let alice = row("alice");
    assert_eq!((alice.outcome, alice.lms_score, alice.score), (Outcome::Pending, Some(11.0), 10.0));
    assert_eq!(alice.detail, None, "the LMS holds our own last score: no surprise to replace it");

    // The sync skips dave (final in the job) and the LMS keeps the teacher's 4.
    let posts_before = s.lms.score_posts_of("lms-dave").await;
    let second = sync_with(&s, None, &[]).await;
    assert_eq!(second["dave"].outcome, Outcome::LmsChanged);
    assert_eq!(second["alice"].outcome, Outcome::Sent);
    assert_eq!(s.lms.score_posts_of("lms-dave").await, posts_before, "nothing sent for dave");
    assert_eq!(s.lms.held("ps1", "lms-dave").await, Some((Some(4.0), "gradebook".into())));
    assert_eq!(s.lms.held("ps1", "lms-alice").await, Some((Some(10.0), "tool".into())));

    // Overwriting dave, as the instructor chose: sent, and said so.
    let preview =
        s.syncer.assess(&s.target, what("ps1", max, &scores, &owned(&["dave"])), false).await.unwrap();
    let dave = preview.rows.iter().find(|r| r.student_id == "dave").unwrap();
    assert_eq!(dave.outcome, Outcome::Pending);
    assert!(dave.detail.as_deref().unwrap().contains("overwrites the LMS's score 4"), "{dave:?}");
    let third = sync_with(&s, None, &owned(&["dave"])).await;
    assert_eq!(third["dave"].outcome, Outcome::Sent, "{:?}", third["dave"]);
    assert!(third["dave"].detail.as_deref().unwrap().contains("overwrites the LMS's score 4"));
    assert_eq!(s.lms.held("ps1", "lms-dave").await, Some((Some(0.0), "tool".into())));
    // Now ours again: a further sync finds it unchanged.
    assert_eq!(sync_with(&s, None, &[]).await["dave"].outcome, Outcome::Unchanged);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_score_the_service_never_sent_is_not_overwritten() {
    let s = setup().await;
    // Only alice is synced; then a teacher grades dave by hand in the LMS.
    sync_with(&s, Some(&owned(&["alice"])), &[]).await;
    s.lms.set_grade("ps1", "lms-dave", Some(2.5)).await;
    let rows = sync_with(&s, None, &[]).await;
    assert_eq!(rows["dave"].outcome, Outcome::LmsChanged);
    assert!(rows["dave"].detail.as_deref().unwrap().contains("which this service did not send"));
    assert_eq!(rows["alice"].outcome, Outcome::Unchanged);
    assert_eq!(rows["bob"].outcome, Outcome::Sent, "bob held nothing");
    // The teacher's score equal to nbgrader's is no change at all.
    s.lms.set_grade("ps1", "lms-dave", Some(0.0)).await;
    assert_eq!(sync_with(&s, None, &[]).await["dave"].outcome, Outcome::Unchanged);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_grade_column_is_reported_locked_quickly_and_retried_once_unlocked() {
    let s = setup().await;
    let job = plan(&s).await; // creates the line item
    s.lms.lock("ps1", None, true).await;
    let started = std::time::Instant::now();
    s.syncer.run(&job, &s.target).await.unwrap();
    let rows = s.syncer.journal.read(|j| j.students(&job)).unwrap();
    for r in rows.iter().filter(|r| r.lms_user_id.as_deref().is_some_and(|u| u != "lms-eve")) {
        assert_eq!(r.outcome, Outcome::Locked, "{r:?}");
        let why = r.detail.as_deref().unwrap();
        assert!(why.contains("locked in the gradebook") && why.contains("Retry failed"), "{why}");
    }
    // Two tries each, not the five of the retry policy; the LMS holds nothing.
    for user in ["lms-alice", "lms-bob", "lms-dave"] {
        assert_eq!(s.lms.score_posts_of(user).await, 2, "{user}");
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(accepted(&s.lms).await.is_empty());

    // Unlocked, "Retry failed" (the locked students) lands them.
    s.lms.lock("ps1", None, false).await;
    let retried = sync_with(&s, Some(&owned(&["alice", "bob", "dave"])), &[]).await;
    assert_eq!(retried.len(), 3);
    assert!(retried.values().all(|r| r.outcome == Outcome::Sent), "{retried:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_students_locked_grade_locks_only_her() {
    let s = setup().await;
    let job = plan(&s).await;
    s.lms.lock("ps1", Some("lms-alice"), true).await;
    s.syncer.run(&job, &s.target).await.unwrap();
    let got = outcomes(&s, &job);
    assert_eq!((got["alice"], got["bob"], got["dave"]), (Outcome::Locked, Outcome::Sent, Outcome::Sent));
    let locks = s.lms.control("GET", "/_test/locks", None).await;
    assert_eq!(locks["locks"][0]["userId"], "lms-alice", "{locks}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_lms_failing_its_reads_too_is_retried_and_fails() {
    let s = setup().await;
    let job = plan(&s).await;
    // Scores and results answer 500 (the line item and the roster still answer).
    let broken = json!([{"path": "/(scores|results)", "status": 500, "times": null}]);
    s.lms.control("POST", "/_test/faults", Some(broken)).await;
    s.syncer.run(&job, &s.target).await.unwrap();
    let rows = s.syncer.journal.read(|j| j.students(&job)).unwrap();
    for r in rows.iter().filter(|r| !matches!(r.outcome, Outcome::NoLmsId | Outcome::NotEnrolled)) {
        assert_eq!(r.outcome, Outcome::Failed, "{r:?}");
        assert!(r.detail.as_deref().unwrap().contains("500"), "{r:?}");
    }
    // The whole retry budget was spent: it was not taken for a lock.
    let attempts = RetryPolicy::default().attempts as usize;
    for user in ["lms-alice", "lms-bob", "lms-dave"] {
        assert_eq!(s.lms.score_posts_of(user).await, attempts, "{user}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scores_failing_for_two_students_are_retried_alone_once_the_fault_is_gone() {
    let s = setup().await;
    s.lms.fail_scores_of(&["lms-alice", "lms-dave"], 503).await;
    let first = sync_with(&s, None, &[]).await;
    assert_eq!(
        (first["alice"].outcome, first["bob"].outcome, first["dave"].outcome),
        (Outcome::Failed, Outcome::Sent, Outcome::Failed)
    );
    s.lms.clear_faults().await;
    let failed: Vec<String> =
        first.values().filter(|r| r.outcome.is_retryable()).map(|r| r.student_id.clone()).collect();
    assert_eq!(failed, ["alice", "dave"]);
    let retried = sync_with(&s, Some(&failed), &[]).await;
    assert_eq!(retried.keys().collect::<Vec<_>>(), ["alice", "dave"]);
    assert!(retried.values().all(|r| r.outcome == Outcome::Sent), "{retried:?}");
    assert_eq!(
        accepted(&s.lms).await,
        BTreeMap::from([("lms-alice".into(), 1), ("lms-bob".into(), 1), ("lms-dave".into(), 1)])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_lti11_result_changed_in_the_lms_is_kept_unless_overwritten() {
    let s = setup().await;
    let target = lti11_target(&s).await;
    let run = async |overwrite: &[String]| {
        let plan = Plan {
            course: "intro-python",
            gradebook: &s.gradebook,
            assignment: "ps1",
            only: None,
            overwrite,
            started_by: "teacher",
        };
        let job = s.syncer.plan(plan, &target).await.unwrap();
        s.syncer.run(&job, &target).await.unwrap();
        s.syncer.journal.read(|j| j.students(&job)).unwrap()
    };
    let outcome = |rows: &[lablink_grading::journal::StudentRow], id: &str| {
        rows.iter().find(|r| r.student_id == id).unwrap().clone()
    };
    assert_eq!(outcome(&run(&[]).await, "alice").outcome, Outcome::Sent);
    // A teacher sets alice's result to 50 % in the LMS.
    let set = json!({"sourcedid": "ps1:lms-alice", "score": 0.5});
    s.lms.control("POST", "/_test/lti11/results", Some(set)).await;
    let kept = outcome(&run(&[]).await, "alice");
    assert_eq!((kept.outcome, kept.lms_score), (Outcome::LmsChanged, Some(5.75)), "{kept:?}");
    let results = s.lms.control("GET", "/_test/lti11/results", None).await;
    assert_eq!(results["results"]["ps1:lms-alice"], "0.5", "{results}");
    let replaced = outcome(&run(&["alice".to_owned()]).await, "alice");
    assert_eq!(replaced.outcome, Outcome::Sent, "{replaced:?}");
    let results = s.lms.control("GET", "/_test/lti11/results", None).await;
    let stored: f64 = results["results"]["ps1:lms-alice"].as_str().unwrap().parse().unwrap();
    assert!((stored - 11.0 / 11.5).abs() < 1e-9, "{results}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_overwrite_the_lms_keeps_overridden_is_refused_with_why() {
    let s = setup().await;
    sync_with(&s, None, &[]).await;
    // As Moodle does with a grade edited in its gradebook: later tool scores do not show.
    s.lms.override_grade("ps1", "lms-dave", 4.0).await;
    let rows = sync_with(&s, None, &owned(&["dave"])).await;
    let dave = &rows["dave"];
    assert_eq!(dave.outcome, Outcome::Refused, "{dave:?}");
    let why = dave.detail.as_deref().unwrap();
    assert!(why.contains("still shows 4") && why.contains("Remove the override"), "{why}");
    assert_eq!(s.lms.held("ps1", "lms-dave").await, Some((Some(4.0), "gradebook".into())));
    assert_eq!(rows["alice"].outcome, Outcome::Unchanged, "the others are as they were");
}
