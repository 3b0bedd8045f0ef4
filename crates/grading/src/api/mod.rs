//! The JSON API the grades panel and scripts use (types in `lablink_protocol::grading`).
//! Every handler takes the hub-checked [`Caller`](crate::auth::Caller) first; a course's grades are shown and
//! synced only to members of its instructor group and hub admins.
//!
//! One module per resource (`courses`, `grades`, `sync`, `jobs`) on top of `error`, `extract`
//! and `assess`, which they share.

mod assess;
mod courses;
mod error;
mod extract;
mod grades;
mod jobs;
mod sync;

use axum::Router;
use axum::routing::{get, post};

pub use error::ApiError;
pub use extract::GradedCourse;

use crate::state::SharedState;

pub fn routes() -> Router<SharedState> {
    Router::new()
        .route("/api/courses", get(courses::courses))
        .route("/api/courses/{course}/assignments", get(courses::assignments))
        .route("/api/courses/{course}/assignments/{name}/grades", get(grades::grades))
        .route("/api/courses/{course}/assignments/{name}/grades.csv", get(grades::grades_csv))
        .route("/api/courses/{course}/assignments/{name}/preview", post(sync::preview))
        .route("/api/courses/{course}/assignments/{name}/sync", post(sync::sync))
        .route("/api/courses/{course}/jobs", get(jobs::jobs))
        .route("/api/jobs/{id}", get(jobs::job))
        .route("/api/jobs/{id}/events", get(jobs::job_events))
}
