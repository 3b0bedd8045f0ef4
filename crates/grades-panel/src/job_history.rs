//! The assignment's past syncs, newest first: when, by whom, how far, and how it ended.

use std::rc::Rc;

use lablink_protocol::grading::JobStatus;
use yew::prelude::*;

use crate::labels::{Labels, fill};

#[derive(Properties, PartialEq)]
pub struct JobHistoryProps {
    /// This assignment's jobs.
    pub jobs: Rc<Vec<JobStatus>>,
    pub labels: Rc<Labels>,
}

/// A job's start in the user's local time, `YYYY-MM-DD HH:MM`.
fn when(unix_secs: i64) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix_secs as f64 * 1000.0));
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            date.get_full_year(),
            date.get_month() + 1,
            date.get_date(),
            date.get_hours(),
            date.get_minutes()
        )
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        unix_secs.to_string()
    }
}

#[function_component(JobHistory)]
pub fn job_history(props: &JobHistoryProps) -> Html {
    let labels = &props.labels;
    let items = props.jobs.iter().map(|job| {
        let line = fill(
            &labels.history_line,
            &[
                ("date", &when(job.created_at)),
                ("user", &job.started_by),
                ("state", labels.job_state(job.state)),
                ("done", &job.done.to_string()),
                ("total", &job.total.to_string()),
            ],
        );
        html! { <li key={job.id.clone()} title={job.error.clone()}>{ line }</li> }
    });
    html! {
        <details class="lablink-history">
            <summary>{ labels.history.clone() }</summary>
            if props.jobs.is_empty() {
                <p class="lablink-muted">{ labels.history_empty.clone() }</p>
            } else {
                <ul>{ for items }</ul>
            }
        </details>
    }
}
