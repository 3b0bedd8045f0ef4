//! The sync journal (SQLite): every job and every student's outcome in it, written before
//! and after each score is sent, so a service killed mid-sync resumes where it stopped.
//!
//! A score's AGS timestamp is fixed in the journal *before* it is sent. After a crash, a row
//! left `sending` is sent again with the same timestamp: a platform that already holds it
//! refuses the duplicate (not later than what it stores, 409) rather than recording it twice,
//! and the results service then tells whether it landed.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};

/// What happened to one student's score in a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Waiting its turn.
    Pending,
    /// Being sent (or was, when the service stopped).
    Sending,
    Sent,
    /// The LMS already held this score.
    Unchanged,
    /// Not an active learner in the LMS course.
    NotEnrolled,
    /// nbgrader knows no LMS id for the student.
    NoLmsId,
    /// The LMS refused it (4xx); its reason is in `detail`.
    Refused,
    /// Failed after the retries (LMS down, 5xx); `detail` says how.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Unchanged => "unchanged",
            Self::NotEnrolled => "not_enrolled",
            Self::NoLmsId => "no_lms_id",
            Self::Refused => "refused",
            Self::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Pending,
            Self::Sending,
            Self::Sent,
            Self::Unchanged,
            Self::NotEnrolled,
            Self::NoLmsId,
            Self::Refused,
            Self::Failed,
        ]
        .into_iter()
        .find(|o| o.as_str() == text)
    }

    /// Whether the job is done with this student.
    pub fn is_final(self) -> bool {
        !matches!(self, Self::Pending | Self::Sending)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StudentRow {
    pub student_id: String,
    pub lms_user_id: Option<String>,
    pub score: f64,
    pub max_score: f64,
    pub outcome: Outcome,
    /// The AGS timestamp this score is (to be) sent with, once fixed.
    pub timestamp: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub id: String,
    pub course: String,
    pub assignment: String,
    pub lineitem: Option<String>,
    pub created_at: i64,
    pub finished: bool,
}

pub struct Journal {
    conn: Connection,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS job (
    id TEXT PRIMARY KEY,
    course TEXT NOT NULL,
    assignment TEXT NOT NULL,
    lineitem TEXT,
    created_at INTEGER NOT NULL,
    finished INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS job_student (
    job_id TEXT NOT NULL REFERENCES job(id),
    student_id TEXT NOT NULL,
    lms_user_id TEXT,
    score REAL NOT NULL,
    max_score REAL NOT NULL,
    outcome TEXT NOT NULL,
    timestamp TEXT,
    detail TEXT,
    PRIMARY KEY (job_id, student_id)
);
CREATE INDEX IF NOT EXISTS job_unfinished ON job(finished);
";

impl Journal {
    pub fn open(path: &Path) -> rusqlite::Result<Self> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        // WAL: readers (progress polls) never wait for the sync's writes. FULL sync: an
        // outcome acknowledged here survives a power cut, which is the point of a journal.
        conn.pragma_update(None, "journal_mode", "wal")?;
        conn.pragma_update(None, "synchronous", "full")?;
        conn.execute_batch(SCHEMA)?;
        Ok(Self { conn })
    }

    /// Records a new job with every student `pending` (or already final, e.g. `no_lms_id`).
    pub fn create_job(&mut self, job: &Job, students: &[StudentRow]) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO job (id, course, assignment, lineitem, created_at, finished) VALUES (?1, ?2, ?3, ?4, ?5, 0)",
            params![job.id, job.course, job.assignment, job.lineitem, job.created_at],
        )?;
        {
            let mut insert = tx.prepare(
                "INSERT INTO job_student (job_id, student_id, lms_user_id, score, max_score, outcome, timestamp, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for s in students {
                insert.execute(params![
                    job.id,
                    s.student_id,
                    s.lms_user_id,
                    s.score,
                    s.max_score,
                    s.outcome.as_str(),
                    s.timestamp,
                    s.detail
                ])?;
            }
        }
        tx.commit()
    }

    pub fn set_lineitem(&self, job_id: &str, lineitem: &str) -> rusqlite::Result<()> {
        self.conn.execute("UPDATE job SET lineitem = ?2 WHERE id = ?1", params![job_id, lineitem])?;
        Ok(())
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

    pub fn finish_job(&self, job_id: &str) -> rusqlite::Result<()> {
        self.conn.execute("UPDATE job SET finished = 1 WHERE id = ?1", params![job_id])?;
        Ok(())
    }

    pub fn job(&self, job_id: &str) -> rusqlite::Result<Option<Job>> {
        self.conn
            .query_row(
                "SELECT id, course, assignment, lineitem, created_at, finished FROM job WHERE id = ?1",
                params![job_id],
                |r| {
                    Ok(Job {
                        id: r.get(0)?,
                        course: r.get(1)?,
                        assignment: r.get(2)?,
                        lineitem: r.get(3)?,
                        created_at: r.get(4)?,
                        finished: r.get(5)?,
                    })
                },
            )
            .optional()
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

    pub fn students(&self, job_id: &str) -> rusqlite::Result<Vec<StudentRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT student_id, lms_user_id, score, max_score, outcome, timestamp, detail
             FROM job_student WHERE job_id = ?1 ORDER BY student_id",
        )?;
        let rows = stmt.query_map(params![job_id], |r| {
            let outcome: String = r.get(4)?;
            Ok(StudentRow {
                student_id: r.get(0)?,
                lms_user_id: r.get(1)?,
                score: r.get(2)?,
                max_score: r.get(3)?,
                outcome: Outcome::parse(&outcome).unwrap_or(Outcome::Failed),
                timestamp: r.get(5)?,
                detail: r.get(6)?,
            })
        })?;
        rows.collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str, outcome: Outcome) -> StudentRow {
        StudentRow {
            student_id: id.into(),
            lms_user_id: Some(format!("lms-{id}")),
            score: 1.5,
            max_score: 2.0,
            outcome,
            timestamp: None,
            detail: None,
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
            lineitem: None,
            created_at: 1,
            finished: false,
        };
        {
            let mut j = Journal::open(&path).unwrap();
            j.create_job(
                &job,
                &[row("a", Outcome::Pending), row("b", Outcome::Pending), row("c", Outcome::NoLmsId)],
            )
            .unwrap();
            j.set_lineitem("j1", "https://lms.example/li/1").unwrap();
            j.sending("j1", "a", "2026-11-22T03:00:00.000001Z").unwrap();
            j.finish_student("j1", "a", Outcome::Sent, None).unwrap();
            j.sending("j1", "b", "2026-11-22T03:00:00.000002Z").unwrap();
            // The service dies here: b was being sent.
        }
        let j = Journal::open(&path).unwrap();
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
        j.finish_job("j1").unwrap();
        assert!(j.unfinished().unwrap().is_empty());
        assert!(j.students("j1").unwrap().iter().all(|r| r.outcome.is_final()));
    }

    #[test]
    fn outcome_names_round_trip() {
        for o in [Outcome::Pending, Outcome::Sent, Outcome::Refused, Outcome::NotEnrolled, Outcome::NoLmsId] {
            assert_eq!(Outcome::parse(o.as_str()), Some(o));
            assert_eq!(serde_json::to_value(o).unwrap(), o.as_str());
        }
        assert_eq!(Outcome::parse("exploded"), None);
    }
}
