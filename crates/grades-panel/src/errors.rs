//! What the panel says when something fails: one sentence the user can act on per case, in
//! the host's words, with the service's (or the LMS's) own text where it adds the specifics.

use lablink_client::{ClientError, ErrorKind};
use lablink_protocol::grading::GradingErrorCode as Code;

use crate::labels::{Labels, fill};

/// A failure as shown: the sentence, and where to sign in when that is the way out.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorView {
    pub text: String,
    pub sign_in: Option<String>,
}

/// The message for `error`; `service_url` is where the panel calls (for "unreachable" and the
/// sign-in link when the service gave none).
pub fn describe(labels: &Labels, service_url: &str, error: &ClientError) -> ErrorView {
    let message = error.message.as_str();
    let with = |template: &str| fill(template, &[("message", message), ("url", service_url)]);
    let text = match (error.grading_code(), error.kind) {
        (Some(Code::SignedOut | Code::InvalidToken | Code::OauthDenied | Code::OauthFailed), _)
        | (None, ErrorKind::SignedOut) => {
            let link = error.login_url.clone().unwrap_or_else(|| format!("{service_url}login"));
            return ErrorView { text: labels.err_signed_out.clone(), sign_in: Some(link) };
        }
        (Some(Code::NotInstructor), _) => with(&labels.err_not_instructor),
        (Some(Code::NoLaunch), _) => labels.err_no_launch.clone(),
        (Some(Code::Lms), _) => with(&labels.err_lms),
        (Some(Code::Conflict), _) => labels.err_conflict.clone(),
        (Some(Code::NotFound), _) => with(&labels.err_not_found),
        // A 404 without the service's own error body: nothing answers at the service's URL
        // (the hub has no such service, or the setting points elsewhere).
        (None, ErrorKind::NotFound) => with(&labels.err_unreachable),
        (Some(Code::CrossSiteRequest), _) => labels.err_cross_site.clone(),
        (Some(Code::HubUnavailable | Code::HubNotConfigured | Code::HubMisconfigured), _) => {
            with(&labels.err_hub)
        }
        (None, ErrorKind::Offline) => with(&labels.err_unreachable),
        _ => with(&labels.err_other),
    };
    ErrorView { text, sign_in: None }
}

/// The message for a signed-in user whom the service lets grade no course.
pub fn no_courses(labels: &Labels, user: &str, groups: &[String], instructor_groups: &[String]) -> String {
    let list = |g: &[String]| if g.is_empty() { labels.no_value.clone() } else { g.join(", ") };
    fill(
        &labels.err_no_courses,
        &[("user", user), ("groups", &list(groups)), ("group", &list(instructor_groups))],
    )
}

#[cfg(test)]
mod tests {
    use lablink_protocol::grading::GradingErrorDetail;

    use super::*;
    use crate::labels::tests::labels;

    fn service(code: Code, message: &str, login_url: Option<&str>) -> ClientError {
        ClientError::from_grading(GradingErrorDetail {
            code,
            message: message.into(),
            login_url: login_url.map(str::to_owned),
        })
    }

    const URL: &str = "/services/lablink-grading/";

    #[test]
    fn a_bare_404_means_no_service_there() {
        let l = labels();
        let bare = ClientError::from_status(404, "Not Found");
        assert_eq!(
            describe(&l, URL, &bare).text,
            fill(&l.err_unreachable, &[("url", URL), ("message", &bare.message)])
        );
        let coded = service(Code::NotFound, "no assignment ps9", None);
        assert!(describe(&l, URL, &coded).text.contains("no assignment ps9"));
    }

    #[test]
    fn each_case_has_its_own_actionable_sentence() {
        let l = labels();
        let signed_out = describe(&l, URL, &service(Code::SignedOut, "x", Some("/services/g/login")));
        assert_eq!(signed_out.sign_in.as_deref(), Some("/services/g/login"));
        assert_eq!(signed_out.text, l.err_signed_out);
        // A sign-in page where JSON was expected: the service's own login is the way back.
        let page = describe(&l, URL, &ClientError::sign_in_page());
        assert_eq!(page.sign_in.as_deref(), Some("/services/lablink-grading/login"));

        let lms = describe(&l, URL, &service(Code::Lms, "Moodle said: grade item locked", None));
        assert_eq!(lms.text, "The LMS refused: Moodle said: grade item locked");
        assert_eq!(lms.sign_in, None);
        let group = "not in the group \"formgrade-intro\"";
        assert!(
            describe(&l, URL, &service(Code::NotInstructor, group, None)).text.contains("formgrade-intro")
        );
        assert!(describe(&l, URL, &service(Code::NoLaunch, "x", None)).text.contains("LTI link in the LMS"));
        assert!(describe(&l, URL, &service(Code::Conflict, "x", None)).text.contains("already running"));
        assert!(describe(&l, URL, &service(Code::CrossSiteRequest, "x", None)).text.contains("cross-site"));
        assert!(describe(&l, URL, &service(Code::HubUnavailable, "later", None)).text.contains("JupyterHub"));
        assert!(describe(&l, URL, &service(Code::Gradebook, "db locked", None)).text.ends_with("db locked"));

        let offline = ClientError::new(ErrorKind::Offline, "TypeError: Failed to fetch");
        let text = describe(&l, URL, &offline).text;
        assert!(text.contains("can't be reached") && text.contains(URL), "{text}");
        // A proxy's 502/503 without the service's body means the same.
        assert!(describe(&l, URL, &ClientError::from_status(503, "Service Unavailable")).text.contains(URL));
    }

    #[test]
    fn no_courses_names_the_user_and_their_groups() {
        let l = labels();
        let text =
            no_courses(&l, "student1", &["students".into(), "lab".into()], &["formgrade-intro".into()]);
        assert!(text.contains("student1") && text.contains("students, lab"), "{text}");
        assert!(text.contains("formgrade-intro"), "names the group to join: {text}");
        assert!(no_courses(&l, "x", &[], &[]).contains("(–; your groups: –)"));
    }
}
