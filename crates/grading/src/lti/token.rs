//! Access tokens from a platform's token endpoint (client_credentials with a signed JWT
//! assertion), cached per platform (issuer, client id, token URL) and scope set until shortly
//! before they expire, so a sync of any size asks once, and one platform never receives
//! another's token.

use std::collections::BTreeSet;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Deserialize;
use tokio::sync::Mutex;

use super::assertion::{self, AssertionClaims};
use super::http::{self, RetryPolicy};
use crate::config::Platform;
use crate::keys::SigningKey;

pub const SCOPE_LINEITEM: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem";
pub const SCOPE_LINEITEM_READONLY: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly";
pub const SCOPE_RESULT_READONLY: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly";
pub const SCOPE_SCORE: &str = "https://purl.imsglobal.org/spec/lti-ags/scope/score";
pub const SCOPE_NRPS: &str = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly";

/// Tokens are renewed this long before they expire.
const MARGIN: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the LMS granted no {missing}: {enable}")]
    ScopeMissing { missing: String, enable: &'static str },
    #[error("the LMS's token endpoint could not be reached: {0}")]
    Unreachable(String),
    #[error("the LMS refused the token request ({status}): {body}")]
    Refused { status: u16, body: String },
    #[error("signing the client assertion failed: {0}")]
    Signing(String),
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
    /// What was granted, when the platform says (Moodle does: the scopes the tool's enabled
    /// services permit, a subset of those asked).
    #[serde(default)]
    scope: Option<String>,
}

/// A bearer token and the scopes it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub bearer: String,
    pub granted: BTreeSet<String>,
}

impl Token {
    pub fn grants(&self, scope: &str) -> bool {
        self.granted.contains(scope)
    }
}

/// What to enable in the LMS so that it grants `scope` (for the error a missing one makes).
pub fn enable_hint(scope: &str) -> &'static str {
    match scope {
        SCOPE_NRPS => {
            "enable the names and roles service for the tool in the LMS (Moodle: the tool's \"IMS LTI Names and Role Provisioning\" set to \"Use this service to retrieve members' information as per privacy settings\")"
        }
        _ => {
            "enable the grade service for the tool in the LMS (Moodle: the tool's \"IMS LTI Assignment and Grade Services\" set to \"Use this service for grade sync only\" or \"… and column management\")"
        }
    }
}

/// The cache key: who is asked, and for what.
type Key = (String, String, String, BTreeSet<String>);

#[derive(Default)]
pub struct TokenCache {
    cached: Mutex<HashMap<Key, (Token, Instant)>>,
    /// Token requests actually sent (the bench checks a sync asks once).
    pub requests: AtomicU64,
}

impl TokenCache {
    /// A token for `scopes` on `platform`. Concurrent callers wait for one request. The
    /// token may grant fewer scopes than asked: see [`Token::granted`].
    pub async fn get(
        &self,
        client: &reqwest::Client,
        platform: &Platform,
        key: &SigningKey,
        scopes: &[&str],
    ) -> Result<Token, TokenError> {
        let set: BTreeSet<String> = scopes.iter().map(|s| (*s).to_owned()).collect();
        let cache_key =
            (platform.issuer.clone(), platform.client_id.clone(), platform.token_url.clone(), set.clone());
        let mut cached = self.cached.lock().await;
        if let Some((token, until)) = cached.get(&cache_key)
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let jti = format!("{:032x}", rand::random::<u128>());
        let audience = platform.audience.as_deref().unwrap_or(&platform.token_url);
        let claims = AssertionClaims::new(&platform.client_id, audience, now, jti);
        let jwt = assertion::sign(key, &claims).map_err(|e| TokenError::Signing(e.to_string()))?;
        let scope = set.iter().cloned().collect::<Vec<_>>().join(" ");
        let form = [
            ("grant_type", "client_credentials"),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", jwt.as_str()),
            ("scope", scope.as_str()),
        ];
        // Moodle's token.php reads form fields only.
        let response = http::send(&RetryPolicy::default(), || client.post(&platform.token_url).form(&form))
            .await
            .map_err(|e| TokenError::Unreachable(e.to_string()))?;
        let status = response.status();
        let body = response.text().await.map_err(|e| TokenError::Unreachable(e.to_string()))?;
        if !status.is_success() {
            return Err(TokenError::Refused { status: status.as_u16(), body: http::readable_body(&body) });
        }
        let parsed: TokenResponse = serde_json::from_str(&body).map_err(|e| TokenError::Refused {
            status: status.as_u16(),
            body: format!("unreadable answer: {e}"),
        })?;
        let lifetime = Duration::from_secs(parsed.expires_in.unwrap_or(3600));
        // No `scope` in the answer: RFC 6749 says the asked ones were granted.
        let granted = match &parsed.scope {
            Some(scope) => scope.split_ascii_whitespace().map(str::to_owned).collect(),
            None => set,
        };
        let token = Token { bearer: parsed.access_token, granted };
        // A partial grant is not kept: once the LMS's admin enables the missing service, the
        // next sync asks again instead of failing for the token's lifetime.
        if cache_key.3.is_subset(&token.granted) {
            cached.insert(cache_key, (token.clone(), Instant::now() + lifetime.saturating_sub(MARGIN)));
        }
        Ok(token)
    }
}
