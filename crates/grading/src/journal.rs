//! The sync journal (SQLite): every job and every student's outcome in it, written before
//! and after each score is sent, so a service killed mid-sync resumes where it stopped.
//!
//! A score's AGS timestamp is fixed in the journal *before* it is sent. After a crash, a row
//! left `sending` is sent again with the same timestamp: a platform that already holds it
//! refuses the duplicate (not later than what it stores, 409) rather than recording it twice,
//! and the results service then tells whether it landed.

use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::{Mutex, mpsc};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};

pub use lablink_protocol::grading::Outcome;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentRow {
    pub student_id: String,
    pub lms_user_id: Option<String>,
    pub score: f64,
    pub max_score: f64,
    /// What the LMS held when the job was planned, on nbgrader's scale.
    pub lms_score: Option<f64>,
    pub outcome: Outcome,
    /// The AGS timestamp this score is (to be) sent with, once fixed.
    pub timestamp: Option<String>,
    pub detail: Option<String>,
    /// Cells await a manual grade: the score goes as `PendingManual`.
    #[serde(default)]
    pub pending_manual: bool,
}

/// A score this service sent (the latest of a student, see [`Journal::last_sent`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SentScore {
    pub score: f64,
    pub max_score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: String,
    pub course: String,
    pub assignment: String,
    pub lineitem: Option<String>,
    /// The hub user who started it, or `cli`.
    pub started_by: String,
    pub created_at: i64,
    pub finished: bool,
    /// Why the job stopped early, if it did.
    pub error: Option<String>,
}

pub struct Journal {
    conn: Connection,
}

/// What [`Journal::create_job`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    Yes,
    /// Not recorded: this job of the same assignment is unfinished.
    Busy(String),
}

type Write = Box<dyn FnOnce(&mut Journal) + Send>;

/// The journal as the service shares it. Writes (each a commit with `synchronous = FULL`, so
/// an fsync) run one after another on a thread of their own, never on the async workers;
/// reads use a second connection (WAL: they never wait for a write).
pub struct SharedJournal {
    writes: mpsc::Sender<Write>,
    reader: Mutex<Journal>,
}

fn writer_gone() -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_MISUSE),
        Some("the journal's writer thread stopped".into()),
    )
}

impl SharedJournal {
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        let mut writer = Journal::open(path)?;
        let reader = Journal::open(path)?;
        let (writes, queue) = mpsc::channel::<Write>();
        std::thread::Builder::new()
            .name("journal-writer".into())
            .spawn(move || {
                // Ends when the last sender is dropped. A panicking write loses only its answer.
                for write in queue {
                    let _ = std::panic::catch_unwind(AssertUnwindSafe(|| write(&mut writer)));
                }
            })
            .map_err(|e| {
                rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                    Some(format!("starting the journal's writer thread: {e}")),
                )
            })?;
        Ok(Self { writes, reader: Mutex::new(reader) })
    }

    /// Runs `f` on the writer thread; resolves once it has committed.
    pub async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Journal) -> rusqlite::Result<T> + Send + 'static,
    ) -> rusqlite::Result<T> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let write: Write = Box::new(move |journal| {
            let _ = answer.send(f(journal));
        });
        self.writes.send(write).map_err(|_| writer_gone())?;
        answered.await.map_err(|_| writer_gone())?
    }

    /// A read (a few rows, no fsync: fine on the caller's thread).
    pub fn read<T>(&self, f: impl FnOnce(&Journal) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
        f(&self.reader.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS job (
    id TEXT PRIMARY KEY,
    course TEXT NOT NULL,
    assignment TEXT NOT NULL,
    lineitem TEXT,
    started_by TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    finished INTEGER NOT NULL DEFAULT 0,
    error TEXT
);
CREATE TABLE IF NOT EXISTS job_student (
    job_id TEXT NOT NULL REFERENCES job(id),
    student_id TEXT NOT NULL,
    lms_user_id TEXT,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    lms_score REAL,
    outcome TEXT NOT NULL,
    timestamp TEXT,
    detail TEXT,
    pending_manual INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, student_id)
);
CREATE INDEX IF NOT EXISTS job_unfinished ON job(finished);
CREATE INDEX IF NOT EXISTS job_of_assignment ON job(course, assignment, created_at);
";

/// Journals from before `pending_manual` kept it only as the row's detail text.
const ADD_PENDING_MANUAL: &str = "
ALTER TABLE job_student ADD COLUMN pending_manual INTEGER NOT NULL DEFAULT 0;
UPDATE job_student SET pending_manual = 1 WHERE detail LIKE '% cells await a manual grade%';
";

/// How many of `rows` ended (or stand) at each outcome.
pub fn counts(rows: &[StudentRow]) -> BTreeMap<Outcome, u64> {
    let mut counts = BTreeMap::new();
    for row in rows {
        *counts.entry(row.outcome).or_default() += 1;
    }
    counts
}

const JOB_COLUMNS: &str = "id, course, assignment, lineitem, started_by, created_at, finished, error";

fn job_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Job> {
    Ok(Job {
        id: r.get(0)?,
        course: r.get(1)?,
        assignment: r.get(2)?,
        lineitem: r.get(3)?,
        started_by: r.get(4)?,
        created_at: r.get(5)?,
        finished: r.get(6)?,
        error: r.get(7)?,
    })
}

impl Journal {
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        // WAL: readers (progress polls) never wait for the sync's writes. FULL sync: an
        // outcome acknowledged here survives a power cut, which is the point of a journal.
        conn.pragma_update(None, "journal_mode", "wal")?;
        conn.pragma_update(None, "synchronous", "full")?;
        conn.execute_batch(SCHEMA)?;
        let has_pending_manual: bool = conn.query_row(
            "SELECT COUNT(*) FROM pragma_table_info('job_student') WHERE name = 'pending_manual'",
            [],
            |r| r.get(0),
        )?;
        if !has_pending_manual {
            conn.execute_batch(&format!("BEGIN; {ADD_PENDING_MANUAL} COMMIT;"))?;
        }
        Ok(Self { conn })
    }

    /// Records a new job with every student `pending` (or already final, e.g. `no_lms_id`),
    /// unless a job of the same assignment is unfinished (checked in the same transaction, so
    /// two processes sharing the journal cannot both record one).
    pub fn create_job(&mut self, job: &Job, students: &[StudentRow]) -> rusqlite::Result<Created> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let unfinished: Option<String> = tx
            .query_row(
                "SELECT id FROM job WHERE course = ?1 AND assignment = ?2 AND finished = 0 LIMIT 1",
                params![job.course, job.assignment],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(other) = unfinished {
            return Ok(Created::Busy(other));
        }
        tx.execute(
            "INSERT INTO job (id, course, assignment, lineitem, started_by, created_at, finished)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0)",
            params![job.id, job.course, job.assignment, job.lineitem, job.started_by, job.created_at],
        )?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO job_student
                 (job_id, student_id, lms_user_id, score, max_score, lms_score, outcome, timestamp, detail,
                  pending_manual)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?;
            for s in students {
                insert.execute(params![
                    job.id,
                    s.student_id,
                    s.lms_user_id,
                    s.score,
                    s.max_score,
                    s.lms_score,
                    s.outcome.as_str(),
                    s.timestamp,
                    s.detail,
                    s.pending_manual
                ])?;
            }
        }
        tx.commit()?;
        Ok(Created::Yes)
    }

    /// Fixes the timestamp and marks the row `sending`, before the request goes out.
    pub fn sending(&self, job_id: &str, student_id: &str, timestamp: &str) -> rusqlite::Result<()> {
        self.conn.execute(
            "UPDATE job_student SET outcome = 'sending', timestamp = ?3 WHERE job_id = ?1 AND student_id = ?2",
            params![job_id, student_id, timestamp],
        )?;
        Ok(())
    }

    pub fn finish_student(
        &self,
        job_id: &str,
        student_id: &str,
        outcome: Outcome,
        detail: Option<&str>,
    ) -> rusqlite::Result<()> {
        self.conn.execute(
            "UPDATE job_student SET outcome = ?3, detail = ?4 WHERE job_id = ?1 AND student_id = ?2",
            params![job_id, student_id, outcome.as_str(), detail],
        )?;
        Ok(())
    }

    /// Ends the job; with an error, the students it did not reach become `failed` with it.
    pub fn finish_job(&mut self, job_id: &str, error: Option<&str>) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        if let Some(error) = error {
            tx.execute(
                "UPDATE job_student SET outcome = 'failed', detail = ?2
                 WHERE job_id = ?1 AND outcome IN ('pending', 'sending')",
                params![job_id, error],
            )?;
        }
        tx.execute("UPDATE job SET finished = 1, error = ?2 WHERE id = ?1", params![job_id, error])?;
        tx.commit()
    }

    pub fn job(&self, job_id: &str) -> rusqlite::Result<Option<Job>> {
        self.conn
            .query_row(&format!("SELECT {JOB_COLUMNS} FROM job WHERE id = ?1"), params![job_id], job_from_row)
            .optional()
    }

    /// A course's jobs, newest first.
    pub fn jobs(&self, course: &str, limit: u32) -> rusqlite::Result<Vec<Job>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {JOB_COLUMNS} FROM job WHERE course = ?1 ORDER BY created_at DESC, rowid DESC LIMIT ?2"
        ))?;
        stmt.query_map(params![course, limit], job_from_row)?.collect()
    }

    /// Jobs a stopped service left unfinished, oldest first.
    pub fn unfinished(&self) -> rusqlite::Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT id FROM job WHERE finished = 0 ORDER BY created_at, id")?;
        let mut ids = Vec::new();
        for id in stmt.query_map([], |r| r.get(0))? {
            ids.push(id?);
        }
        Ok(ids)
    }

    /// The unfinished jobs of one assignment, oldest first.
    pub fn unfinished_of(&self, course: &str, assignment: &str) -> rusqlite::Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT id FROM job WHERE finished = 0 AND course = ?1 AND assignment = ?2 ORDER BY created_at, id",
        )?;
        stmt.query_map(params![course, assignment], |r| r.get(0))?.collect()
    }

    pub fn students(&self, job_id: &str) -> rusqlite::Result<Vec<StudentRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT student_id, lms_user_id, score, max_score, lms_score, outcome, timestamp, detail,
                    pending_manual
             FROM job_student WHERE job_id = ?1 ORDER BY student_id",
        )?;
        let rows = stmt.query_map(params![job_id], |r| {
            let outcome: String = r.get(5)?;
            Ok(StudentRow {
                student_id: r.get(0)?,
                lms_user_id: r.get(1)?,
                score: r.get(2)?,
                max_score: r.get(3)?,
                lms_score: r.get(4)?,
                outcome: Outcome::from_wire(&outcome).unwrap_or(Outcome::Failed),
                timestamp: r.get(6)?,
                detail: r.get(7)?,
                pending_manual: r.get(8)?,
            })
        })?;
        rows.collect()
    }

    /// The score this service last sent each student of an assignment (the newest `sent` row
    /// of the course's jobs of it): what the LMS holds unless someone changed it there.
    pub fn last_sent(
        &self,
        course: &str,
        assignment: &str,
    ) -> rusqlite::Result<std::collections::HashMap<String, SentScore>> {
        let mut stmt = self.conn.prepare_cached(LAST_SENT)?;
        let mut sent = std::collections::HashMap::new();
        let rows = stmt.query_map(params![course, assignment], |r| {
            Ok((r.get::<_, String>(0)?, SentScore { score: r.get(1)?, max_score: r.get(2)? }))
        })?;
        // Newest first: the first row of a student is the one that counts.
        for row in rows {
            let (student, score) = row?;
            sent.entry(student).or_insert(score);
        }
        Ok(sent)
    }
}

/// Through `job_of_assignment` to the assignment's jobs, then each job's rows by its key.
const LAST_SENT: &str = "SELECT s.student_id, s.score, s.max_score
     FROM job j JOIN job_student s ON s.job_id = j.id
     WHERE j.course = ?1 AND j.assignment = ?2 AND s.outcome = 'sent'
     ORDER BY j.created_at DESC, j.rowid DESC";

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, outcome: Outcome) -> StudentRow {
        StudentRow {
            student_id: id.into(),
            lms_user_id: Some(format!("lms-{id}")),
            score: 1.5,
            max_score: 2.0,
            lms_score: None,
            outcome,
            timestamp: None,
            detail: None,
            pending_manual: false,
        }
    }

    #[test]
    fn a_reopened_journal_resumes_where_it_stopped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite");
        let job = Job {
            id: "j1".into(),
            course: "intro".into(),
            assignment: "ps1".into(),
            lineitem: Some("https://lms.example/li/1".into()),
            started_by: "teacher".into(),
            created_at: 1,
            finished: false,
            error: None,
        };
        {
            let mut j = Journal::open(&path).unwrap();
            j.create_job(
                &job,
                &[row("a", Outcome::Pending), row("b", Outcome::Pending), row("c", Outcome::NoLmsId)],
            )
            .unwrap();
            j.sending("j1", "a", "2026-11-22T03:00:00.000001Z").unwrap();
            j.finish_student("j1", "a", Outcome::Sent, None).unwrap();
            j.sending("j1", "b", "2026-11-22T03:00:00.000002Z").unwrap();
            // The service dies here: b was being sent.
        }
        let mut j = Journal::open(&path).unwrap();
        assert_eq!(j.unfinished().unwrap(), ["j1"]);
        assert_eq!(j.job("j1").unwrap().unwrap().lineitem.as_deref(), Some("https://lms.example/li/1"));
        let rows = j.students("j1").unwrap();
        let by = |id: &str| rows.iter().find(|r| r.student_id == id).unwrap().clone();
        assert_eq!(by("a").outcome, Outcome::Sent);
        assert_eq!(
            (by("b").outcome, by("b").timestamp.as_deref()),
            (Outcome::Sending, Some("2026-11-22T03:00:00.000002Z")),
            "the timestamp survives, so the re-send is recognisably the same score"
        );
        assert_eq!(by("c").outcome, Outcome::NoLmsId);
        j.finish_student("j1", "b", Outcome::Sent, None).unwrap();
        j.finish_job("j1", None).unwrap();
        assert!(j.unfinished().unwrap().is_empty());
        assert!(j.students("j1").unwrap().iter().all(|r| r.outcome.is_final()));
    }

    #[test]
    fn a_failed_job_fails_the_students_it_did_not_reach() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(&dir.path().join("journal.sqlite")).unwrap();
        let job = Job {
            id: "j2".into(),
            course: "intro".into(),
            assignment: "ps1".into(),
            lineitem: None,
            started_by: "cli".into(),
            created_at: 2,
            finished: false,
            error: None,
        };
        j.create_job(&job, &[row("a", Outcome::Sent), row("b", Outcome::Pending)]).unwrap();
        j.finish_job("j2", Some("the LMS refused the token")).unwrap();
        let stored = j.job("j2").unwrap().unwrap();
        assert!(stored.finished);
        assert_eq!(stored.error.as_deref(), Some("the LMS refused the token"));
        let rows = j.students("j2").unwrap();
        assert_eq!(rows[0].outcome, Outcome::Sent, "what landed stays landed");
        assert_eq!(
            (rows[1].outcome, rows[1].detail.as_deref()),
            (Outcome::Failed, Some("the LMS refused the token"))
        );
        assert_eq!(j.jobs("intro", 10).unwrap().len(), 1);
    }

    fn job(id: &str, assignment: &str, created_at: i64) -> Job {
        Job {
            id: id.into(),
            course: "intro".into(),
            assignment: assignment.into(),
            lineitem: None,
            started_by: "teacher".into(),
            created_at,
            finished: true,
            error: None,
        }
    }

    #[test]
    fn the_last_sent_score_is_the_newest_sent_row_of_the_assignment() {
        let dir = tempfile::tempdir().unwrap();
        let mut j = Journal::open(&dir.path().join("journal.sqlite")).unwrap();
        let scored = |id: &str, outcome, score: f64| StudentRow { score, ..row(id, outcome) };
        let mut record = |job: Job, rows: &[StudentRow]| {
            assert_eq!(j.create_job(&job, rows).unwrap(), Created::Yes);
            j.finish_job(&job.id, None).unwrap();
        };
        record(job("old", "ps1", 1), &[scored("a", Outcome::Sent, 1.0), scored("b", Outcome::Sent, 1.0)]);
        // The newer job sent a again, failed b, and another assignment's job sent c.
        record(job("new", "ps1", 2), &[scored("a", Outcome::Sent, 2.0), scored("b", Outcome::Failed, 2.0)]);
        record(job("ps2", "ps2", 3), &[scored("c", Outcome::Sent, 3.0)]);
        // Same second, later row: it counts as newer.
        record(job("same-second", "ps1", 2), &[scored("d", Outcome::Sent, 4.0)]);
        record(job("later-same-second", "ps1", 2), &[scored("d", Outcome::Sent, 5.0)]);
        let sent = j.last_sent("intro", "ps1").unwrap();
        let score = |id: &str| sent.get(id).map(|s| s.score);
        assert_eq!((score("a"), score("b"), score("c"), score("d")), (Some(2.0), Some(1.0), None, Some(5.0)));
        assert_eq!(sent["a"].max_score, 2.0);
        assert!(j.last_sent("other-course", "ps1").unwrap().is_empty());
        // The query finds the assignment's jobs by index, not by reading every job.
        let plan: Vec<String> = j
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {LAST_SENT}"))
            .unwrap()
            .query_map(params!["intro", "ps1"], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(plan.iter().any(|step| step.contains("USING INDEX job_of_assignment")), "{plan:?}");
        assert!(plan.iter().all(|step| !step.starts_with("SCAN")), "{plan:?}");
    }

    #[test]
    fn an_older_journal_gains_pending_manual_from_its_details() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite");
        {
            // The journal as the service wrote it before the column existed.
            let db = Connection::open(&path).unwrap();
            db.execute_batch(&SCHEMA.replace("    pending_manual INTEGER NOT NULL DEFAULT 0,\n", ""))
                .unwrap();
            db.execute_batch(
                "INSERT INTO job (id, course, assignment, started_by, created_at) VALUES ('j', 'c', 'ps1', 'cli', 1);
                 INSERT INTO job_student (job_id, student_id, score, max_score, outcome, detail)
                 VALUES ('j', 'bob', 1, 2, 'pending', '2 cells await a manual grade'),
                        ('j', 'ann', 1, 2, 'pending', NULL);",
            )
            .unwrap();
        }
        let j = Journal::open(&path).unwrap();
        let rows = j.students("j").unwrap();
        assert_eq!((rows[0].student_id.as_str(), rows[0].pending_manual), ("ann", false));
        assert_eq!((rows[1].student_id.as_str(), rows[1].pending_manual), ("bob", true));
        drop(j);
        Journal::open(&path).unwrap();
    }
}
