//! A sync under way and its end: the progress bar fed by the job's events, then every
//! student's outcome and, when some did not go through, Retry failed.

use std::rc::Rc;

use lablink_protocol::grading::{JobState, JobStatus};
use lablink_ui::{ByPtr, DataTable, ProgressBar};
use yew::prelude::*;

use crate::labels::{Labels, fill};
use crate::results::{result_columns, result_rows};
use crate::sync_flow::retry_students;

#[derive(Properties, PartialEq)]
pub struct SyncProgressProps {
    /// `None` while the job is being started.
    pub job: Option<Rc<JobStatus>>,
    pub labels: Rc<Labels>,
    pub on_retry: Callback<Vec<String>>,
    pub on_close: Callback<()>,
}

#[function_component(SyncProgress)]
pub fn sync_progress(props: &SyncProgressProps) -> Html {
    let labels = &props.labels;
    let columns = use_memo(props.labels.clone(), |labels| Rc::new(result_columns(labels)));
    let rows = use_memo((props.job.clone().map(ByPtr), props.labels.clone()), |(job, labels)| {
        Rc::new(job.as_ref().map(|j| result_rows(labels, j.students.iter())).unwrap_or_default())
    });
    let Some(job) = &props.job else {
        return html! {
            <section class="lablink-sync"><ProgressBar value={None::<f64>} label={labels.starting.clone()} /></section>
        };
    };
    let (done, total) = (job.done.to_string(), job.total.to_string());
    let counts = [("done", done.as_str()), ("total", total.as_str())];
    if job.state == JobState::Running {
        let value = if job.total == 0 { None } else { Some(job.done as f64 / job.total as f64) };
        return html! {
            <section class="lablink-sync"><ProgressBar {value} label={fill(&labels.syncing, &counts)} /></section>
        };
    }
    let retry = retry_students(job);
    let on_retry = {
        let (on_retry, retry) = (props.on_retry.clone(), retry.clone());
        Callback::from(move |_: MouseEvent| on_retry.emit(retry.clone()))
    };
    let summary = match (&job.state, &job.error) {
        (JobState::Failed, Some(error)) => fill(&labels.sync_failed, &[("message", error)]),
        _ => fill(&labels.sync_done, &counts),
    };
    html! {
        <section class="lablink-sync lablink-sync-done">
            <div class="lablink-toolbar">
                <p class={classes!("lablink-sync-summary", (job.state == JobState::Failed).then_some("lablink-field-error"))}
                    role="status">{ summary }</p>
                <div class="lablink-actions">
                    if !retry.is_empty() {
                        <button type="button" class="lablink-button lablink-button-primary lablink-retry-failed"
                            onclick={on_retry}>{ fill(&labels.retry_failed, &[("count", &retry.len().to_string())]) }</button>
                    }
                    <button type="button" class="lablink-button" onclick={props.on_close.reform(|_| ())}>
                        { labels.close.clone() }</button>
                </div>
            </div>
            if !rows.is_empty() {
                <h3 class="lablink-subtitle">{ labels.outcomes_title.clone() }</h3>
                <DataTable columns={(*columns).clone()} rows={(*rows).clone()} height={240}
                    label={labels.outcomes_title.clone()} empty={labels.no_students.clone()} />
            }
        </section>
    }
}
