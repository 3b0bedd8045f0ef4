//! The assignment's students: id, name, nbgrader's score, the LMS's, and what a sync would do,
//! sortable by every column and filtered by name and outcome.

use std::rc::Rc;

use lablink_protocol::grading::GradeTable;
use lablink_ui::{ByPtr, Column, DataTable};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::labels::{Labels, fill};
use crate::table_model::{OutcomeFilter, filter_value, outcomes_present, parse_filter, student_rows};

#[derive(Properties)]
pub struct StudentTableProps {
    pub table: Rc<GradeTable>,
    pub labels: Rc<Labels>,
    pub height: u32,
}

/// The table by address: the same answer is the same table (see `ByPtr`).
impl PartialEq for StudentTableProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.table, &other.table) && self.labels == other.labels && self.height == other.height
    }
}

fn columns(labels: &Labels) -> Vec<Column> {
    vec![
        Column::text(labels.col_student.clone(), "minmax(7rem, 1fr)"),
        Column::text(labels.col_name.clone(), "minmax(9rem, 1.6fr)"),
        Column::number(labels.col_score.clone(), "minmax(9rem, 1.2fr)"),
        Column::number(labels.col_lms_score.clone(), "minmax(9rem, 1.2fr)"),
        Column::text(labels.col_action.clone(), "minmax(9rem, 1.5fr)"),
    ]
}

#[function_component(StudentTable)]
pub fn student_table(props: &StudentTableProps) -> Html {
    let name = use_state(String::new);
    let outcome = use_state(|| None as OutcomeFilter);
    let labels = &props.labels;
    let columns = use_memo(props.labels.clone(), |labels| columns(labels));
    let rows = use_memo((ByPtr(props.table.clone()), (*name).clone(), *outcome), {
        let labels = props.labels.clone();
        move |(table, name, outcome)| student_rows(&labels, table, name, *outcome)
    });

    // Effects run once the rows are in the DOM: the bench's "table painted".
    use_effect_with(ByPtr(rows.clone()), |rows| {
        if !rows.is_empty() {
            lablink_ui::mark("lablink:panel-table-painted");
        }
    });

    let on_name = {
        let name = name.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) {
                name.set(input.value());
            }
        })
    };
    let on_outcome = {
        let outcome = outcome.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target().and_then(|t| t.dyn_into::<HtmlSelectElement>().ok()) {
                outcome.set(parse_filter(&select.value()));
            }
        })
    };
    let choices =
        std::iter::once(None).chain(outcomes_present(&props.table).into_iter().map(Some)).map(|choice| {
            let text = match choice {
                None => labels.all_outcomes.clone(),
                Some(o) => labels.outcome(o).to_owned(),
            };
            html! { <option value={filter_value(choice)} selected={*outcome == choice}>{ text }</option> }
        });
    let shown = fill(
        &labels.students_shown,
        &[("count", &rows.len().to_string()), ("total", &props.table.rows.len().to_string())],
    );
    html! {
        <section class="lablink-students">
            <div class="lablink-toolbar">
                <input type="search" class="lablink-input lablink-name-filter" placeholder={labels.filter_name.clone()}
                    aria-label={labels.filter_name.clone()} value={(*name).clone()} oninput={on_name} />
                <label class="lablink-inline-field">
                    <span>{ labels.filter_outcome.clone() }</span>
                    <select class="lablink-input lablink-outcome-filter" onchange={on_outcome}>{ for choices }</select>
                </label>
                <span class="lablink-chosen" aria-live="polite">{ shown }</span>
            </div>
            <DataTable columns={columns} rows={rows} height={props.height}
                label={fill(&labels.students_table, &[("assignment", &props.table.assignment)])}
                empty={labels.no_students.clone()} />
        </section>
    }
}
