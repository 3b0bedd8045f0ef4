//! Choosing the course and the assignment: a course menu, and the course's assignments with
//! their due date, maximum and how many submitted.

use std::rc::Rc;

use lablink_protocol::grading::{AssignmentList, CourseList};
use lablink_ui::short_number;
use wasm_bindgen::JsCast;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::labels::{Labels, fill};

#[derive(Properties, PartialEq)]
pub struct AssignmentChoiceProps {
    pub courses: Rc<CourseList>,
    pub course: Option<String>,
    pub on_course: Callback<String>,
    /// The chosen course's assignments, once loaded.
    pub assignments: Option<Rc<AssignmentList>>,
    pub assignment: Option<String>,
    pub on_assignment: Callback<String>,
    pub labels: Rc<Labels>,
}

#[function_component(AssignmentChoice)]
pub fn assignment_choice(props: &AssignmentChoiceProps) -> Html {
    let labels = &props.labels;
    let on_change = {
        let on_course = props.on_course.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target().and_then(|t| t.dyn_into::<HtmlSelectElement>().ok()) {
                on_course.emit(select.value());
            }
        })
    };
    let courses = props.courses.courses.iter().map(|c| {
        html! { <option value={c.id.clone()} selected={props.course.as_deref() == Some(c.id.as_str())}>{ c.id.clone() }</option> }
    });
    let items = props.assignments.iter().flat_map(|list| list.assignments.iter()).map(|a| {
        let chosen = props.assignment.as_deref() == Some(a.name.as_str());
        let due = match &a.duedate {
            Some(date) => fill(&labels.due, &[("date", lablink_ui::nbgrader_time(date))]),
            None => labels.no_due.clone(),
        };
        let onclick = {
            let (on_assignment, name) = (props.on_assignment.clone(), a.name.clone());
            Callback::from(move |_: MouseEvent| on_assignment.emit(name.clone()))
        };
        html! {
            <li key={a.name.clone()}>
                <button type="button" class={classes!("lablink-assignment", chosen.then_some("lablink-chosen-item"))}
                    aria-pressed={if chosen { "true" } else { "false" }} {onclick}>
                    <span class="lablink-assignment-name">{ a.name.clone() }</span>
                    <span class="lablink-assignment-meta">{ due }</span>
                    <span class="lablink-assignment-meta">{ fill(&labels.max_score, &[("max", &short_number(a.max_score))]) }</span>
                    <span class="lablink-assignment-meta">
                        { fill(&labels.submissions, &[("count", &a.submissions.to_string()), ("total", &a.students.to_string())]) }
                    </span>
                </button>
            </li>
        }
    });
    let empty = props.assignments.as_ref().is_some_and(|l| l.assignments.is_empty());
    html! {
        <section class="lablink-choice">
            <label class="lablink-inline-field">
                <span>{ labels.course.clone() }</span>
                <select class="lablink-input lablink-course" aria-label={labels.choose_course.clone()} onchange={on_change}>
                    { for courses }
                </select>
            </label>
            <ul class="lablink-assignments" aria-label={labels.assignments.clone()}>{ for items }</ul>
            if empty {
                <p class="lablink-muted">{ labels.no_assignments.clone() }</p>
            } else if props.assignment.is_none() && props.assignments.is_some() {
                <p class="lablink-muted">{ labels.choose_assignment.clone() }</p>
            }
        </section>
    }
}
