//! The grades panel: who is signed in and their courses, the assignment choice, its student
//! table and histogram, and the sync controls. Composes the views; the loading and the sync
//! flow are hooks (`loaders`, `use_sync`).

use std::rc::Rc;

use lablink_client::GradingClient;
use lablink_protocol::grading::{AssignmentList, CourseList, GradeTable, JobList, Me};
use lablink_ui::LoadState;
use yew::prelude::*;

use crate::assignment_choice::AssignmentChoice;
use crate::error_notice::ErrorNotice;
use crate::errors::{ErrorView, describe, no_courses};
use crate::job_history::JobHistory;
use crate::labels::{Labels, fill};
use crate::loaders::{Load, use_load};
use crate::score_histogram::ScoreHistogram;
use crate::student_table::StudentTable;
use crate::sync_flow::{Flow, retry_students};
use crate::sync_preview::SyncPreviewDialog;
use crate::sync_progress::SyncProgress;
use crate::use_sync::use_sync;

/// Everything `mount` worked out from the host's options.
pub struct PanelConfig {
    pub client: Rc<GradingClient>,
    pub labels: Rc<Labels>,
    pub service_url: String,
    pub height: u32,
}

#[derive(Properties, Clone)]
pub struct PanelProps {
    pub config: Rc<PanelConfig>,
}

impl PartialEq for PanelProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.config, &other.config)
    }
}

#[function_component(Panel)]
pub fn panel(props: &PanelProps) -> Html {
    let config = props.config.clone();
    let labels = config.labels.clone();
    // Bumped by Refresh and by a finished sync: everything shown is read again.
    let generation = use_state(|| 0u32);
    let course = use_state(|| None::<String>);
    let assignment = use_state(|| None::<String>);

    let client = config.client.clone();
    let start: Load<(Me, Rc<CourseList>)> = use_load(Some(()), *generation, move |()| {
        let client = client.clone();
        async move {
            let me = client.me().await?;
            Ok((me, Rc::new(client.courses().await?)))
        }
    });
    // The first course is chosen by itself.
    {
        let course = course.clone();
        let first = start.ready().and_then(|s| s.1.courses.first().map(|c| c.id.clone()));
        use_effect_with(first, move |first| {
            if course.is_none() && first.is_some() {
                course.set(first.clone());
            }
        });
    }
    let client = config.client.clone();
    let assignments: Load<AssignmentList> = use_load((*course).clone(), *generation, move |c| {
        let client = client.clone();
        async move { client.assignments(&c).await }
    });
    // So is the course's first assignment: the table shows without a click.
    {
        let assignment = assignment.clone();
        // (The list of the course just left may still be shown for one render.)
        let first = assignments
            .ready()
            .filter(|l| Some(&l.course) == course.as_ref())
            .and_then(|l| l.assignments.first().map(|a| a.name.clone()));
        use_effect_with(first, move |first| {
            if assignment.is_none() && first.is_some() {
                assignment.set(first.clone());
            }
        });
    }
    let client = config.client.clone();
    let grades: Load<GradeTable> =
        use_load((*course).clone().zip((*assignment).clone()), *generation, move |(c, a)| {
            let client = client.clone();
            async move {
                let table = client.grades(&c, &a).await;
                lablink_ui::mark("lablink:panel-data");
                table
            }
        });
    let client = config.client.clone();
    let jobs: Load<JobList> = use_load((*course).clone(), *generation, move |c| {
        let client = client.clone();
        async move { client.jobs(&c).await }
    });

    let refresh = {
        let generation = generation.clone();
        Callback::from(move |()| generation.set(*generation + 1))
    };
    let sync = use_sync(
        config.client.clone(),
        (*course).clone().unwrap_or_default(),
        (*assignment).clone().unwrap_or_default(),
        refresh.clone(),
    );

    let describe = |e: &lablink_client::ClientError| describe(&labels, &config.service_url, e);
    let header = html! {
        <div class="lablink-toolbar lablink-panel-header">
            <h2 class="lablink-panel-title">{ labels.title.clone() }</h2>
            <button type="button" class="lablink-button lablink-refresh" onclick={refresh.reform(|_| ())}>
                { labels.refresh.clone() }</button>
        </div>
    };
    let loading = |on: bool| {
        html! { <LoadState loading={on} error={None::<AttrValue>} on_retry={refresh.clone()}
        labels={lablink_ui::LoadLabels { loading: labels.loading.clone().into(), retry: labels.retry.clone().into(),
            error_title: labels.error_title.clone().into() }} /> }
    };

    let (me, courses) = match &start {
        Load::Ready(s) => (&s.0, s.1.clone()),
        Load::Failed(e) => {
            return html! { <div class="lablink-root lablink-panel">{ header }
            <ErrorNotice error={describe(e)} labels={labels.clone()} on_retry={Some(refresh.clone())} /></div> };
        }
        _ => return html! { <div class="lablink-root lablink-panel">{ header }{ loading(true) }</div> },
    };
    if courses.courses.is_empty() {
        let error = ErrorView { text: no_courses(&labels, &me.name, &me.groups), sign_in: None };
        return html! { <div class="lablink-root lablink-panel">{ header }
        <ErrorNotice {error} labels={labels.clone()} on_retry={Some(refresh.clone())} /></div> };
    }

    let on_course = {
        let (course, assignment) = (course.clone(), assignment.clone());
        Callback::from(move |id: String| {
            course.set(Some(id));
            assignment.set(None);
        })
    };
    let on_assignment = {
        let assignment = assignment.clone();
        Callback::from(move |name: String| assignment.set(Some(name)))
    };
    let choice = html! {
        <AssignmentChoice courses={courses.clone()} course={(*course).clone()} on_course={on_course}
            assignments={assignments.ready().cloned()} assignment={(*assignment).clone()}
            on_assignment={on_assignment} labels={labels.clone()} />
    };
    let assignment_error = match &assignments {
        Load::Failed(e) => {
            html! { <ErrorNotice error={describe(e)} labels={labels.clone()} on_retry={Some(refresh.clone())} /> }
        }
        Load::Loading => loading(true),
        _ => Html::default(),
    };

    let body = match (&grades, &*assignment) {
        (_, None) => Html::default(),
        (Load::Failed(e), _) => {
            html! { <ErrorNotice error={describe(e)} labels={labels.clone()} on_retry={Some(refresh.clone())} /> }
        }
        (Load::Ready(table), Some(name)) => {
            let flow = sync.flow.clone();
            let history: Rc<Vec<_>> = Rc::new(
                jobs.ready()
                    .map(|j| j.jobs.iter().filter(|job| &job.assignment == name).cloned().collect())
                    .unwrap_or_default(),
            );
            // Retry failed: the students of the last sync shown, else of the latest in the history.
            let last = flow.job().map(|j| (**j).clone()).or_else(|| history.first().cloned());
            let retry = last.as_ref().map(retry_students).unwrap_or_default();
            let csv = config.client.csv_url(&table.course, &table.assignment);
            let on_sync = sync.preview.reform(|_: MouseEvent| None);
            let on_retry = {
                let (preview, retry) = (sync.preview.clone(), retry.clone());
                Callback::from(move |_: MouseEvent| preview.emit(Some(retry.clone())))
            };
            let busy = flow.busy();
            let flow_view = match &*flow {
                Flow::Previewing { .. } => loading(true),
                Flow::Preview { preview, overwrite, .. } => html! {
                    <SyncPreviewDialog preview={preview.clone()} overwrite={Rc::new(overwrite.clone())}
                        labels={labels.clone()} on_toggle={sync.toggle.clone()} on_tick_all={sync.tick_all.clone()}
                        on_confirm={sync.confirm.clone()} on_cancel={sync.cancel.clone()} />
                },
                Flow::Starting => html! {
                    <SyncProgress job={None::<Rc<_>>} labels={labels.clone()} on_retry={sync.preview.reform(Some)}
                        on_close={sync.dismiss.clone()} />
                },
                Flow::Running(job) | Flow::Done(job) => html! {
                    <SyncProgress job={Some(job.clone())} labels={labels.clone()} on_retry={sync.preview.reform(Some)}
                        on_close={sync.dismiss.clone()} />
                },
                Flow::Failed(e) => html! {
                    <ErrorNotice error={describe(e)} labels={labels.clone()} on_close={Some(sync.dismiss.clone())} />
                },
                Flow::Idle => Html::default(),
            };
            html! {
                <>
                    <div class="lablink-toolbar lablink-sync-actions">
                        <div class="lablink-actions">
                            <button type="button" class="lablink-button lablink-button-primary lablink-sync-button"
                                disabled={busy} onclick={on_sync}>{ labels.sync.clone() }</button>
                            if !retry.is_empty() && !matches!(&*flow, Flow::Done(_)) {
                                <button type="button" class="lablink-button lablink-retry-failed" disabled={busy}
                                    onclick={on_retry}>{ fill(&labels.retry_failed, &[("count", &retry.len().to_string())]) }</button>
                            }
                            <a class="lablink-button lablink-csv" href={csv} download="">{ labels.csv.clone() }</a>
                        </div>
                    </div>
                    if let Some(error) = &table.lms.error {
                        <p class="lablink-notice lablink-notice-error" role="status">
                            { fill(&labels.lms_unavailable, &[("message", error)]) }</p>
                    }
                    { flow_view }
                    <StudentTable table={table.clone()} labels={labels.clone()} height={config.height} />
                    <ScoreHistogram table={table.clone()} labels={labels.clone()} />
                    <JobHistory jobs={history} labels={labels.clone()} />
                </>
            }
        }
        _ => loading(true),
    };

    html! {
        <div class="lablink-root lablink-panel">
            { header }
            { choice }
            { assignment_error }
            { body }
        </div>
    }
}
