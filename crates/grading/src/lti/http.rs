//! Calls to an LMS: one shared client, and a retry policy for the answers that say "later"
//! (429, 502, 503, 504, other 5xx, connection failures), with exponential backoff, full jitter
//! and `Retry-After` honoured. Other answers go back to the caller as they are.

use std::time::Duration;

use rand::Rng as _;
use reqwest::{Client, RequestBuilder, Response, StatusCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries in all, the first included.
    pub attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { attempts: 5, base_delay: Duration::from_millis(200), max_delay: Duration::from_secs(10) }
    }
}

impl RetryPolicy {
    /// The wait before try `attempt` (1 = the first retry): random in [0, base·2^(attempt−1)],
    /// capped; a server's `Retry-After` (seconds) wins when it is longer.
    pub fn delay(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let cap = self.base_delay.saturating_mul(1 << attempt.saturating_sub(1).min(16)).min(self.max_delay);
        let jittered = Duration::from_secs_f64(rand::thread_rng().gen_range(0.0..=cap.as_secs_f64()));
        retry_after.map_or(jittered, |after| after.min(self.max_delay).max(jittered))
    }
}

pub fn retryable(status: StatusCode) -> bool {
    status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Sends the request `build` makes (it is rebuilt for every try), retrying as the policy
/// says. Returns the last answer, or the last connection error.
pub async fn send(policy: &RetryPolicy, build: impl Fn() -> RequestBuilder) -> reqwest::Result<Response> {
    send_with(policy, |_| false, build).await
}

/// As [`send`], but an answer whose status is `at_once` comes back at once, unretried, for
/// the caller to judge (a score POST's 500: see `sync::ags`).
pub async fn send_with(
    policy: &RetryPolicy,
    at_once: impl Fn(StatusCode) -> bool,
    build: impl Fn() -> RequestBuilder,
) -> reqwest::Result<Response> {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let result = build().send().await;
        let wait = match &result {
            Ok(response) if retryable(response.status()) && !at_once(response.status()) => {
                retry_after(response)
            }
            Ok(_) => return result,
            Err(e) if e.is_connect() || e.is_timeout() => None,
            Err(_) => return result,
        };
        if attempt >= policy.attempts {
            return result;
        }
        let delay = policy.delay(attempt, wait);
        tracing::debug!(attempt, ?delay, "LMS asked to retry later");
        tokio::time::sleep(delay).await;
    }
}

/// The client every LMS call goes through: TLS by rustls (reqwest's default provider) with
/// the system's roots, timeouts so that a stuck LMS fails a sync instead of hanging it.
pub fn client(timeout: Duration) -> anyhow::Result<Client> {
    Ok(Client::builder()
        .user_agent(concat!("lablink-grading/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(10))
        .timeout(timeout)
        .build()?)
}

/// Characters of an LMS answer kept in an error message.
const BODY_SHOWN: usize = 300;

/// An LMS's error body as one readable line. JSON and plain text stay as they are; an HTML
/// page (Moodle answers some errors with its themed error page) becomes the text of its error
/// message element, else of its `<title>`: tags stripped, entities decoded, whitespace
/// collapsed. Bounded either way.
pub fn readable_body(body: &str) -> String {
    let lower = body.to_ascii_lowercase();
    let head = lower.trim_start();
    let html = head.starts_with("<!doctype html") || head.starts_with("<html") || lower.contains("<body");
    let text = if html {
        // Moodle: <p class="errormessage"> inside <div class="box errorbox">, or a notification
        // (<div class="alert alert-danger">); the title when neither is there.
        ["errormessage", "errorbox", "alert-danger", "notifyproblem", "<title"]
            .iter()
            .find_map(|marker| element_text(body, &lower, marker))
            .unwrap_or_else(|| "an HTML page without a message".to_owned())
    } else {
        body.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let mut shown: String = text.chars().take(BODY_SHOWN).collect();
    if text.chars().count() > BODY_SHOWN {
        shown.push('…');
    }
    shown
}

/// The text of the first element whose opening tag holds `marker` (searched in `lower`, the
/// lower-cased `body`: same byte offsets), up to its closing tag; `None` when absent or empty.
fn element_text(body: &str, lower: &str, marker: &str) -> Option<String> {
    let mut from = 0;
    while let Some(found) = lower[from..].find(marker) {
        let at = from + found;
        from = at + marker.len();
        // Inside an opening tag: the last `<` before it comes after the last `>`.
        let open = lower[..at + 1].rfind('<')?;
        if lower[open..at].contains('>') {
            continue;
        }
        let name: String = lower[open + 1..].chars().take_while(char::is_ascii_alphanumeric).collect();
        let close = lower[at..].find('>')?;
        let content = at + close + 1;
        if name.is_empty() {
            continue;
        }
        let end = lower[content..].find(&format!("</{name}")).map_or(lower.len(), |e| content + e);
        let text = collapse(&strip_tags(&body[content..end]));
        if !text.is_empty() {
            return Some(text);
        }
    }
    None
}

fn strip_tags(html: &str) -> String {
    let (mut out, mut in_tag) = (String::with_capacity(html.len()), false);
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Whitespace collapsed and the common entities decoded.
fn collapse(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&#039;", "'")]
        .iter()
        .fold(joined, |t, (entity, c)| t.replace(entity, c))
        .replace("&amp;", "&")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_error_pages_become_their_message() {
        // The shape of Moodle's error page (theme Boost), shortened.
        let page = r#"<!DOCTYPE html>
<html dir="ltr" lang="en"><head><title>Error | Moodle 4.5</title>
<style>body { color: red; }</style></head>
<body id="page-mod-lti-token"><div id="page"><div role="main">
<div class="box errorbox alert alert-danger"><p class="errormessage">
  The URL is blocked. (cURL security:
  http://hub.example.org/services/grading/jwks)</p>
<p class="errorcode"><a href="https://docs.moodle.org/405/en/error/moodle/generalexceptionmessage">More information about this error</a></p>
</div></div></div></body></html>"#;
        assert_eq!(
            readable_body(page),
            "The URL is blocked. (cURL security: http://hub.example.org/services/grading/jwks)"
        );
        let titled =
            "<html><head><title>\n 403 &amp; Forbidden </title></head><body><h1>x</h1></body></html>";
        assert_eq!(readable_body(titled), "403 & Forbidden");
        let notice = "<html><body><div class=\"alert alert-danger alert-block fade in\" role=\"alert\">Access <b>denied</b></div></body></html>";
        assert_eq!(readable_body(notice), "Access denied");
        let long = format!("<html><head><title>{}</title></head></html>", "x".repeat(1000));
        assert_eq!(readable_body(&long).chars().count(), BODY_SHOWN + 1);
        // JSON stays JSON.
        assert_eq!(readable_body("{\"error\": \"invalid_client\"}\n"), "{\"error\": \"invalid_client\"}");
    }

    #[test]
    fn backoff_grows_is_capped_and_honours_retry_after() {
        let p = RetryPolicy {
            attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        for _ in 0..200 {
            assert!(p.delay(1, None) <= Duration::from_millis(100));
            assert!(p.delay(3, None) <= Duration::from_millis(400));
            assert!(p.delay(30, None) <= Duration::from_secs(1));
            assert!(p.delay(1, Some(Duration::from_millis(700))) >= Duration::from_millis(700));
            assert_eq!(p.delay(1, Some(Duration::from_secs(3600))), Duration::from_secs(1), "capped");
        }
        assert!(retryable(StatusCode::TOO_MANY_REQUESTS) && retryable(StatusCode::BAD_GATEWAY));
        assert!(!retryable(StatusCode::CONFLICT) && !retryable(StatusCode::BAD_REQUEST));
    }
}
