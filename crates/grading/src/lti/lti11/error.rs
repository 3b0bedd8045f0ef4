//! The errors of LTI 1.1 outcomes, worded for the teacher who reads them in a sync's result.

#[derive(Debug, thiserror::Error)]
pub enum Lti11Error {
    #[error(
        "the score {score} was not sent: LTI 1.1 only carries a fraction from 0.0 to 1.0, so check \
         the assignment's maximum score"
    )]
    InvalidScore { score: f64 },
    #[error(
        "the student's LTI 1.1 result id (lis_result_sourcedid) contains characters XML cannot \
         carry, so nothing was sent: have the student open the activity from the LMS again"
    )]
    InvalidSourcedid,
    #[error(
        "the LMS refused the grade request ({}): {}. Check the LTI 1.1 consumer key and secret of \
         this course, and that the student can still be graded in that activity",
        code_major.as_deref().map_or_else(|| format!("HTTP {status}"), |code| format!("{code}, HTTP {status}")),
        description.trim_end_matches('.')
    )]
    Refused {
        /// The HTTP status: 200 when the refusal came only as a POX `imsx_codeMajor`.
        status: u16,
        /// `failure` or `unsupported` when the LMS answered in POX.
        code_major: Option<String>,
        description: String,
    },
    #[error(
        "the LMS at {url} could not be reached or kept failing ({detail}), even after retrying: run \
         the sync again later (sending a grade twice is harmless), and check the outcomes URL if \
         this persists"
    )]
    Unavailable { url: String, detail: String },
    #[error(
        "the LMS at {url} gave an answer lablink cannot read ({detail}): the grade may or may not \
         have been recorded, so check it in the LMS gradebook"
    )]
    Malformed { url: String, detail: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_messages_are_sentences_for_teachers() {
        let refused = Lti11Error::Refused {
            status: 200,
            code_major: Some("failure".into()),
            description: "Unknown sourcedid".into(),
        };
        assert_eq!(
            refused.to_string(),
            "the LMS refused the grade request (failure, HTTP 200): Unknown sourcedid. Check the LTI 1.1 \
             consumer key and secret of this course, and that the student can still be graded in that activity"
        );
        let score = Lti11Error::InvalidScore { score: 1.5 }.to_string();
        assert!(score.starts_with("the score 1.5 was not sent"), "{score}");
    }
}
