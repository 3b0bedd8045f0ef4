//! The student table's rows from the service's grade table: what each column shows and sorts
//! by, and the name and outcome filters. Pure, so it is tested on the host.

use lablink_protocol::grading::{GradeRow, GradeTable, Outcome};
use lablink_ui::{TableCell, TableRow, short_number};

use crate::labels::{Labels, fill};

/// Which outcome the table shows: all, the students the LMS could not be asked about
/// (`Some(None)`), or one outcome.
pub type OutcomeFilter = Option<Option<Outcome>>;

/// "Last, First", or whichever of the two there is.
pub fn student_name(row: &GradeRow) -> String {
    match (row.last_name.as_deref(), row.first_name.as_deref()) {
        (Some(last), Some(first)) if !last.is_empty() && !first.is_empty() => format!("{last}, {first}"),
        (Some(last), _) if !last.is_empty() => last.to_owned(),
        (_, Some(first)) => first.to_owned(),
        _ => String::new(),
    }
}

/// Whether the row's id or name contains `query` (already lower-cased).
pub fn matches_name(row: &GradeRow, query: &str) -> bool {
    query.is_empty()
        || row.student_id.to_lowercase().contains(query)
        || student_name(row).to_lowercase().contains(query)
}

pub fn score_text(labels: &Labels, score: Option<f64>, max: f64) -> String {
    match score {
        Some(score) => {
            fill(&labels.score_of, &[("score", &short_number(score)), ("max", &short_number(max))])
        }
        None => labels.no_value.clone(),
    }
}

/// The CSS class that colours an outcome.
pub fn outcome_class(outcome: Option<Outcome>) -> String {
    format!("lablink-outcome-{}", outcome.map(Outcome::as_str).unwrap_or("unknown"))
}

/// The rows shown for `name` (any case) and `outcome`, in the service's order.
pub fn student_rows(
    labels: &Labels,
    table: &GradeTable,
    name: &str,
    outcome: OutcomeFilter,
) -> Vec<TableRow> {
    let query = name.trim().to_lowercase();
    table
        .rows
        .iter()
        .filter(|r| outcome.is_none_or(|o| r.status == o) && matches_name(r, &query))
        .map(|r| TableRow {
            key: r.student_id.clone().into(),
            cells: vec![
                TableCell::text(r.student_id.clone()),
                TableCell::text(student_name(r)),
                TableCell::number(score_text(labels, Some(r.score), r.max_score), Some(r.score)),
                TableCell::number(score_text(labels, r.lms_score, r.max_score), r.lms_score),
                TableCell::text(labels.outcome(r.status).to_owned()).with_class(outcome_class(r.status)),
            ],
        })
        .collect()
}

/// The outcomes present in the table, in the protocol's order (unknown last), for the filter.
pub fn outcomes_present(table: &GradeTable) -> Vec<Option<Outcome>> {
    let mut present: Vec<Option<Outcome>> = Outcome::ALL
        .into_iter()
        .filter(|o| table.rows.iter().any(|r| r.status == Some(*o)))
        .map(Some)
        .collect();
    if table.rows.iter().any(|r| r.status.is_none()) {
        present.push(None);
    }
    present
}

/// The filter's `<option>` value for an outcome choice, and back.
pub fn filter_value(choice: OutcomeFilter) -> &'static str {
    match choice {
        None => "",
        Some(None) => "unknown",
        Some(Some(o)) => o.as_str(),
    }
}

pub fn parse_filter(value: &str) -> OutcomeFilter {
    match value {
        "" => None,
        "unknown" => Some(None),
        other => Outcome::from_wire(other).map(Some),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use lablink_protocol::grading::LmsView;

    use super::*;
    use crate::labels::tests::labels;

    pub(crate) fn row(
        id: &str,
        first: Option<&str>,
        last: Option<&str>,
        score: f64,
        lms: Option<f64>,
        status: Option<Outcome>,
    ) -> GradeRow {
        GradeRow {
            student_id: id.into(),
            first_name: first.map(Into::into),
            last_name: last.map(Into::into),
            lms_user_id: Some(format!("lms-{id}")),
            submitted_at: None,
            raw_score: score,
            late_penalty: 0.0,
            score,
            max_score: 10.0,
            ungraded_cells: 0,
            lms_score: lms,
            status,
        }
    }

    pub(crate) fn table() -> GradeTable {
        GradeTable {
            course: "intro".into(),
            assignment: "ps1".into(),
            max_score: 10.0,
            lms: LmsView { line_item: None, line_max: Some(10.0), error: None },
            rows: vec![
                row("ada", Some("Ada"), Some("Lovelace"), 9.5, Some(9.5), Some(Outcome::Unchanged)),
                row("alan", Some("Alan"), Some("Turing"), 7.0, None, Some(Outcome::Pending)),
                row("grace", None, Some("Hopper"), 8.25, Some(6.0), Some(Outcome::LmsChanged)),
                row("x1", None, None, 0.0, None, None),
            ],
        }
    }

    fn keys(rows: &[TableRow]) -> Vec<&str> {
        rows.iter().map(|r| r.key.as_str()).collect()
    }

    #[test]
    fn rows_show_names_scores_and_outcomes() {
        let l = labels();
        let rows = student_rows(&l, &table(), "", None);
        assert_eq!(keys(&rows), ["ada", "alan", "grace", "x1"]);
        let texts: Vec<&str> = rows[2].cells.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["grace", "Hopper", "8.25 / 10", "6 / 10", "Changed in the LMS"]);
        assert_eq!(rows[1].cells[3].text.as_str(), "–");
        assert_eq!(rows[3].cells[4].class.as_deref(), Some("lablink-outcome-unknown"));
    }

    #[test]
    fn filters_by_name_and_outcome() {
        let l = labels();
        let t = table();
        assert_eq!(keys(&student_rows(&l, &t, "TUR", None)), ["alan"]);
        assert_eq!(keys(&student_rows(&l, &t, "a", None)), ["ada", "alan", "grace"]);
        assert_eq!(keys(&student_rows(&l, &t, "", Some(Some(Outcome::LmsChanged)))), ["grace"]);
        assert_eq!(keys(&student_rows(&l, &t, "", Some(None))), ["x1"]);
        assert!(student_rows(&l, &t, "zzz", None).is_empty());
        assert_eq!(
            outcomes_present(&t),
            [Some(Outcome::Pending), Some(Outcome::Unchanged), Some(Outcome::LmsChanged), None]
        );
        for choice in outcomes_present(&t).into_iter().map(Some).chain([None]) {
            assert_eq!(parse_filter(filter_value(choice)), choice);
        }
    }
}
