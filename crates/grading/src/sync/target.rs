//! Where an assignment's scores go: an LTI 1.3 line item, or LTI 1.1 outcomes.

use std::collections::HashMap;
use std::sync::Arc;

use crate::config::{Platform, RosterMatch};
use crate::lti::http::RetryPolicy;
use crate::lti::lti11::Outcomes;

/// Where an assignment's scores go.
#[derive(Debug, Clone)]
pub enum Target {
    /// LTI 1.3 Assignment and Grade Services.
    Ags(AgsTarget),
    /// LTI 1.1 Basic Outcomes.
    Outcomes(OutcomesTarget),
}

#[derive(Debug, Clone)]
pub struct AgsTarget {
    pub platform: Platform,
    pub lineitems_url: String,
    pub memberships_url: String,
    pub create_line_items: bool,
    pub match_by: RosterMatch,
    /// With `RosterMatch::Launch`: nbgrader student id → the `sub` of their last launch.
    pub launch_ids: Arc<HashMap<String, String>>,
}

#[derive(Debug, Clone)]
pub struct OutcomesTarget {
    pub url: String,
    pub consumer_key: String,
    pub secret: String,
    /// The student's `lis_result_sourcedid`, from `{assignment}`, `{student}`, `{lms_user_id}`.
    pub sourcedid: String,
}

impl OutcomesTarget {
    pub fn sourcedid(&self, assignment: &str, student: &str, lms_user_id: &str) -> String {
        self.sourcedid
            .replace("{assignment}", assignment)
            .replace("{student}", student)
            .replace("{lms_user_id}", lms_user_id)
    }

    pub(super) fn client<'a>(&'a self, client: &'a reqwest::Client, retry: RetryPolicy) -> Outcomes<'a> {
        Outcomes { client, consumer_key: &self.consumer_key, secret: &self.secret, retry }
    }
}
