//! `GET api/courses` and a course's assignments.

use axum::Json;
use axum::extract::State;
use lablink_protocol::grading::{AssignmentInfo, AssignmentList, CourseInfo, CourseList, GradingErrorCode};

use super::error::{ApiError, ApiResult};
use super::extract::{GradedCourse, service};
use crate::auth::Caller;
use crate::gradebook::{Gradebook, GradebookError};
use crate::service::Service;
use crate::state::SharedState;

pub(super) async fn courses(State(state): State<SharedState>, caller: Caller) -> ApiResult<Json<CourseList>> {
    let service = service(&state)?;
    let courses = service
        .config
        .courses
        .iter()
        .filter(|c| caller.may_grade(&c.instructor_group))
        .map(|c| CourseInfo {
            id: c.id.clone(),
            lms: Service::lms_kind(c),
            instructor_group: c.instructor_group.clone(),
        })
        .collect();
    let mut instructor_groups: Vec<String> =
        service.config.courses.iter().map(|c| c.instructor_group.clone()).collect();
    instructor_groups.sort();
    instructor_groups.dedup();
    Ok(Json(CourseList { user: caller.name, courses, instructor_groups }))
}

pub(super) async fn assignments(
    GradedCourse { course, .. }: GradedCourse,
) -> ApiResult<Json<AssignmentList>> {
    let path = course.gradebook.clone();
    let (assignments, students) = tokio::task::spawn_blocking(move || {
        let gradebook = Gradebook::open(&path)?;
        Ok::<_, GradebookError>((gradebook.assignments()?, gradebook.student_count()?))
    })
    .await
    .map_err(|e| ApiError::new(GradingErrorCode::Internal, e.to_string()))??;
    let assignments = assignments
        .into_iter()
        .map(|a| AssignmentInfo {
            name: a.name,
            duedate: a.duedate,
            max_score: a.max_score,
            submissions: a.submissions,
            students,
        })
        .collect();
    Ok(Json(AssignmentList { course: course.id.clone(), assignments }))
}
