//! nbgrader's `gradebook.db`, read-only. Scores are computed the way nbgrader's own CSV export
//! computes them:
//!
//! - a grade counts its manual score if set, else its auto score, else 0, plus extra credit;
//! - a submission's raw score is the sum of its grades, its penalty the sum of its notebooks'
//!   late-submission penalties, and its score `max(0, raw − penalty)`;
//! - an assignment's maximum is the sum of `max_score` over its grade and task cells;
//! - a student who did not submit scores 0.
//!
//! The database belongs to nbgrader: it is opened read-only, with `query_only` set, and every
//! read is one short statement or transaction, so nbgrader's writers are never locked out for
//! longer than a read takes.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use serde::Serialize;

/// How long a read waits for nbgrader to finish a write before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Tables (and the columns of them) this reader relies on.
const REQUIRED: &[(&str, &[&str])] = &[
    ("assignment", &["id", "name", "duedate"]),
    ("notebook", &["id", "assignment_id"]),
    ("base_cell", &["id", "notebook_id"]),
    ("grade_cells", &["id", "max_score"]),
    ("task_cells", &["id", "max_score"]),
    ("student", &["id", "first_name", "last_name", "email", "lms_user_id"]),
    ("submitted_assignment", &["id", "assignment_id", "student_id", "timestamp"]),
    ("submitted_notebook", &["id", "assignment_id", "late_submission_penalty"]),
    ("grade", &["notebook_id", "auto_score", "manual_score", "extra_credit", "needs_manual_grade"]),
];

#[derive(Debug, thiserror::Error)]
pub enum GradebookError {
    #[error("the gradebook {0} does not exist")]
    Missing(PathBuf),
    #[error("{path} is not an nbgrader gradebook: {why}")]
    NotAGradebook { path: PathBuf, why: String },
    #[error("no assignment named {0:?} in the gradebook")]
    NoSuchAssignment(String),
    #[error("reading the gradebook failed: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assignment {
    pub name: String,
    /// As nbgrader stores it (`YYYY-MM-DD HH:MM:SS[.ffffff]`, the course's time zone).
    pub duedate: Option<String>,
    pub max_score: f64,
    pub submissions: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Student {
    pub id: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    /// The LMS's id for the student, when nbgrader knows it.
    pub lms_user_id: Option<String>,
}

/// One student's result for one assignment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudentScore {
    pub student: Student,
    /// When the submission was collected; `None` when there is none.
    pub submitted_at: Option<String>,
    pub raw_score: f64,
    pub late_penalty: f64,
    /// `max(0, raw_score − late_penalty)`; 0 without a submission.
    pub score: f64,
    pub max_score: f64,
    /// Cells of the submission still waiting for a manual grade.
    pub ungraded_cells: u64,
}

impl StudentScore {
    pub fn submitted(&self) -> bool {
        self.submitted_at.is_some()
    }
}

pub struct Gradebook {
    conn: Connection,
}

/// The sum of `max_score` over the grade and task cells of assignment `?1`.
const MAX_SCORE_SQL: &str = "
    (SELECT COALESCE(SUM(gc.max_score), 0.0) FROM grade_cells gc
        JOIN base_cell bc ON bc.id = gc.id JOIN notebook n ON n.id = bc.notebook_id
        WHERE n.assignment_id = a.id)
  + (SELECT COALESCE(SUM(tc.max_score), 0.0) FROM task_cells tc
        JOIN base_cell bc ON bc.id = tc.id JOIN notebook n ON n.id = bc.notebook_id
        WHERE n.assignment_id = a.id)";

impl Gradebook {
    /// Opens `path` read-only and checks it has the tables nbgrader writes.
    pub fn open(path: &Path) -> Result<Self, GradebookError> {
        if !path.is_file() {
            return Err(GradebookError::Missing(path.to_owned()));
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "query_only", true)?;
        let not_gradebook = |why: String| GradebookError::NotAGradebook { path: path.to_owned(), why };
        for (table, columns) in REQUIRED {
            let mut stmt = conn
                .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .map_err(|e| not_gradebook(e.to_string()))?;
            let have: Vec<String> = stmt
                .query_map([], |r| r.get(0))
                .and_then(|rows| rows.collect())
                .map_err(|e| not_gradebook(e.to_string()))?;
            if have.is_empty() {
                return Err(not_gradebook(format!("no table `{table}`")));
            }
            if let Some(missing) = columns.iter().find(|c| !have.iter().any(|h| h == *c)) {
                return Err(not_gradebook(format!("table `{table}` has no column `{missing}`")));
            }
        }
        Ok(Self { conn })
    }

    /// Every assignment, by due date then name (undated last).
    pub fn assignments(&self) -> Result<Vec<Assignment>, GradebookError> {
        let sql = format!(
            "SELECT a.name, a.duedate, {MAX_SCORE_SQL},
                    (SELECT COUNT(*) FROM submitted_assignment sa WHERE sa.assignment_id = a.id)
             FROM assignment a
             ORDER BY a.duedate IS NULL, a.duedate, a.name"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], |r| {
            Ok(Assignment {
                name: r.get(0)?,
                duedate: r.get(1)?,
                max_score: r.get(2)?,
                submissions: r.get::<_, i64>(3)?.max(0) as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every student's score for `assignment`, by student id.
    pub fn scores(&mut self, assignment: &str) -> Result<Vec<StudentScore>, GradebookError> {
        Ok(self.assignment_scores(assignment)?.1)
    }

    /// How many students the gradebook knows.
    pub fn student_count(&self) -> Result<u64, GradebookError> {
        Ok(self.conn.query_row("SELECT COUNT(*) FROM student", [], |r| r.get::<_, i64>(0))?.max(0) as u64)
    }

    /// The assignment's maximum and every student's score, by student id. One transaction, so
    /// the rows and the maximum are from the same moment (and the maximum is known without
    /// students).
    pub fn assignment_scores(
        &mut self,
        assignment: &str,
    ) -> Result<(f64, Vec<StudentScore>), GradebookError> {
        let tx = self.conn.transaction()?;
        let found: Option<(String, f64)> = tx
            .query_row(
                &format!("SELECT a.id, {MAX_SCORE_SQL} FROM assignment a WHERE a.name = ?1"),
                params![assignment],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((assignment_id, max_score)) = found else {
            return Err(GradebookError::NoSuchAssignment(assignment.to_owned()));
        };
        let mut stmt = tx.prepare(
            "SELECT s.id, s.first_name, s.last_name, s.email, s.lms_user_id, sa.id, sa.timestamp,
                (SELECT COALESCE(SUM(CASE
                        WHEN g.manual_score IS NOT NULL THEN g.manual_score + COALESCE(g.extra_credit, 0.0)
                        WHEN g.auto_score IS NOT NULL THEN g.auto_score + COALESCE(g.extra_credit, 0.0)
                        ELSE 0.0 END), 0.0)
                    FROM submitted_notebook sn JOIN grade g ON g.notebook_id = sn.id
                    WHERE sn.assignment_id = sa.id),
                (SELECT COALESCE(SUM(sn.late_submission_penalty), 0.0)
                    FROM submitted_notebook sn WHERE sn.assignment_id = sa.id),
                (SELECT COUNT(*) FROM submitted_notebook sn JOIN grade g ON g.notebook_id = sn.id
                    WHERE sn.assignment_id = sa.id AND g.needs_manual_grade)
             FROM student s
             LEFT JOIN submitted_assignment sa ON sa.student_id = s.id AND sa.assignment_id = ?1
             ORDER BY s.id",
        )?;
        let rows = stmt.query_map(params![assignment_id], |r| {
            let submission: Option<String> = r.get(5)?;
            let student = Student {
                id: r.get(0)?,
                first_name: r.get(1)?,
                last_name: r.get(2)?,
                email: r.get(3)?,
                lms_user_id: r.get::<_, Option<String>>(4)?.filter(|id| !id.is_empty()),
            };
            if submission.is_none() {
                return Ok(StudentScore {
                    student,
                    submitted_at: None,
                    raw_score: 0.0,
                    late_penalty: 0.0,
                    score: 0.0,
                    max_score,
                    ungraded_cells: 0,
                });
            }
            let raw_score: f64 = r.get(7)?;
            let late_penalty: f64 = r.get(8)?;
            Ok(StudentScore {
                student,
                submitted_at: r.get(6)?,
                raw_score,
                late_penalty,
                score: (raw_score - late_penalty).max(0.0),
                max_score,
                ungraded_cells: r.get::<_, i64>(9)?.max(0) as u64,
            })
        })?;
        let scores = rows.collect::<Result<Vec<_>, _>>()?;
        drop(stmt);
        tx.commit()?;
        Ok((max_score, scores))
    }
}
