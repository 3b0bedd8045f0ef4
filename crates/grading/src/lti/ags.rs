//! Assignment and Grade Services 2.0: line items, scores, results; and NRPS 2.0 memberships.
//! Collections are followed page by page through `Link: rel="next"` (a relative link resolved
//! against the page's URL).
//!
//! The bearer token goes only to the platform's own origin (scheme, host and port of its token
//! URL): a service URL elsewhere, from a launch, a line item or a `Link` header, is refused
//! before anything is sent.

use reqwest::header::{ACCEPT, CONTENT_TYPE, LINK};
use reqwest::{Client, StatusCode};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use url::{Origin, Url};

use super::http::{self, RetryPolicy};
use super::link::next_link;

pub const LINEITEM_CONTAINER: &str = "application/vnd.ims.lis.v2.lineitemcontainer+json";
pub const LINEITEM: &str = "application/vnd.ims.lis.v2.lineitem+json";
pub const SCORE: &str = "application/vnd.ims.lis.v1.score+json";
pub const RESULT_CONTAINER: &str = "application/vnd.ims.lis.v2.resultcontainer+json";
pub const MEMBERSHIP_CONTAINER: &str = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json";

/// Pages followed at most, against an LMS whose `next` never ends.
const MAX_PAGES: usize = 1000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub score_maximum: f64,
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_link_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Score {
    pub user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_given: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_maximum: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub timestamp: String,
    pub activity_progress: String,
    pub grading_progress: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgsResult {
    #[serde(default)]
    pub id: Option<String>,
    pub user_id: String,
    #[serde(default)]
    pub result_score: Option<f64>,
    #[serde(default)]
    pub result_maximum: Option<f64>,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub user_id: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub lis_person_sourcedid: Option<String>,
    #[serde(default)]
    pub roles: Vec<String>,
}

impl Member {
    /// Active (the default when a platform leaves status out) and a learner.
    pub fn is_active_learner(&self) -> bool {
        self.status.as_deref().is_none_or(|s| s.eq_ignore_ascii_case("active"))
            && self.roles.iter().any(|r| r.ends_with("#Learner") || r == "Learner")
    }
}

#[derive(Deserialize)]
struct Memberships {
    #[serde(default)]
    members: Vec<Member>,
}

#[derive(Debug, thiserror::Error)]
pub enum AgsError {
    #[error("the LMS could not be reached: {0}")]
    Unreachable(String),
    #[error("the LMS answered {status}: {body}")]
    Status { status: u16, body: String },
    #[error("the LMS's answer could not be read: {0}")]
    Unreadable(String),
    #[error("refused to send the LMS's token to {url}: not on the platform's origin {origin}")]
    ForeignUrl { url: String, origin: String },
}

/// The origin the platform's token may be sent to: its token URL's.
pub fn platform_origin(token_url: &str) -> Result<Origin, AgsError> {
    let url =
        Url::parse(token_url).map_err(|e| AgsError::Unreadable(format!("token URL {token_url:?}: {e}")))?;
    Ok(url.origin())
}

/// `url`, parsed, if it is on `origin`.
pub fn on_origin(url: &str, origin: &Origin) -> Result<Url, AgsError> {
    let foreign = || AgsError::ForeignUrl { url: url.to_owned(), origin: origin.ascii_serialization() };
    let parsed = Url::parse(url).map_err(|_| foreign())?;
    if &parsed.origin() == origin { Ok(parsed) } else { Err(foreign()) }
}

/// `{lineitem}/{what}` with the line item's query string kept after the new path segment
/// (Moodle's line item URLs carry `?type_id=…`).
pub fn service_url(lineitem: &str, what: &str) -> String {
    let (path, query) = match lineitem.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (lineitem, None),
    };
    let mut url = format!("{}/{what}", path.trim_end_matches('/'));
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

pub struct Ags<'a> {
    pub client: &'a Client,
    pub token: &'a str,
    pub retry: RetryPolicy,
    /// Where the token may go (see [`platform_origin`]).
    pub origin: Origin,
}

impl Ags<'_> {
    /// Sends a request to `url` with the token, if `url` is on the platform's origin, with the
    /// retry policy; a connection that never succeeds is `Unreachable`.
    async fn send(
        &self,
        url: &str,
        build: impl Fn(&Client, Url) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, AgsError> {
        self.send_with(url, |_| false, build).await
    }

    /// As `send`; answers whose status is `at_once` are not retried.
    async fn send_with(
        &self,
        url: &str,
        at_once: impl Fn(StatusCode) -> bool,
        build: impl Fn(&Client, Url) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, AgsError> {
        let url = on_origin(url, &self.origin)?;
        http::send_with(&self.retry, at_once, || build(self.client, url.clone()).bearer_auth(self.token))
            .await
            .map_err(|e| AgsError::Unreachable(e.to_string()))
    }

    /// The same calls with another retry policy.
    pub fn retrying(&self, retry: RetryPolicy) -> Ags<'_> {
        Ags { client: self.client, token: self.token, retry, origin: self.origin.clone() }
    }

    async fn get_paged<T: DeserializeOwned>(&self, url: &str, accept: &str) -> Result<Vec<T>, AgsError> {
        let (mut items, mut next, mut pages) = (Vec::new(), Some(url.to_owned()), 0);
        while let Some(url) = next.take() {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(AgsError::Unreadable(format!("more than {MAX_PAGES} pages")));
            }
            let response = self.send(&url, |c, u| c.get(u).header(ACCEPT, accept)).await?;
            // Not `to_str()`: Moodle's typographic quotes are UTF-8, which it refuses.
            let link =
                response.headers().get(LINK).and_then(|v| next_link(&String::from_utf8_lossy(v.as_bytes())));
            // RFC 8288: a relative target is resolved against the URL of the request.
            next = match link {
                Some(link) => Some(
                    response
                        .url()
                        .join(&link)
                        .map_err(|e| AgsError::Unreadable(format!("Link target {link:?}: {e}")))?
                        .to_string(),
                ),
                None => None,
            };
            let page: T = json(response).await?;
            items.push(page);
        }
        Ok(items)
    }

    pub async fn line_items(&self, url: &str) -> Result<Vec<LineItem>, AgsError> {
        Ok(self.get_paged::<Vec<LineItem>>(url, LINEITEM_CONTAINER).await?.into_iter().flatten().collect())
    }

    pub async fn line_item(&self, url: &str) -> Result<LineItem, AgsError> {
        json(self.send(url, |c, u| c.get(u).header(ACCEPT, LINEITEM)).await?).await
    }

    pub async fn create_line_item(&self, url: &str, item: &LineItem) -> Result<LineItem, AgsError> {
        let body = serde_json::to_string(item).expect("line items serialise");
        let response = self
            .send(url, |c, u| {
                c.post(u).header(CONTENT_TYPE, LINEITEM).header(ACCEPT, LINEITEM).body(body.clone())
            })
            .await?;
        json(response).await
    }

    /// Posts one score. Retries 429/5xx itself; other answers (409 among them) come back for
    /// the caller to decide.
    pub async fn post_score(&self, lineitem: &str, score: &Score) -> Result<(), AgsError> {
        self.post_score_with(lineitem, score, |_| false).await
    }

    /// As [`post_score`](Self::post_score), but a plain 500 comes back at once: Moodle's
    /// answer for a score it would not store (a locked grade), which retrying cannot change.
    pub async fn post_score_once_on_500(&self, lineitem: &str, score: &Score) -> Result<(), AgsError> {
        self.post_score_with(lineitem, score, |s| s == StatusCode::INTERNAL_SERVER_ERROR).await
    }

    async fn post_score_with(
        &self,
        lineitem: &str,
        score: &Score,
        at_once: impl Fn(StatusCode) -> bool,
    ) -> Result<(), AgsError> {
        let url = service_url(lineitem, "scores");
        let body = serde_json::to_string(score).expect("scores serialise");
        let response = self
            .send_with(&url, at_once, |c, u| c.post(u).header(CONTENT_TYPE, SCORE).body(body.clone()))
            .await?;
        checked(response).await.map(drop)
    }

    pub async fn results(&self, lineitem: &str) -> Result<Vec<AgsResult>, AgsError> {
        self.results_at(&service_url(lineitem, "results")).await
    }

    /// One user's results of a line item (`?user_id=`, which AGS and Moodle both take).
    pub async fn results_of(&self, lineitem: &str, user_id: &str) -> Result<Vec<AgsResult>, AgsError> {
        let mut url = Url::parse(&service_url(lineitem, "results"))
            .map_err(|e| AgsError::Unreadable(format!("line item {lineitem:?}: {e}")))?;
        url.query_pairs_mut().append_pair("user_id", user_id);
        self.results_at(url.as_str()).await
    }

    /// Every page of a results container.
    async fn results_at(&self, url: &str) -> Result<Vec<AgsResult>, AgsError> {
        Ok(self.get_paged::<Vec<AgsResult>>(url, RESULT_CONTAINER).await?.into_iter().flatten().collect())
    }

    pub async fn members(&self, url: &str) -> Result<Vec<Member>, AgsError> {
        Ok(self
            .get_paged::<Memberships>(url, MEMBERSHIP_CONTAINER)
            .await?
            .into_iter()
            .flat_map(|m| m.members)
            .collect())
    }
}

/// The body of a 2xx answer; anything else as `Status` with the LMS's text.
async fn checked(response: reqwest::Response) -> Result<String, AgsError> {
    let status = response.status();
    let body = response.text().await.map_err(|e| AgsError::Unreachable(e.to_string()))?;
    if status.is_success() {
        Ok(body)
    } else {
        Err(AgsError::Status { status: status.as_u16(), body: http::readable_body(&body) })
    }
}

async fn json<T: DeserializeOwned>(response: reqwest::Response) -> Result<T, AgsError> {
    serde_json::from_str(&checked(response).await?).map_err(|e| AgsError::Unreadable(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_urls_keep_the_query_after_the_path() {
        assert_eq!(
            service_url("https://m.example/mod/lti/services.php/2/lineitems/7/lineitem?type_id=3", "scores"),
            "https://m.example/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=3"
        );
        assert_eq!(service_url("https://lms.example/li/7/", "results"), "https://lms.example/li/7/results");
    }

    #[test]
    fn scores_serialise_as_ags_expects() {
        let score = Score {
            user_id: "u1".into(),
            score_given: Some(9.5),
            score_maximum: Some(11.5),
            comment: None,
            timestamp: "2026-11-22T03:04:05.000001Z".into(),
            activity_progress: "Completed".into(),
            grading_progress: "FullyGraded".into(),
        };
        assert_eq!(
            serde_json::to_value(&score).unwrap(),
            serde_json::json!({"userId": "u1", "scoreGiven": 9.5, "scoreMaximum": 11.5,
                "timestamp": "2026-11-22T03:04:05.000001Z", "activityProgress": "Completed", "gradingProgress": "FullyGraded"})
        );
    }

    #[test]
    fn learners_are_active_learner_members() {
        let member = |status: Option<&str>, role: &str| Member {
            user_id: "u".into(),
            status: status.map(str::to_owned),
            name: None,
            email: None,
            lis_person_sourcedid: None,
            roles: vec![role.into()],
        };
        assert!(
            member(None, "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner").is_active_learner()
        );
        assert!(member(Some("Active"), "Learner").is_active_learner());
        assert!(
            !member(Some("Inactive"), "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner")
                .is_active_learner()
        );
        assert!(
            !member(None, "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor").is_active_learner()
        );
    }
}
