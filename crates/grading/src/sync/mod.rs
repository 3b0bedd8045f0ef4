//! A sync: one assignment's nbgrader scores to its LMS line item (LTI 1.3 AGS).
//!
//! `plan` reads the gradebook, the roster and what the LMS already holds, and journals a job
//! with one row per student: `pending`, or already final (`unchanged`, `not_enrolled`,
//! `no_lms_id`, `lms_changed` for a score someone changed in the LMS). `run` sends the pending rows, a bounded number at a time, and also the rows
//! a stopped service left `sending` (with the timestamp journalled for them).
//!
//! Its modules, each using only those listed before it:
//! - `error`: why a sync could not start or go on.
//! - `target`: where an assignment's scores go (LTI 1.3 AGS or LTI 1.1 outcomes).
//! - `roster`: which LMS user a student is, by the course's matching rule.
//! - `syncer`: the [`Syncer`]: plan a job, run it, the journal writes around each student.
//! - `ags`: the LTI 1.3 side: token scopes, the line item, results and scores.
//! - `lti11`: the LTI 1.1 side: results read one by one, replaceResult.

mod ags;
mod error;
mod lti11;
mod roster;
mod syncer;
mod target;

pub use ags::TAG;
pub use error::SyncError;
pub use syncer::{Assessment, Plan, Scores, Summary, Syncer, on_scale};
pub use target::{AgsTarget, OutcomesTarget, Target};
