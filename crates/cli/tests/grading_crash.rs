//! A sync killed with SIGKILL halfway, then the service started again: it resumes the job from
//! its journal and every student's score lands in the LMS exactly once, with the right value.
//! Real parts: the `lablink` binary, a gradebook made by nbgrader, the LTI 1.3 test platform
//! (`tests/grading/lti_platform.py`), which slows each score down so the kill lands mid-sync.

use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lablink_testkit::env::repo;
use lablink_testkit::lms::{self, Lms};
use lablink_testkit::python::{nbgrader_course, python};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_lablink");
const STUDENTS: usize = 40;
const LEARNER: &str = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner";

/// Accepted (2xx) score POSTs per LMS user, and how many the LMS refused with 409.
async fn accepted(lms: &Lms) -> (BTreeMap<String, usize>, usize) {
    let log = lms.control("GET", "/_test/scores", None).await;
    let (mut ok, mut conflicts) = (BTreeMap::new(), 0);
    for entry in log["log"].as_array().unwrap() {
        match entry["outcome"].as_u64() {
            Some(200 | 201) => {
                *ok.entry(entry["body"]["userId"].as_str().unwrap().to_owned()).or_default() += 1
            }
            Some(409) => conflicts += 1,
            _ => {}
        }
    }
    (ok, conflicts)
}

fn journal_outcomes(path: &std::path::Path) -> (Vec<(String, bool)>, BTreeMap<String, String>) {
    let db = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let mut jobs = db.prepare("SELECT id, finished FROM job").unwrap();
    let jobs = jobs.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
    let mut rows = db.prepare("SELECT student_id, outcome FROM job_student").unwrap();
    let rows = rows.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect();
    (jobs, rows)
}

/// `lablink grading --config <config>`, to run as the service or with a subcommand added.
fn grading(config: &std::path::Path) -> Command {
    let mut command = Command::new(BIN);
    command.args(["grading", "--config"]).arg(config);
    command
}

async fn wait_for(what: &str, timeout: Duration, mut done: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while !done().await {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_killed_mid_way_resumes_and_lands_every_score_exactly_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("gradebook.db");
    python(&[
        repo().join("tests/grading/nbgrader_many.py").to_str().unwrap(),
        db.to_str().unwrap(),
        &STUDENTS.to_string(),
    ]);
    // The platform and the service share one key file: the test's router serves its /jwks.
    let lms = lms::start().await;
    let members: Vec<Value> =
        (0..STUDENTS).map(|i| json!({"user_id": format!("lms-s{i:04}"), "roles": [LEARNER]})).collect();
    lms.control("POST", "/_test/members", Some(json!({"ctx": "42", "members": members}))).await;
    // Each score takes 150 ms inside the LMS, so 40 at 4 at a time last about 1.5 s.
    lms.control(
        "POST",
        "/_test/faults",
        Some(json!([{"method": "POST", "path": "/scores", "delay_ms": 150, "times": null}])),
    )
    .await;
    let journal = dir.path().join("journal.sqlite");
    let config = dir.path().join("grading.toml");
    let course = format!(
        "[[courses]]\nid = \"big-course\"\ngradebook = {db:?}\ninstructor_group = \"formgrade-big\"\n\
         platform = \"test\"\nlineitems_url = {lineitems:?}\nmemberships_url = {members:?}\n",
        lineitems = lms.course("lineitems"),
        members = lms.course("context_memberships_url"),
    );
    let top = format!("listen = \"127.0.0.1:0\"\njournal = {journal:?}\nmax_concurrency = 4\n");
    std::fs::write(&config, top + &lms.config_toml("platforms") + &course).unwrap();

    let mut sync = grading(&config)
        .args(["sync", "--course", "big-course", "--assignment", "big"])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    wait_for("a quarter of the scores", Duration::from_secs(60), async || {
        accepted(&lms).await.0.len() >= STUDENTS / 4
    })
    .await;
    sync.kill().unwrap(); // SIGKILL: no chance to tidy up
    sync.wait().unwrap();

    let (jobs, rows) = journal_outcomes(&journal);
    assert_eq!(jobs.len(), 1);
    assert!(!jobs[0].1, "the killed job is unfinished");
    let sent_before = rows.values().filter(|o| *o == "sent").count();
    assert!(sent_before < STUDENTS, "the kill came mid-sync ({sent_before} sent)");
    assert!(rows.values().any(|o| o == "sending" || o == "pending"), "{rows:?}");

    // The service starts again and finds the job.
    let mut service = grading(&config).stdout(Stdio::null()).stderr(Stdio::inherit()).spawn().unwrap();
    wait_for("the resumed job to finish", Duration::from_secs(60), async || {
        journal_outcomes(&journal).0.iter().all(|(_, finished)| *finished)
    })
    .await;
    let _ = Command::new("kill").arg(service.id().to_string()).status(); // SIGTERM
    service.wait().unwrap();

    let (_, rows) = journal_outcomes(&journal);
    assert!(rows.values().all(|o| o == "sent"), "{rows:?}");
    let (ok, conflicts) = accepted(&lms).await;
    assert_eq!(ok.len(), STUDENTS, "every student has a score");
    assert!(ok.values().all(|n| *n == 1), "a score recorded twice: {ok:?}");
    eprintln!("sent before the kill: {sent_before}; duplicates the LMS refused (409): {conflicts}");

    // And each is the value nbgrader computes, on the line item's scale (max 10 both).
    let current = lms.control("GET", "/_test/scores", None).await["current"].clone();
    for i in 0..STUDENTS {
        let user = format!("lms-s{i:04}");
        let held = current.as_array().unwrap().iter().find(|c| c["userId"] == user.as_str()).unwrap();
        let expected = (i % 5 + (i / 5) % 7) as f64;
        assert_eq!(held["resultScore"].as_f64(), Some(expected), "{user}");
    }
}

/// A journal (the service's, beside the config) holding `jobs` unfinished jobs of `assignment`
/// (scores to the test LMS's line item `hw1`), each with alice and bob pending, as a `sync` from the command line could leave
/// them before it claimed the assignment; and the config of a service using it.
async fn unfinished_jobs(
    dir: &std::path::Path,
    lms: &Lms,
    gradebook: &str,
    assignment: &str,
    jobs: &[&str],
) -> std::path::PathBuf {
    use lablink_grading::journal::{Job, Journal, Outcome, StudentRow};
    let journal = dir.join("journal.sqlite");
    let state = lms.control("GET", "/_test/state", None).await;
    let hw1 = state["courses"]["42"]["lineitems"][0]["id"].as_str().unwrap().to_owned();
    let row = |student: &str| StudentRow {
        student_id: student.into(),
        lms_user_id: Some(format!("u-{student}")),
        score: 7.0,
        max_score: 10.0,
        lms_score: None,
        outcome: Outcome::Pending,
        timestamp: None,
        detail: None,
        pending_manual: false,
    };
    let mut j = Journal::open(&journal).unwrap();
    for (i, id) in jobs.iter().enumerate() {
        let job = Job {
            id: (*id).into(),
            course: "c".into(),
            assignment: assignment.into(),
            lineitem: Some(hw1.clone()),
            started_by: "cli".into(),
            created_at: i as i64 + 1,
            finished: false,
            error: None,
        };
        j.create_job(&job, &[row("alice"), row("bob")]).unwrap();
        // Today's journal refuses a second unfinished job of one assignment: mark the others
        // finished while recording, unfinished again after.
        let db = rusqlite::Connection::open(&journal).unwrap();
        db.execute("UPDATE job SET finished = 1", []).unwrap();
    }
    drop(j);
    rusqlite::Connection::open(&journal).unwrap().execute("UPDATE job SET finished = 0", []).unwrap();
    let config = dir.join("grading.toml");
    let course = format!(
        "[[courses]]\nid = \"c\"\ngradebook = {gradebook:?}\ninstructor_group = \"formgrade-c\"\n\
         platform = \"test\"\nlineitems_url = {lineitems:?}\nmemberships_url = {members:?}\n",
        lineitems = lms.course("lineitems"),
        members = lms.course("context_memberships_url"),
    );
    let top = format!("listen = \"127.0.0.1:0\"\njournal = {journal:?}\n");
    std::fs::write(&config, top + &lms.config_toml("platforms") + &course).unwrap();
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cli_sync_of_an_assignment_with_an_unfinished_job_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (gradebook, _) = nbgrader_course(dir.path());
    let lms = lms::start().await;
    // Without the claim, this sync of nbgrader's ps1 would run (and journal a second job).
    let config =
        unfinished_jobs(dir.path(), &lms, gradebook.to_str().unwrap(), "ps1", &["left-by-a-kill"]).await;
    let out = grading(&config).args(["sync", "--course", "c", "--assignment", "ps1"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the second sync ran: {}", String::from_utf8_lossy(&out.stdout));
    assert!(
        stderr.contains("a sync of \"ps1\" is already running or unfinished (job left-by-a-kill)"),
        "{stderr}"
    );
    let (jobs, _) = journal_outcomes(&dir.path().join("journal.sqlite"));
    assert_eq!(jobs, [("left-by-a-kill".to_owned(), false)], "no second job journalled");
    assert!(accepted(&lms).await.0.is_empty(), "nothing sent");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_starts_with_two_unfinished_jobs_of_one_assignment() {
    let dir = tempfile::tempdir().unwrap();
    let lms = lms::start().await;
    let gradebook = dir.path().join("gradebook.db");
    let config =
        unfinished_jobs(dir.path(), &lms, gradebook.to_str().unwrap(), "hw1", &["older", "newer"]).await;
    let mut service = grading(&config).stdout(Stdio::null()).stderr(Stdio::inherit()).spawn().unwrap();
    let journal = dir.path().join("journal.sqlite");
    let start = Instant::now();
    while !journal_outcomes(&journal).0.iter().all(|(_, finished)| *finished) {
        if let Some(status) = service.try_wait().unwrap() {
            panic!("the service died at start ({status})");
        }
        assert!(start.elapsed() < Duration::from_secs(60), "timed out waiting for the jobs to end");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(service.try_wait().unwrap().is_none(), "the service is still serving");
    let _ = Command::new("kill").arg(service.id().to_string()).status(); // SIGTERM
    service.wait().unwrap();

    let db = rusqlite::Connection::open(&journal).unwrap();
    let error = |id: &str| -> Option<String> {
        db.query_row("SELECT error FROM job WHERE id = ?1", [id], |r| r.get(0)).unwrap()
    };
    assert_eq!(error("newer"), None, "the newer job was resumed and finished");
    let older = error("older").unwrap_or_default();
    assert!(older.contains("not resumed: job newer of the same assignment"), "{older}");
    let (ok, _) = accepted(&lms).await;
    assert_eq!(ok, BTreeMap::from([("u-alice".to_owned(), 1), ("u-bob".to_owned(), 1)]));
}
