//! Who is calling, as the hub says, and who of them may grade a course.

use lablink_protocol::grading::GradingErrorCode;
use serde::Serialize;

use crate::config::Course;
use crate::error::ApiError;

/// Who the service thinks is calling. Its JSON is what `GET {prefix}api/me` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Caller {
    pub name: String,
    pub admin: bool,
    pub groups: Vec<String>,
}

impl Caller {
    /// Hub admins and members of the course's instructor group may read and sync its grades.
    pub fn may_grade(&self, instructor_group: &str) -> bool {
        self.admin || self.groups.iter().any(|g| g == instructor_group)
    }

    /// [`Caller::may_grade`] as a 403 for handlers: `caller.require_grader(course)?;`.
    pub fn require_grader(&self, course: &Course) -> Result<(), ApiError> {
        if self.may_grade(&course.instructor_group) {
            return Ok(());
        }
        Err(ApiError::new(
            GradingErrorCode::NotInstructor,
            format!(
                "You are signed in as {:?}, who is not in the group {:?} of the instructors of course {:?}: \
                 only they (and hub admins) may read or sync its grades.",
                self.name, course.instructor_group, course.id
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graders_are_admins_and_group_members() {
        let mut c = Caller { name: "t".into(), admin: false, groups: vec!["formgrade-a".into()] };
        assert!(c.may_grade("formgrade-a"));
        assert!(!c.may_grade("formgrade-b"));
        c.admin = true;
        assert!(c.may_grade("formgrade-b"));
    }
}
