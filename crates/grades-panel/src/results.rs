//! Rows of per-student results (a preview's or a job's) for a data table. Pure.

use lablink_protocol::grading::StudentResult;
use lablink_ui::{Column, TableCell, TableRow};

use crate::labels::Labels;
use crate::table_model::{outcome_class, score_text};

pub fn result_columns(labels: &Labels) -> Vec<Column> {
    vec![
        Column::text(labels.col_student.clone(), "minmax(7rem, 1fr)"),
        Column::number(labels.col_score.clone(), "minmax(6rem, 1fr)"),
        Column::number(labels.col_lms_score.clone(), "minmax(6rem, 1fr)"),
        Column::text(labels.col_outcome.clone(), "minmax(8rem, 1.2fr)"),
        Column::text(labels.col_detail.clone(), "minmax(8rem, 2fr)"),
    ]
}

pub fn result_rows<'a>(labels: &Labels, results: impl Iterator<Item = &'a StudentResult>) -> Vec<TableRow> {
    results
        .map(|r| TableRow {
            key: r.student_id.clone().into(),
            cells: vec![
                TableCell::text(r.student_id.clone()),
                TableCell::number(score_text(labels, Some(r.score), r.max_score), Some(r.score)),
                TableCell::number(score_text(labels, r.lms_score, r.max_score), r.lms_score),
                TableCell::text(labels.outcome(Some(r.outcome)).to_owned())
                    .with_class(outcome_class(Some(r.outcome))),
                TableCell::text(r.detail.clone().unwrap_or_default()),
            ],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use lablink_protocol::grading::Outcome;

    use super::*;
    use crate::labels::tests::labels;
    use crate::sync_flow::tests::result;

    #[test]
    fn results_show_scores_outcome_and_detail() {
        let l = labels();
        let mut refused = result("b", Outcome::Refused);
        refused.detail = Some("user not enrolled in the grade item".into());
        let rows = result_rows(&l, [result("a", Outcome::Sent), refused].iter());
        let texts: Vec<&str> = rows[1].cells.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            ["b", "5 / 10", "3 / 10", "Refused by the LMS", "user not enrolled in the grade item"]
        );
        assert_eq!(result_columns(&l).len(), rows[0].cells.len());
    }
}
