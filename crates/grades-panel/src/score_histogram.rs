//! The assignment's scores as a histogram: nbgrader's beside the LMS's.

use std::rc::Rc;

use lablink_protocol::grading::GradeTable;
use lablink_ui::{ByPtr, Histogram, Series};
use yew::prelude::*;

use crate::labels::{Labels, fill};

#[derive(Properties)]
pub struct ScoreHistogramProps {
    pub table: Rc<GradeTable>,
    pub labels: Rc<Labels>,
}

/// The table by address (see `ByPtr`).
impl PartialEq for ScoreHistogramProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.table, &other.table) && self.labels == other.labels
    }
}

#[function_component(ScoreHistogram)]
pub fn score_histogram(props: &ScoreHistogramProps) -> Html {
    let series = use_memo((ByPtr(props.table.clone()), props.labels.clone()), |(table, labels)| {
        vec![
            Series {
                label: labels.series_nbgrader.clone().into(),
                values: Rc::new(table.rows.iter().map(|r| r.score).collect()),
                class: AttrValue::Static("lablink-series-1"),
            },
            Series {
                label: labels.series_lms.clone().into(),
                values: Rc::new(table.rows.iter().filter_map(|r| r.lms_score).collect()),
                class: AttrValue::Static("lablink-series-2"),
            },
        ]
    });
    let title = fill(&props.labels.histogram, &[("assignment", &props.table.assignment)]);
    html! { <Histogram title={title} series={series} max={props.table.max_score} bins={10} /> }
}
