//! Signers for the file server's two protocols, written from the protocols' facts (not from
//! the server's code, so a shared mistake cannot hide): v2 HS256 tokens and the noto-legacy
//! five-parameter HMAC.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use jsonwebtoken::{EncodingKey, Header};
use lablink_protocol::files::TokenClaims;
use md5::{Digest, Md5};
use sha2::Sha256;

/// Seconds since the epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// A v2 token's claims for one request, valid for a minute, with a fresh `jti`.
pub fn claims(home: &str, method: &str, path: &str, scope: &str) -> TokenClaims {
    let iat = now();
    TokenClaims {
        iss: "https://moodle.test".into(),
        sub: home.into(),
        scope: scope.into(),
        htm: method.into(),
        htu: path.into(),
        iat,
        exp: iat + 60,
        jti: format!("{}-{}", iat, rand_id()),
    }
}

fn rand_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed) ^ (std::process::id() as u64) << 32
}

/// The HS256 token of `claims`, with `kid` in its header.
pub fn sign_with(claims: &TokenClaims, kid: &str, secret: &str) -> String {
    let mut header = Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

/// Signer written from the protocol facts: md5_payload = b64(MD5(payload)),
/// key = b64(HMAC-SHA256(secret, user + timestamp + md5_payload)).
pub fn legacy_params(user: &str, payload: &str, timestamp: i64, secret: &str) -> Vec<(String, String)> {
    let md5 = STANDARD.encode(Md5::digest(payload.as_bytes()));
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{user}{timestamp}{md5}").as_bytes());
    let key = STANDARD.encode(mac.finalize().into_bytes());
    vec![
        ("user".into(), user.into()),
        ("timestamp".into(), timestamp.to_string()),
        ("payload".into(), payload.into()),
        ("md5_payload".into(), md5),
        ("key".into(), key),
    ]
}
