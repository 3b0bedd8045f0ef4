//! Every string the panel shows, from the host (the lab extension's `labels.ts`, through
//! JupyterLab's translator). There are no built-in texts: a missing label stops the mount and
//! names the key, so a string cannot silently stay untranslated. Placeholders (`{count}`,
//! `{total}` …) are filled in here.

use lablink_client::wire;
use lablink_protocol::grading::{JobState, Outcome};
use wasm_bindgen::JsValue;

/// Declares the labels once: the field is also the host's key.
macro_rules! labels {
    ($($field:ident,)*) => {
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct Labels {
            $(pub $field: String,)*
        }

        impl Labels {
            /// Every key a host must give.
            pub const KEYS: &'static [&'static str] = &[$(stringify!($field),)*];

            /// The labels from `lookup(key)`; the first key it has no text for is the error.
            pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
                Ok(Self {
                    $($field: lookup(stringify!($field))
                        .ok_or_else(|| format!("labels.{} is missing (a string is required)", stringify!($field)))?,)*
                })
            }
        }
    };
}

labels! {
    title,
    loading,
    retry,
    error_title,
    dismiss,
    refresh,
    course,
    choose_course,
    assignment,
    assignments,
    choose_assignment,
    due,
    no_due,
    max_score,
    submissions,
    no_assignments,
    students_table,
    col_student,
    col_name,
    col_score,
    col_lms_score,
    col_action,
    col_outcome,
    col_detail,
    filter_name,
    filter_outcome,
    all_outcomes,
    no_students,
    students_shown,
    no_value,
    score_of,
    lms_unavailable,
    outcome_pending,
    outcome_sending,
    outcome_sent,
    outcome_unchanged,
    outcome_not_enrolled,
    outcome_no_lms_id,
    outcome_held,
    outcome_refused,
    outcome_failed,
    outcome_lms_changed,
    outcome_locked,
    outcome_unknown,
    histogram,
    series_nbgrader,
    series_lms,
    sync,
    csv,
    retry_failed,
    preview_title,
    previewing,
    preview_counts,
    count_line,
    preview_rows,
    lms_changed_title,
    lms_changed_help,
    overwrite,
    tick_all,
    confirm_sync,
    cancel,
    starting,
    syncing,
    sync_done,
    sync_failed,
    outcomes_title,
    close,
    history,
    history_empty,
    history_line,
    job_running,
    job_finished,
    job_failed,
    err_no_courses,
    err_not_instructor,
    err_signed_out,
    sign_in,
    err_unreachable,
    err_no_launch,
    err_lms,
    err_conflict,
    err_not_found,
    err_cross_site,
    err_hub,
    err_other,
}

impl Labels {
    /// From the host's `labels` object.
    pub fn from_js(object: &JsValue) -> Result<Self, String> {
        if !object.is_object() {
            return Err("labels must be an object of strings (the lab extension's labels(trans))".into());
        }
        Self::from_lookup(|key| wire::get(object, key).as_string())
    }

    /// What a sync would do (or did) with a student, in the host's words; `None`: unknown.
    pub fn outcome(&self, outcome: Option<Outcome>) -> &str {
        match outcome {
            None => &self.outcome_unknown,
            Some(Outcome::Pending) => &self.outcome_pending,
            Some(Outcome::Sending) => &self.outcome_sending,
            Some(Outcome::Sent) => &self.outcome_sent,
            Some(Outcome::Unchanged) => &self.outcome_unchanged,
            Some(Outcome::NotEnrolled) => &self.outcome_not_enrolled,
            Some(Outcome::NoLmsId) => &self.outcome_no_lms_id,
            Some(Outcome::Held) => &self.outcome_held,
            Some(Outcome::Refused) => &self.outcome_refused,
            Some(Outcome::Failed) => &self.outcome_failed,
            Some(Outcome::LmsChanged) => &self.outcome_lms_changed,
            Some(Outcome::Locked) => &self.outcome_locked,
        }
    }

    pub fn job_state(&self, state: JobState) -> &str {
        match state {
            JobState::Running => &self.job_running,
            JobState::Finished => &self.job_finished,
            JobState::Failed => &self.job_failed,
        }
    }
}

/// Fills `{name}` placeholders in one pass, so a value that itself looks like a placeholder
/// stays as it is.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let hit = after.find('}').and_then(|close| {
            let name = &after[..close];
            values.iter().find(|(n, _)| *n == name).map(|(_, v)| (close, *v))
        });
        match hit {
            Some((close, value)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The English labels as the lab extension writes them: `key: trans.__('text'),` lines of
    /// `labels.ts`, read here so that the two lists cannot drift apart.
    pub(crate) fn english() -> Vec<(String, String)> {
        let source = include_str!("../../../lab-extension/src/labels.ts");
        source
            .lines()
            .filter_map(|line| {
                let (key, rest) = line.trim().split_once(": trans.__('")?;
                let text = rest.strip_suffix("'),")?;
                Some((key.to_owned(), text.replace("\\'", "'").replace("\\\\", "\\")))
            })
            .collect()
    }

    pub(crate) fn labels() -> Labels {
        let english = english();
        Labels::from_lookup(|key| english.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())).unwrap()
    }

    #[test]
    fn labels_ts_gives_every_key_and_no_other() {
        let english = english();
        let keys: Vec<&str> = english.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, Labels::KEYS, "labels.ts and labels.rs list the same keys in the same order");
        assert_eq!(labels().outcome_lms_changed, "Changed in the LMS");
    }

    #[test]
    fn a_missing_label_is_named() {
        let err = Labels::from_lookup(|key| (key != "sync").then(|| key.to_owned())).unwrap_err();
        assert!(err.contains("labels.sync"), "{err}");
    }

    #[test]
    fn fills_placeholders_once() {
        assert_eq!(fill("Syncing: {done} of {total}", &[("done", "5"), ("total", "9")]), "Syncing: 5 of 9");
        assert_eq!(fill("{a}{b}", &[("a", "{b}"), ("b", "x")]), "{b}x");
        assert_eq!(fill("{unknown} {", &[("a", "1")]), "{unknown} {");
    }
}
