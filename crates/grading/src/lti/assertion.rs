//! The JWT a tool signs to ask a platform for an access token (client_credentials grant with
//! `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`).

use jsonwebtoken::{Algorithm, Header};
use serde::{Deserialize, Serialize};

use crate::keys::SigningKey;

/// Assertions live this long; platforms refuse longer-lived ones.
pub const LIFETIME_SECS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssertionClaims {
    /// Both the tool's client id.
    pub iss: String,
    pub sub: String,
    /// The platform's token URL (or the audience it registered).
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    /// Unique per assertion: platforms refuse a replayed one.
    pub jti: String,
}

impl AssertionClaims {
    pub fn new(client_id: &str, audience: &str, now: i64, jti: String) -> Self {
        Self {
            iss: client_id.to_owned(),
            sub: client_id.to_owned(),
            aud: audience.to_owned(),
            iat: now,
            exp: now + LIFETIME_SECS,
            jti,
        }
    }
}

/// Signs `claims` with RS256 and the key's `kid`.
pub fn sign(key: &SigningKey, claims: &AssertionClaims) -> Result<String, jsonwebtoken::errors::Error> {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(key.kid.clone());
    jsonwebtoken::encode(&header, claims, &key.encoding)
}
