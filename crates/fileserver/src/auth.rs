//! v2 bearer tokens: HS256 JWTs bound to a home (`sub`), a method (`htm`), a path (`htu`),
//! a short lifetime (`exp` ≤ `iat` + 120 s) and a single use (`jti`).

use std::collections::HashMap;

use axum::http::{HeaderMap, Method, header};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use lablink_protocol::files::{ErrorCode, TokenClaims};

use crate::config::V2Key;
use crate::error::{ApiError, ApiResult};
use crate::replay::{ReplayCache, Seen};

/// Longest lifetime a token may declare.
pub const MAX_TOKEN_LIFETIME: i64 = 120;

struct Key {
    decoding: DecodingKey,
    issuer: Option<String>,
}

pub struct TokenVerifier {
    keys: HashMap<String, Key>,
    skew: i64,
    replay: ReplayCache,
}

/// What a request may do, once its token checks out.
#[derive(Debug, Clone)]
pub struct Grant {
    pub home: String,
    pub write: bool,
    pub issuer: String,
}

pub fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

impl TokenVerifier {
    pub fn new(keys: &[V2Key], skew: i64, replay_capacity: usize) -> Self {
        let keys = keys
            .iter()
            .filter_map(|k| {
                let secret = k.secret.as_ref()?;
                Some((
                    k.kid.clone(),
                    Key { decoding: DecodingKey::from_secret(secret.as_bytes()), issuer: k.issuer.clone() },
                ))
            })
            .collect();
        Self { keys, skew, replay: ReplayCache::new(replay_capacity) }
    }

    /// Checks the `Authorization` header for a request of `method` on `path` acting on `home`.
    pub fn verify(
        &self,
        headers: &HeaderMap,
        method: &Method,
        path: &str,
        home: &str,
        need_write: bool,
    ) -> ApiResult<Grant> {
        let now = now_secs();
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
            .map(str::trim)
            .ok_or_else(|| ApiError::unauthorized("a bearer token is required"))?;
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| ApiError::unauthorized("the token is malformed"))?;
        if header.alg != Algorithm::HS256 {
            return Err(ApiError::unauthorized("only HS256 tokens are accepted"));
        }
        let kid = header.kid.ok_or_else(|| ApiError::unauthorized("the token names no key (kid)"))?;
        let key =
            self.keys.get(&kid).ok_or_else(|| ApiError::unauthorized("the token's key id is unknown"))?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = self.skew as u64;
        validation.validate_aud = false;
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss"]);
        if let Some(issuer) = &key.issuer {
            validation.set_issuer(&[issuer]);
        }
        let data = jsonwebtoken::decode::<TokenClaims>(token, &key.decoding, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind::*;
            ApiError::unauthorized(match e.kind() {
                ExpiredSignature => "the token has expired",
                InvalidSignature => "the token's signature does not match",
                InvalidIssuer => "the token's issuer is not accepted for this key",
                MissingRequiredClaim(_) | Json(_) => "the token lacks required claims",
                _ => "the token is not valid",
            })
        })?;
        let c = data.claims;
        if c.iat > now + self.skew {
            return Err(ApiError::unauthorized("the token was issued in the future"));
        }
        if c.exp - c.iat > MAX_TOKEN_LIFETIME || c.exp < c.iat {
            return Err(ApiError::unauthorized(format!(
                "the token lives longer than {MAX_TOKEN_LIFETIME} seconds"
            )));
        }
        if !c.htm.eq_ignore_ascii_case(method.as_str()) {
            return Err(ApiError::unauthorized("the token was issued for another HTTP method"));
        }
        if htu_path(&c.htu) != path {
            return Err(ApiError::unauthorized("the token was issued for another path"));
        }
        if c.sub != home {
            return Err(ApiError::forbidden("the token was issued for another home"));
        }
        let scopes: Vec<&str> = c.scope.split_whitespace().collect();
        let write = scopes.contains(&"write");
        if need_write && !write {
            return Err(ApiError::forbidden("the token does not allow writing"));
        }
        if !need_write && !scopes.contains(&"read") && !write {
            return Err(ApiError::forbidden("the token does not allow reading"));
        }
        if c.jti.is_empty() {
            return Err(ApiError::unauthorized("the token has no id (jti)"));
        }
        // Checked last, so that a token refused for another reason is not burnt.
        match self.replay.check(&format!("{}\u{0}{}", c.iss, c.jti), c.exp + self.skew, now) {
            Seen::Fresh => {}
            Seen::Replayed => {
                return Err(ApiError::new(ErrorCode::TokenReplayed, "this token was already used"));
            }
            Seen::Full => {
                return Err(ApiError::new(ErrorCode::Busy, "too many requests in flight; retry shortly"));
            }
        }
        Ok(Grant { home: c.sub, write, issuer: c.iss })
    }
}

/// The path part of an `htu` claim, which may be a full URL or just a path (no query).
pub fn htu_path(htu: &str) -> &str {
    let without_scheme = match htu.find("://") {
        Some(i) => {
            let rest = &htu[i + 3..];
            rest.find('/').map_or("/", |j| &rest[j..])
        }
        None => htu,
    };
    without_scheme.split(['?', '#']).next().unwrap_or("")
}

/// Mints a v2 token: what a client such as the Moodle plugin does, for scripts and the demo.
pub fn mint(kid: &str, secret: &str, claims: &TokenClaims) -> Result<String, jsonwebtoken::errors::Error> {
    let mut header = jsonwebtoken::Header::new(Algorithm::HS256);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn htu_forms() {
        assert_eq!(htu_path("https://h.example/v2/homes/a/entries?x=1"), "/v2/homes/a/entries");
        assert_eq!(htu_path("/v2/homes/a/archive"), "/v2/homes/a/archive");
        assert_eq!(htu_path("http://h:8600"), "/");
    }
}
