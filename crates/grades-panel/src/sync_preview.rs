//! The preview of a sync, to confirm: how many students each outcome has, every student's
//! row, and the students whose LMS score someone changed, each with a tick box (off unless the
//! instructor ticks it) that lets the sync overwrite it.

use std::collections::BTreeSet;
use std::rc::Rc;

use lablink_protocol::grading::SyncPreview;
use lablink_ui::{ByPtr, ConfirmDialog, DataTable, TableRow};
use yew::prelude::*;

use crate::labels::{Labels, fill};
use crate::results::{result_columns, result_rows};
use crate::sync_flow::lms_changed;

#[derive(Properties)]
pub struct SyncPreviewProps {
    pub preview: Rc<SyncPreview>,
    pub overwrite: Rc<BTreeSet<String>>,
    pub labels: Rc<Labels>,
    pub on_toggle: Callback<String>,
    pub on_tick_all: Callback<bool>,
    pub on_confirm: Callback<()>,
    pub on_cancel: Callback<()>,
}

/// The preview by address (see `ByPtr`); the ticks change with every click.
impl PartialEq for SyncPreviewProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.preview, &other.preview)
            && self.overwrite == other.overwrite
            && self.labels == other.labels
            && self.on_toggle == other.on_toggle
            && self.on_tick_all == other.on_tick_all
            && self.on_confirm == other.on_confirm
            && self.on_cancel == other.on_cancel
    }
}

#[function_component(SyncPreviewDialog)]
pub fn sync_preview(props: &SyncPreviewProps) -> Html {
    let labels = &props.labels;
    let columns = use_memo(props.labels.clone(), |labels| Rc::new(result_columns(labels)));
    let rows = use_memo((ByPtr(props.preview.clone()), props.labels.clone()), |(preview, labels)| {
        Rc::new(result_rows(labels, preview.rows.iter()))
    });
    let changed: Rc<Vec<TableRow>> =
        use_memo((ByPtr(props.preview.clone()), props.labels.clone()), |(preview, labels)| {
            Rc::new(result_rows(labels, lms_changed(preview)))
        })
        .as_ref()
        .clone();
    let ticked: Rc<BTreeSet<AttrValue>> =
        Rc::new(props.overwrite.iter().map(|s| AttrValue::from(s.clone())).collect());
    let all_ticked = !changed.is_empty() && ticked.len() == changed.len();

    let counts = props.preview.counts.iter().filter(|(_, n)| **n > 0).map(|(outcome, n)| {
        let line = fill(
            &labels.count_line,
            &[("outcome", labels.outcome(Some(*outcome))), ("count", &n.to_string())],
        );
        html! { <li class={crate::table_model::outcome_class(Some(*outcome))}>{ line }</li> }
    });
    let on_toggle = props.on_toggle.reform(|key: AttrValue| key.to_string());
    let on_tick_all = {
        let on_tick_all = props.on_tick_all.clone();
        Callback::from(move |_: MouseEvent| on_tick_all.emit(!all_ticked))
    };
    html! {
        <ConfirmDialog open={true} wide={true}
            title={fill(&labels.preview_title, &[("assignment", &props.preview.assignment)])}
            confirm_label={labels.confirm_sync.clone()} cancel_label={labels.cancel.clone()}
            on_confirm={props.on_confirm.clone()} on_cancel={props.on_cancel.clone()}>
            if let Some(error) = &props.preview.lms.error {
                <p class="lablink-field-error">{ fill(&labels.err_lms, &[("message", error)]) }</p>
            }
            <h3 class="lablink-subtitle">{ labels.preview_counts.clone() }</h3>
            <ul class="lablink-counts">{ for counts }</ul>
            if !changed.is_empty() {
                <section class="lablink-lms-changed">
                    <h3 class="lablink-subtitle">{ labels.lms_changed_title.clone() }</h3>
                    <p class="lablink-muted">{ labels.lms_changed_help.clone() }</p>
                    <label class="lablink-inline-field">
                        <input type="checkbox" class="lablink-tick-all" checked={all_ticked} onclick={on_tick_all} />
                        <span>{ labels.tick_all.clone() }</span>
                    </label>
                    <DataTable columns={(*columns).clone()} rows={changed.clone()} height={(40 + 32 * changed.len() as u32).min(200)}
                        label={labels.lms_changed_title.clone()} empty={labels.no_students.clone()}
                        checked={Some(ticked)} on_toggle={on_toggle} check_label={labels.overwrite.clone()} />
                </section>
            }
            <h3 class="lablink-subtitle">{ labels.preview_rows.clone() }</h3>
            <DataTable columns={(*columns).clone()} rows={(*rows).clone()} height={240}
                label={labels.preview_rows.clone()} empty={labels.no_students.clone()} />
        </ConfirmDialog>
    }
}
