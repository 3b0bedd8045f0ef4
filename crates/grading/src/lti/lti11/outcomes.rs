//! The grade service of one LTI 1.1 tool consumer: POX messages, signed, sent with retries.

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Client, Url};

use super::error::Lti11Error;
use super::oauth::{authorization, body_hash, nonce, unix_now};
use super::pox::{POX_CONTENT_TYPE, PoxAnswer, clip, message_id, parse_pox_response, pox_request};
use crate::lti::http::{self, RetryPolicy};

/// The grade service of one LTI 1.1 tool consumer, as `Ags` is for LTI 1.3.
pub struct Outcomes<'a> {
    pub client: &'a Client,
    pub consumer_key: &'a str,
    pub secret: &'a str,
    pub retry: RetryPolicy,
}

impl Outcomes<'_> {
    /// Sets the student's grade on the link `url` (the launch's `lis_outcome_service_url`).
    /// `score` is a fraction in 0.0..=1.0; anything else is refused before sending.
    pub async fn replace_result(&self, url: &str, sourcedid: &str, score: f64) -> Result<(), Lti11Error> {
        if !score.is_finite() || !(0.0..=1.0).contains(&score) {
            return Err(Lti11Error::InvalidScore { score });
        }
        let body = pox_request("replaceResultRequest", &message_id(), sourcedid, Some(score))?;
        self.call(url, body).await.map(drop)
    }

    /// The grade the LMS holds for the student; `None` when it holds none.
    pub async fn read_result(&self, url: &str, sourcedid: &str) -> Result<Option<f64>, Lti11Error> {
        let body = pox_request("readResultRequest", &message_id(), sourcedid, None)?;
        let answer = self.call(url, body).await?;
        let malformed = |detail: String| Lti11Error::Malformed { url: url.to_owned(), detail };
        match answer.score_text.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => match text.parse::<f64>() {
                Ok(score) if score.is_finite() => Ok(Some(score)),
                _ => Err(malformed(format!("the score {:?} is not a number", clip(text)))),
            },
        }
    }

    /// Signs (anew for every try: a fresh nonce and timestamp) and sends one POX message.
    async fn call(&self, url: &str, body: String) -> Result<PoxAnswer, Lti11Error> {
        let unavailable = |detail: String| Lti11Error::Unavailable { url: url.to_owned(), detail };
        let malformed = |detail: String| Lti11Error::Malformed { url: url.to_owned(), detail };
        let parsed =
            Url::parse(url).map_err(|e| unavailable(format!("the outcomes URL is not valid: {e}")))?;
        let body_hash = body_hash(body.as_bytes());
        let response = http::send(&self.retry, || {
            let authorization = authorization(
                "POST",
                &parsed,
                &body_hash,
                self.consumer_key,
                self.secret,
                &nonce(),
                unix_now(),
            );
            self.client
                .post(parsed.clone())
                .header(CONTENT_TYPE, POX_CONTENT_TYPE)
                .header(ACCEPT, POX_CONTENT_TYPE)
                .header(AUTHORIZATION, authorization)
                .body(body.clone())
        })
        .await
        .map_err(|e| unavailable(error_chain(&e)))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| unavailable(error_chain(&e)))?;
        if http::retryable(status) {
            return Err(unavailable(format!("HTTP {status}")));
        }
        if status.is_client_error() {
            // Some LMSs explain a refusal in POX, others in plain text.
            let (code_major, description) = match parse_pox_response(&text) {
                Ok(answer) => (Some(answer.code_major), answer.description),
                Err(_) => (None, clip(text.trim())),
            };
            let description = if description.is_empty() {
                status.canonical_reason().unwrap_or("no reason given").to_owned()
            } else {
                description
            };
            return Err(Lti11Error::Refused { status: status.as_u16(), code_major, description });
        }
        if !status.is_success() {
            return Err(malformed(format!("unexpected HTTP {status}")));
        }
        let answer = parse_pox_response(&text).map_err(malformed)?;
        match answer.code_major.as_str() {
            // `processing`: accepted, to be applied later.
            "success" | "processing" => Ok(answer),
            "failure" | "unsupported" => Err(Lti11Error::Refused {
                status: status.as_u16(),
                code_major: Some(answer.code_major),
                description: if answer.description.is_empty() {
                    "no reason given".into()
                } else {
                    answer.description
                },
            }),
            other => Err(malformed(format!("unknown imsx_codeMajor {:?}", clip(other)))),
        }
    }
}

/// reqwest's own message is often just "error sending request"; the cause says why.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
