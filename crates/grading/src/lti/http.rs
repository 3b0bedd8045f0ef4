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
    let mut attempt = 0;
    loop {
        attempt += 1;
        let result = build().send().await;
        let wait = match &result {
            Ok(response) if retryable(response.status()) => retry_after(response),
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

#[cfg(test)]
mod tests {
    use super::*;

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
