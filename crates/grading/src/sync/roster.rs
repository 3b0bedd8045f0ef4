//! Roster matching: which LMS user an nbgrader student is.

use crate::config::RosterMatch;
use crate::gradebook::Student;
use crate::lti::ags::Member;

use super::target::AgsTarget;

/// The LMS id of a student: nbgrader's, else the roster member the rule picks.
pub(super) fn lms_id_of(student: &Student, learners: &[Member], target: &AgsTarget) -> Option<String> {
    if let Some(id) = &student.lms_user_id {
        return Some(id.clone());
    }
    let matches = |m: &&Member| match target.match_by {
        RosterMatch::LmsUserId => false,
        RosterMatch::Launch => target.launch_ids.get(&student.id) == Some(&m.user_id),
        RosterMatch::Email => {
            matches!((&m.email, &student.email), (Some(a), Some(b)) if !a.is_empty() && a.eq_ignore_ascii_case(b))
        }
        RosterMatch::Sourcedid => m.lis_person_sourcedid.as_deref() == Some(student.id.as_str()),
    };
    let mut found = learners.iter().filter(matches);
    // Two members matching one student is no match: guessing could grade the wrong person.
    match (found.next(), found.next()) {
        (Some(m), None) => Some(m.user_id.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn member(id: &str, email: &str, sourcedid: &str) -> Member {
        Member {
            user_id: id.into(),
            status: None,
            name: None,
            email: Some(email.into()),
            lis_person_sourcedid: Some(sourcedid.into()),
            roles: vec!["Learner".into()],
        }
    }

    #[test]
    fn roster_rules_match_once_or_not_at_all() {
        let student = Student {
            id: "ada".into(),
            first_name: None,
            last_name: None,
            email: Some("Ada@Example.org".into()),
            lms_user_id: None,
        };
        let rule = |match_by| AgsTarget {
            platform: crate::config::Platform {
                name: "p".into(),
                issuer: "https://lms".into(),
                client_id: "c".into(),
                deployment_id: "1".into(),
                token_url: "https://lms/token".into(),
                keyset_url: "https://lms/keys".into(),
                audience: None,
            },
            lineitems_url: String::new(),
            memberships_url: String::new(),
            create_line_items: false,
            match_by,
            launch_ids: Arc::new([("ada".to_owned(), "8".to_owned())].into()),
        };
        let roster = [member("7", "ada@example.org", "ada"), member("8", "bob@example.org", "bob")];
        assert_eq!(lms_id_of(&student, &roster, &rule(RosterMatch::Email)).as_deref(), Some("7"));
        assert_eq!(lms_id_of(&student, &roster, &rule(RosterMatch::Sourcedid)).as_deref(), Some("7"));
        assert_eq!(lms_id_of(&student, &roster, &rule(RosterMatch::Launch)).as_deref(), Some("8"));
        assert_eq!(lms_id_of(&student, &roster, &rule(RosterMatch::LmsUserId)), None);
        // Two members with her email: no guess.
        let twice = [member("7", "ada@example.org", "x"), member("9", "ADA@example.org", "y")];
        assert_eq!(lms_id_of(&student, &twice, &rule(RosterMatch::Email)), None);
        // nbgrader's own id wins over any rule.
        let known = Student { lms_user_id: Some("42".into()), ..student };
        assert_eq!(lms_id_of(&known, &roster, &rule(RosterMatch::Email)).as_deref(), Some("42"));
    }
}
