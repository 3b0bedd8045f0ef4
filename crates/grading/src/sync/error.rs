//! Why a sync could not start or go on (one student's failure is a row's outcome instead).

use crate::gradebook::GradebookError;
use crate::lti::ags::AgsError;
use crate::lti::lti11::Lti11Error;
use crate::lti::token::TokenError;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Gradebook(#[from] GradebookError),
    #[error(transparent)]
    Token(#[from] TokenError),
    #[error(transparent)]
    Lms(#[from] AgsError),
    #[error(transparent)]
    Outcomes(#[from] Lti11Error),
    #[error("the sync journal failed: {0}")]
    Journal(#[from] rusqlite::Error),
    #[error("no line item for {0:?} in the LMS, and creating it was not allowed")]
    NoLineItem(String),
    #[error(
        "no line item for {assignment:?} in the LMS (none with resourceId or label {assignment:?}), and {why}: create the grade item in the LMS (Moodle: an activity or grade item of this tool named {assignment:?}), then sync again"
    )]
    NoLineItemReadOnly { assignment: String, why: &'static str },
    #[error("the LMS's line item for {0:?} came back without an id")]
    LineItemWithoutId(String),
    #[error("no such job {0:?}")]
    NoSuchJob(String),
    #[error(
        "a sync of {assignment:?} is already running or unfinished (job {job}): wait for it to end (the grading service resumes an unfinished one when it starts)"
    )]
    Busy { assignment: String, job: String },
}
