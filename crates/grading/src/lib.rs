//! The lablink grading service: reads nbgrader's gradebook and pushes scores to the LMS.

pub mod gradebook;
pub mod keys;
pub mod lti;
