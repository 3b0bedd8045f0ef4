//! The gradebook reader against a real nbgrader gradebook: `tests/grading/nbgrader_course.py`
//! builds it through nbgrader's API (nbgrader 0.9.6 from PyPI, in the venv `cargo xtask`
//! makes) and exports it with nbgrader's CSV export plugin; every score, penalty and maximum
//! read here must equal nbgrader's own.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lablink_grading::gradebook::{Gradebook, GradebookError};
use lablink_testkit::python::{nbgrader_course, python};

struct Course {
    _dir: tempfile::TempDir,
    db: PathBuf,
    csv: PathBuf,
}

fn course() -> Course {
    let dir = tempfile::tempdir().unwrap();
    let (db, csv) = nbgrader_course(dir.path());
    Course { _dir: dir, db, csv }
}

/// One row of nbgrader's export.
struct Row {
    timestamp: String,
    raw: f64,
    penalty: f64,
    score: f64,
    max: f64,
}

/// nbgrader's export, keyed by (assignment, student).
fn expected(csv: &Path) -> BTreeMap<(String, String), Row> {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (a, t, s, raw, pen, score, max) = (
        col("assignment"),
        col("timestamp"),
        col("student_id"),
        col("raw_score"),
        col("late_submission_penalty"),
        col("score"),
        col("max_score"),
    );
    lines
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            let n = |i: usize| f[i].parse::<f64>().unwrap();
            let row = Row {
                timestamp: f[t].to_owned(),
                raw: n(raw),
                penalty: n(pen),
                score: n(score),
                max: n(max),
            };
            ((f[a].to_owned(), f[s].to_owned()), row)
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn scores_equal_nbgrader_s_own_export() {
    let course = course();
    let expected = expected(&course.csv);
    let mut gb = Gradebook::open(&course.db).unwrap();
    let assignments = gb.assignments().unwrap();
    assert_eq!(assignments.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["ps1", "ps2", "ps3"]);
    assert_eq!(assignments.iter().map(|a| a.submissions).collect::<Vec<_>>(), [4, 2, 0]);

    let mut checked = 0;
    for assignment in &assignments {
        let scores = gb.scores(&assignment.name).unwrap();
        assert_eq!(scores.len(), 5, "every student, submitted or not");
        for s in scores {
            let key = (assignment.name.clone(), s.student.id.clone());
            let Row { timestamp, raw, penalty, score, max } =
                expected.get(&key).unwrap_or_else(|| panic!("{key:?}"));
            assert!(close(s.raw_score, *raw), "{key:?} raw {} vs {raw}", s.raw_score);
            assert!(close(s.late_penalty, *penalty), "{key:?} penalty {} vs {penalty}", s.late_penalty);
            assert!(close(s.score, *score), "{key:?} score {} vs {score}", s.score);
            assert!(close(s.max_score, *max) && close(assignment.max_score, *max), "{key:?} max");
            assert_eq!(s.submitted(), !timestamp.is_empty(), "{key:?} submitted");
            if let Some(at) = &s.submitted_at {
                assert!(at.starts_with(timestamp.as_str()), "{key:?}: {at} vs {timestamp}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, expected.len());

    // The cases the course was built for, spelled out.
    let ps1: BTreeMap<_, _> =
        gb.scores("ps1").unwrap().into_iter().map(|s| (s.student.id.clone(), s)).collect();
    assert!(close(ps1["alice"].score, 11.0), "manual over auto, plus extra credit");
    assert!(close(ps1["bob"].score, 5.25) && close(ps1["bob"].late_penalty, 1.25), "late");
    assert_eq!(ps1["bob"].ungraded_cells, 1, "bob's q2 awaits a manual grade");
    assert_eq!(ps1["eve.o'neil"].score, 0.0, "a penalty above the score floors at 0");
    assert!(!ps1["dave"].submitted() && ps1["dave"].score == 0.0, "missing submission");
    assert_eq!(ps1["carol"].student.lms_user_id, None);
    assert_eq!(ps1["alice"].student.lms_user_id.as_deref(), Some("lms-alice"));
}

#[test]
fn nbgrader_can_write_while_the_gradebook_is_open() {
    let course = course();
    let mut gb = Gradebook::open(&course.db).unwrap();
    let before = gb.scores("ps1").unwrap();
    // nbgrader regrades alice while we hold the gradebook open between reads.
    let regrade = "import sys\nfrom nbgrader.api import Gradebook\nwith Gradebook('sqlite:///' + sys.argv[1], course_id='intro-python') as gb:\n    g = gb.find_grade('q1', 'problem1', 'ps1', 'alice')\n    g.auto_score = 0.5\n    gb.db.commit()\n";
    python(&["-c", regrade, course.db.to_str().unwrap()]);
    let after = gb.scores("ps1").unwrap();
    let alice = |rows: &[lablink_grading::gradebook::StudentScore]| {
        rows.iter().find(|s| s.student.id == "alice").unwrap().score
    };
    assert!(close(alice(&before), 11.0));
    assert!(close(alice(&after), 9.5), "the new grade is read: {}", alice(&after));
}

#[test]
fn reading_never_changes_the_file() {
    let course = course();
    let bytes = std::fs::read(&course.db).unwrap();
    let mut gb = Gradebook::open(&course.db).unwrap();
    for a in gb.assignments().unwrap() {
        gb.scores(&a.name).unwrap();
    }
    drop(gb);
    assert!(std::fs::read(&course.db).unwrap() == bytes, "the gradebook was modified");
    let dir = course.db.parent().unwrap();
    let extra: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "gradebook.db" && n != "expected.csv")
        .collect();
    assert!(extra.is_empty(), "journal files left behind: {extra:?}");
}

#[test]
fn bad_gradebooks_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.db");
    assert!(matches!(Gradebook::open(&missing), Err(GradebookError::Missing(_))));

    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other).unwrap().execute_batch("CREATE TABLE t (x)").unwrap();
    let err = Gradebook::open(&other).err().unwrap();
    assert!(err.to_string().contains("not an nbgrader gradebook: no table `assignment`"), "{err}");

    let text = dir.path().join("text.db");
    std::fs::write(&text, "this is not a database at all, just text to fill a page ".repeat(100)).unwrap();
    assert!(matches!(Gradebook::open(&text), Err(GradebookError::NotAGradebook { .. })));

    let course = course();
    let mut gb = Gradebook::open(&course.db).unwrap();
    assert!(matches!(gb.scores("ps9"), Err(GradebookError::NoSuchAssignment(name)) if name == "ps9"));
}
