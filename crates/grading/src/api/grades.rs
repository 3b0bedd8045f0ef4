//! An assignment's grades beside the LMS's, as JSON or CSV.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use lablink_protocol::grading::{GradeRow, GradeTable, GradingErrorCode, SyncRequest};

use super::assess::{assessed, launch, lms_view};
use super::error::{ApiError, ApiResult};
use super::extract::GradedCourse;
use crate::auth::Caller;
use crate::config::Course;
use crate::state::SharedState;

pub(super) async fn table(
    state: &SharedState,
    caller: &Caller,
    course: &Course,
    assignment: &str,
) -> ApiResult<GradeTable> {
    // Without a launch the table still shows nbgrader's side, and says why the LMS is missing.
    let launch = launch(state, caller, course).await;
    let (max_score, scores, assessment) =
        assessed(state, course, assignment, &SyncRequest::default(), launch).await?;
    let lms = lms_view(&assessment);
    let planned = assessment.map(|a| a.rows).unwrap_or_default();
    let rows = scores
        .into_iter()
        .map(|s| {
            let plan = planned.iter().find(|r| r.student_id == s.student.id);
            GradeRow {
                student_id: s.student.id,
                first_name: s.student.first_name,
                last_name: s.student.last_name,
                lms_user_id: s.student.lms_user_id,
                submitted_at: s.submitted_at,
                raw_score: s.raw_score,
                late_penalty: s.late_penalty,
                score: s.score,
                max_score: s.max_score,
                ungraded_cells: s.ungraded_cells,
                lms_score: plan.and_then(|p| p.lms_score),
                status: plan.map(|p| p.outcome),
            }
        })
        .collect();
    Ok(GradeTable { course: course.id.clone(), assignment: assignment.to_owned(), max_score, lms, rows })
}

pub(super) async fn grades(
    State(state): State<SharedState>,
    GradedCourse { caller, course, .. }: GradedCourse,
    Path((_, assignment)): Path<(String, String)>,
) -> ApiResult<Json<GradeTable>> {
    Ok(Json(table(&state, &caller, &course, &assignment).await?))
}

/// A cell a spreadsheet will not run as a formula (names come from students).
pub(super) fn inert(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_owned() }
}

pub(super) fn number(n: Option<f64>) -> String {
    n.map(|n| format!("{}", (n * 1e6).round() / 1e6)).unwrap_or_default()
}

pub(super) async fn grades_csv(
    State(state): State<SharedState>,
    GradedCourse { caller, course, .. }: GradedCourse,
    Path((_, assignment)): Path<(String, String)>,
) -> ApiResult<Response> {
    let table = table(&state, &caller, &course, &assignment).await?;
    let mut csv = csv::Writer::from_writer(Vec::new());
    let internal = |e: csv::Error| ApiError::new(GradingErrorCode::Internal, e.to_string());
    csv.write_record([
        "student_id",
        "first_name",
        "last_name",
        "lms_user_id",
        "submitted_at",
        "raw_score",
        "late_penalty",
        "score",
        "max_score",
        "ungraded_cells",
        "lms_score",
        "status",
    ])
    .map_err(internal)?;
    for r in &table.rows {
        let text = |t: &Option<String>| inert(t.as_deref().unwrap_or_default());
        csv.write_record([
            inert(&r.student_id),
            text(&r.first_name),
            text(&r.last_name),
            text(&r.lms_user_id),
            text(&r.submitted_at),
            number(Some(r.raw_score)),
            number(Some(r.late_penalty)),
            number(Some(r.score)),
            number(Some(r.max_score)),
            r.ungraded_cells.to_string(),
            number(r.lms_score),
            r.status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
        ])
        .map_err(internal)?;
    }
    let bytes = csv.into_inner().map_err(|e| ApiError::new(GradingErrorCode::Internal, e.to_string()))?;
    let file: String = format!("{}-{}.csv", table.course, table.assignment)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\"")),
        ],
        bytes,
    )
        .into_response())
}
