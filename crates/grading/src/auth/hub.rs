//! Talking to the JupyterHub REST API: whoami for a token, a user's groups with the service's own
//! token, and the OAuth code exchange. Positive answers are cached briefly; failures never are.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use super::caller::Caller;
use crate::error::ApiError;

/// A small map whose entries live `ttl`.
pub struct TtlCache<K, V> {
    ttl: Duration,
    map: Mutex<HashMap<K, (Instant, V)>>,
}

/// Past this many entries, expired ones are swept on insert (keeps memory bounded by the
/// number of distinct callers within one TTL).
const SWEEP_AT: usize = 1024;

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, map: Mutex::new(HashMap::new()) }
    }

    pub fn get(&self, key: &K) -> Option<V> {
        let map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key).filter(|(at, _)| at.elapsed() < self.ttl).map(|(_, v)| v.clone())
    }

    pub fn insert(&self, key: K, value: V) {
        if self.ttl.is_zero() {
            return;
        }
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= SWEEP_AT {
            map.retain(|_, (at, _)| at.elapsed() < self.ttl);
        }
        map.insert(key, (Instant::now(), value));
    }
}

pub struct HubApi {
    /// e.g. `http://127.0.0.1:8081/hub/api`, without a trailing slash.
    pub api_url: String,
    pub api_token: String,
    pub client_id: String,
    pub callback_url: String,
    /// Scopes of which a caller's token must hold one (`access:services!service=<name>`…); empty
    /// when the service's name is unknown.
    pub access_scopes: Vec<String>,
    pub http: reqwest::Client,
    /// SHA-256 of a token → the user name the hub gave for it.
    pub tokens: TtlCache<[u8; 32], String>,
    /// User name → admin flag and groups, read with the service's token.
    pub users: TtlCache<String, Caller>,
}

#[derive(Deserialize)]
struct Whoami {
    #[serde(default)]
    kind: Option<String>,
    name: String,
    #[serde(default)]
    scopes: Vec<String>,
}

#[derive(Deserialize)]
struct UserModel {
    name: String,
    admin: Option<bool>,
    groups: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct TokenReply {
    access_token: String,
}

fn unavailable(err: impl std::fmt::Display) -> ApiError {
    tracing::warn!(error = %err, "JupyterHub API call failed");
    ApiError::hub_unavailable()
}

impl HubApi {
    /// The user name a token belongs to (`GET {api}/user`).
    pub async fn user_for_token(&self, token: &str) -> Result<String, ApiError> {
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        if let Some(name) = self.tokens.get(&key) {
            return Ok(name);
        }
        let reply = self
            .http
            .get(format!("{}/user", self.api_url))
            .header(reqwest::header::AUTHORIZATION, format!("token {token}"))
            .send()
            .await
            .map_err(unavailable)?;
        let who: Whoami = match reply.status() {
            s if s.is_success() => reply.json().await.map_err(unavailable)?,
            // The hub answers 403 (some versions 401) to a token it does not know or that expired.
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN | StatusCode::NOT_FOUND => {
                return Err(ApiError::invalid_token());
            }
            s => return Err(unavailable(format_args!("GET /user answered {s}"))),
        };
        if who.kind.as_deref().is_some_and(|k| k != "user") {
            // A service's name is not a user's, yet could be spelled like one.
            return Err(ApiError::not_a_user());
        }
        if !self.access_scopes.is_empty() && !who.scopes.iter().any(|s| self.access_scopes.contains(s)) {
            return Err(ApiError::no_access(&self.access_scopes));
        }
        self.tokens.insert(key, who.name.clone());
        Ok(who.name)
    }

    /// `GET {api}/users/{name}` with the service's own token.
    async fn user_model(&self, name: &str) -> Result<reqwest::Response, ApiError> {
        self.http
            .get(format!("{}/users/{}", self.api_url, escape(name)))
            .header(reqwest::header::AUTHORIZATION, format!("token {}", self.api_token))
            .send()
            .await
            .map_err(unavailable)
    }

    /// Admin flag and groups of a user, read with the service's own token
    /// (`GET {api}/users/{name}`, needing `read:users:name` and `read:users:groups`).
    pub async fn lookup(&self, name: &str) -> Result<Caller, ApiError> {
        if let Some(caller) = self.users.get(&name.to_owned()) {
            return Ok(caller);
        }
        let reply = self.user_model(name).await?;
        let model: UserModel = match reply.status() {
            s if s.is_success() => reply.json().await.map_err(unavailable)?,
            // Gone since the token or session was made.
            StatusCode::NOT_FOUND => return Err(ApiError::signed_out()),
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => return Err(ApiError::hub_misconfigured()),
            s => return Err(unavailable(format_args!("GET /users/… answered {s}"))),
        };
        let (Some(admin), Some(groups)) = (model.admin, model.groups) else {
            return Err(ApiError::hub_misconfigured());
        };
        let caller = Caller { name: model.name, admin, groups };
        self.users.insert(name.to_owned(), caller.clone());
        Ok(caller)
    }

    /// The user's stored `auth_state` (e.g. the claims of their last LTI launch), read with the
    /// service's token (needs `admin:auth_state`); never cached, as a new launch replaces it.
    pub async fn auth_state(&self, name: &str) -> Result<Option<serde_json::Value>, ApiError> {
        let reply = self.user_model(name).await?;
        if reply.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !reply.status().is_success() {
            return Err(unavailable(format_args!("GET /users/… answered {}", reply.status())));
        }
        let mut model: serde_json::Value = reply.json().await.map_err(unavailable)?;
        Ok(model.get_mut("auth_state").map(serde_json::Value::take).filter(|v| !v.is_null()))
    }

    /// The last step of the OAuth flow: the code (and PKCE verifier) for an access token.
    pub async fn token_for_code(&self, code: &str, verifier: &str) -> Result<String, ApiError> {
        let form = [
            ("client_id", self.client_id.as_str()),
            ("client_secret", self.api_token.as_str()),
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", self.callback_url.as_str()),
            ("code_verifier", verifier),
        ];
        let reply = self
            .http
            .post(format!("{}/oauth2/token", self.api_url))
            .form(&form)
            .send()
            .await
            .map_err(unavailable)?;
        match reply.status() {
            s if s.is_success() => Ok(reply.json::<TokenReply>().await.map_err(unavailable)?.access_token),
            s if s.is_client_error() => {
                tracing::warn!(status = %s, "the hub refused the OAuth code");
                Err(ApiError::oauth_failed())
            }
            s => Err(unavailable(format_args!("POST /oauth2/token answered {s}"))),
        }
    }
}

/// Percent-encodes all but RFC 3986's unreserved characters (a path segment or a query value).
pub fn escape(text: &str) -> String {
    crate::lti::lti11::oauth::encode(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_keeps_entries_for_ttl_only() {
        let cache = TtlCache::new(Duration::from_millis(50));
        cache.insert(1, "a");
        assert_eq!(cache.get(&1), Some("a"));
        std::thread::sleep(Duration::from_millis(60));
        assert_eq!(cache.get(&1), None);
        let off = TtlCache::new(Duration::ZERO);
        off.insert(1, "a");
        assert_eq!(off.get(&1), None);
    }

    #[test]
    fn escapes_names_and_urls() {
        assert_eq!(escape("a.b-c_d~e"), "a.b-c_d~e");
        assert_eq!(escape("ann@x.org/../admin"), "ann%40x.org%2F..%2Fadmin");
        assert_eq!(escape("/services/g/oauth_callback"), "%2Fservices%2Fg%2Foauth_callback");
        assert_eq!(escape("é"), "%C3%A9");
    }
}
