//! A sync from the button to the outcomes, as a reducer: preview → (ticks) → confirm → job
//! running → done, and Retry failed as a new preview of just those students. Transitions are
//! pure (tested on the host); `use_sync` runs the requests and the job stream they call for.

use std::collections::BTreeSet;
use std::rc::Rc;

use lablink_client::ClientError;
use lablink_protocol::grading::{JobState, JobStatus, Outcome, StudentResult, SyncPreview, SyncRequest};
use yew::Reducible;

#[derive(Debug, Clone, PartialEq)]
pub enum Flow {
    Idle,
    /// The preview of `students` (all when `None`) is on its way.
    Previewing {
        students: Option<Vec<String>>,
    },
    /// Shown for confirmation; `overwrite` holds the ticked `lms_changed` students.
    Preview {
        students: Option<Vec<String>>,
        preview: Rc<SyncPreview>,
        overwrite: BTreeSet<String>,
    },
    /// Confirmed; the job is being started.
    Starting,
    Running(Rc<JobStatus>),
    Done(Rc<JobStatus>),
    Failed(ClientError),
}

pub enum FlowAction {
    /// Sync grades (`None`) or Retry failed (those students).
    Preview(Option<Vec<String>>),
    Previewed(SyncPreview),
    Toggle(String),
    TickAll(bool),
    Cancel,
    Confirm,
    Started(JobStatus),
    Progress(JobStatus),
    Failed(ClientError),
    /// Back to the start (the failure or outcomes were read).
    Dismiss,
    /// Another assignment was chosen: this one's flow is left (a running job goes on at the
    /// service, and shows in the history).
    Reset,
}

/// Students whose score the LMS holds as someone changed it there.
pub fn lms_changed(preview: &SyncPreview) -> impl Iterator<Item = &StudentResult> {
    preview.rows.iter().filter(|r| r.outcome == Outcome::LmsChanged)
}

/// Who Retry failed sends again: every student whose outcome may go through now.
pub fn retry_students(job: &JobStatus) -> Vec<String> {
    job.students.iter().filter(|s| s.outcome.is_retryable()).map(|s| s.student_id.clone()).collect()
}

impl Flow {
    /// What Confirm sends, in the preview state.
    pub fn request(&self) -> Option<SyncRequest> {
        match self {
            Flow::Preview { students, overwrite, .. } => Some(SyncRequest {
                students: students.clone(),
                overwrite: overwrite.iter().cloned().collect(),
            }),
            _ => None,
        }
    }

    pub fn busy(&self) -> bool {
        matches!(self, Flow::Previewing { .. } | Flow::Starting | Flow::Running(_))
    }

    /// The job shown (running or done).
    pub fn job(&self) -> Option<&Rc<JobStatus>> {
        match self {
            Flow::Running(job) | Flow::Done(job) => Some(job),
            _ => None,
        }
    }

    fn with_job(job: JobStatus) -> Flow {
        if job.state == JobState::Running { Flow::Running(Rc::new(job)) } else { Flow::Done(Rc::new(job)) }
    }

    /// The state after `action`, or `None` when it does not apply now (a late answer, a
    /// second click).
    pub fn next(&self, action: FlowAction) -> Option<Flow> {
        match (self, action) {
            (Flow::Idle | Flow::Done(_) | Flow::Failed(_), FlowAction::Preview(students)) => {
                Some(Flow::Previewing { students })
            }
            (Flow::Previewing { students }, FlowAction::Previewed(preview)) => Some(Flow::Preview {
                students: students.clone(),
                preview: Rc::new(preview),
                overwrite: BTreeSet::new(),
            }),
            (Flow::Preview { students, preview, overwrite }, FlowAction::Toggle(id)) => {
                if !lms_changed(preview).any(|r| r.student_id == id) {
                    return None;
                }
                let mut overwrite = overwrite.clone();
                if !overwrite.remove(&id) {
                    overwrite.insert(id);
                }
                Some(Flow::Preview { students: students.clone(), preview: preview.clone(), overwrite })
            }
            (Flow::Preview { students, preview, .. }, FlowAction::TickAll(all)) => {
                let overwrite = if all {
                    lms_changed(preview).map(|r| r.student_id.clone()).collect()
                } else {
                    BTreeSet::new()
                };
                Some(Flow::Preview { students: students.clone(), preview: preview.clone(), overwrite })
            }
            (Flow::Preview { .. } | Flow::Previewing { .. }, FlowAction::Cancel) => Some(Flow::Idle),
            (Flow::Preview { .. }, FlowAction::Confirm) => Some(Flow::Starting),
            (Flow::Starting, FlowAction::Started(job)) => Some(Flow::with_job(job)),
            (Flow::Running(current), FlowAction::Progress(job)) if job.id == current.id => {
                // Progress events leave the students out: keep none rather than stale ones.
                Some(Flow::with_job(job))
            }
            (
                Flow::Previewing { .. } | Flow::Preview { .. } | Flow::Starting | Flow::Running(_),
                FlowAction::Failed(e),
            ) => Some(Flow::Failed(e)),
            (Flow::Done(_) | Flow::Failed(_), FlowAction::Dismiss) => Some(Flow::Idle),
            (Flow::Idle, FlowAction::Reset) => None,
            (_, FlowAction::Reset) => Some(Flow::Idle),
            _ => None,
        }
    }
}

impl Reducible for Flow {
    type Action = FlowAction;

    fn reduce(self: Rc<Self>, action: FlowAction) -> Rc<Self> {
        match self.next(action) {
            Some(next) => Rc::new(next),
            None => self,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;

    use lablink_client::ErrorKind;
    use lablink_protocol::grading::LmsView;

    use super::*;

    pub(crate) fn result(id: &str, outcome: Outcome) -> StudentResult {
        StudentResult {
            student_id: id.into(),
            lms_user_id: Some(format!("u-{id}")),
            score: 5.0,
            max_score: 10.0,
            lms_score: Some(3.0),
            outcome,
            detail: None,
        }
    }

    pub(crate) fn preview() -> SyncPreview {
        let rows = vec![
            result("a", Outcome::Pending),
            result("b", Outcome::LmsChanged),
            result("c", Outcome::LmsChanged),
            result("d", Outcome::Unchanged),
        ];
        SyncPreview {
            course: "intro".into(),
            assignment: "ps1".into(),
            lms: LmsView { line_item: Some("li".into()), line_max: Some(10.0), error: None },
            counts: BTreeMap::from([
                (Outcome::Pending, 1),
                (Outcome::LmsChanged, 2),
                (Outcome::Unchanged, 1),
            ]),
            rows,
        }
    }

    pub(crate) fn job(state: JobState, done: u64, students: Vec<StudentResult>) -> JobStatus {
        JobStatus {
            id: "j1".into(),
            course: "intro".into(),
            assignment: "ps1".into(),
            started_by: "teacher".into(),
            created_at: 1_700_000_000,
            state,
            error: None,
            total: 4,
            done,
            counts: BTreeMap::new(),
            students,
        }
    }

    fn step(flow: Flow, action: FlowAction) -> Flow {
        flow.next(action).expect("the action applies")
    }

    #[test]
    fn preview_ticks_go_into_overwrite_and_are_off_by_default() {
        let flow = step(Flow::Idle, FlowAction::Preview(None));
        let flow = step(flow, FlowAction::Previewed(preview()));
        assert_eq!(flow.request(), Some(SyncRequest { students: None, overwrite: vec![] }));
        let flow = step(flow, FlowAction::Toggle("c".into()));
        assert_eq!(flow.request().unwrap().overwrite, ["c"]);
        // Only lms_changed students can be ticked.
        assert!(flow.next(FlowAction::Toggle("a".into())).is_none());
        let all = step(flow.clone(), FlowAction::TickAll(true));
        assert_eq!(all.request().unwrap().overwrite, ["b", "c"]);
        let none = step(all, FlowAction::TickAll(false));
        assert!(none.request().unwrap().overwrite.is_empty());
        let untick = step(flow, FlowAction::Toggle("c".into()));
        assert!(untick.request().unwrap().overwrite.is_empty());
    }

    #[test]
    fn a_job_runs_to_its_end_and_retry_previews_only_the_failures() {
        let flow = step(step(Flow::Idle, FlowAction::Preview(None)), FlowAction::Previewed(preview()));
        let flow = step(flow, FlowAction::Confirm);
        assert_eq!(flow, Flow::Starting);
        assert!(flow.busy());
        let flow = step(flow, FlowAction::Started(job(JobState::Running, 0, vec![])));
        let flow = step(flow, FlowAction::Progress(job(JobState::Running, 2, vec![])));
        assert_eq!(flow.job().unwrap().done, 2);
        // Another job's events are not this one's.
        let mut other = job(JobState::Running, 3, vec![]);
        other.id = "j2".into();
        assert!(flow.next(FlowAction::Progress(other)).is_none());
        let students = vec![
            result("a", Outcome::Sent),
            result("b", Outcome::Failed),
            result("c", Outcome::Refused),
            result("d", Outcome::Locked),
            result("e", Outcome::LmsChanged),
        ];
        let flow = step(flow, FlowAction::Progress(job(JobState::Finished, 4, students)));
        let Flow::Done(done) = &flow else { panic!("not done: {flow:?}") };
        assert_eq!(retry_students(done), ["b", "c", "d"]);
        let flow = step(flow.clone(), FlowAction::Preview(Some(retry_students(done))));
        let flow = step(flow, FlowAction::Previewed(preview()));
        assert_eq!(
            flow.request().unwrap().students.as_deref(),
            Some(&["b".to_owned(), "c".into(), "d".into()][..])
        );
    }

    #[test]
    fn failures_late_answers_and_double_clicks() {
        let flow = step(Flow::Idle, FlowAction::Preview(None));
        // A second click while the preview loads does nothing.
        assert!(flow.next(FlowAction::Preview(None)).is_none());
        let failed = step(flow.clone(), FlowAction::Failed(ClientError::new(ErrorKind::Offline, "x")));
        assert!(matches!(failed, Flow::Failed(_)));
        assert_eq!(step(failed, FlowAction::Dismiss), Flow::Idle);
        let cancelled = step(flow, FlowAction::Cancel);
        // The preview that arrives after Cancel is dropped.
        assert!(cancelled.next(FlowAction::Previewed(preview())).is_none());
        assert!(Flow::Idle.next(FlowAction::Confirm).is_none());
        // A job that finished before the answer came goes straight to done.
        let started = step(Flow::Starting, FlowAction::Started(job(JobState::Finished, 4, vec![])));
        assert!(matches!(started, Flow::Done(_)));
        // Choosing another assignment leaves any step, and a late answer then finds nothing.
        let running = step(Flow::Starting, FlowAction::Started(job(JobState::Running, 1, vec![])));
        let reset = step(running, FlowAction::Reset);
        assert_eq!(reset, Flow::Idle);
        assert!(reset.next(FlowAction::Progress(job(JobState::Finished, 4, vec![]))).is_none());
        assert!(Flow::Idle.next(FlowAction::Reset).is_none());
    }
}
