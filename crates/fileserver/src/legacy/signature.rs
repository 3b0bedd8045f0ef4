//! The five-parameter HMAC authentication of the noto-legacy protocol.
//!
//! `md5_payload` = base64(MD5(payload)); `key` = base64(HMAC-SHA256(secret, user + timestamp +
//! md5_payload)). The timestamp must be at most `ttl` seconds old and not in the future
//! beyond the allowed clock skew.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use lablink_protocol::legacy::{AUTH_PARAMS, code};
use md5::{Digest, Md5};
use sha2::Sha256;

use super::error::LegacyError;

pub fn md5_b64(payload: &str) -> String {
    STANDARD.encode(Md5::digest(payload.as_bytes()))
}

fn mac(secret: &str, user: &str, timestamp: &str, md5_payload: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(user.as_bytes());
    mac.update(timestamp.as_bytes());
    mac.update(md5_payload.as_bytes());
    mac
}

/// The `key` a client computes (used by tests and the demo).
pub fn sign(secret: &str, user: &str, timestamp: &str, md5_payload: &str) -> String {
    STANDARD.encode(mac(secret, user, timestamp, md5_payload).finalize().into_bytes())
}

/// Checks the query parameters; returns the payload text on success.
pub fn verify(
    params: &HashMap<String, String>,
    keys: &HashMap<String, String>,
    ttl: i64,
    skew: i64,
    now: i64,
) -> Result<String, LegacyError> {
    for name in AUTH_PARAMS {
        if !params.contains_key(name) {
            return Err(LegacyError::new(
                code::MISSING_PARAMETER,
                format!("Error : the request is not formatted correctly : {name} is missing"),
            ));
        }
    }
    let user = &params["user"];
    let Some(secret) = keys.get(user) else {
        return Err(LegacyError::new(code::UNKNOWN_KEY, "Error : authentication failed"));
    };
    let timestamp = &params["timestamp"];
    let Ok(ts) = timestamp.trim().parse::<i64>() else {
        return Err(LegacyError::new(code::MISSING_PARAMETER, "Error : timestamp is not a number"));
    };
    if now - ts > ttl {
        return Err(LegacyError::new(code::EXPIRED, "Error : checking timestamp increase ttl if persist"));
    }
    if ts - now > skew {
        return Err(LegacyError::new(code::EXPIRED, "Error : timestamp is in the future"));
    }
    let payload = &params["payload"];
    let md5_payload = &params["md5_payload"];
    if *md5_payload != md5_b64(payload) {
        return Err(LegacyError::new(code::MD5_MISMATCH, "Error : checking md5 payload"));
    }
    let Ok(given) = STANDARD.decode(params["key"].as_bytes()) else {
        return Err(LegacyError::new(code::BAD_HMAC, "Error : checking hmac"));
    };
    // Constant-time comparison.
    if mac(secret, user, timestamp, md5_payload).verify_slice(&given).is_err() {
        return Err(LegacyError::new(code::BAD_HMAC, "Error : checking hmac"));
    }
    Ok(payload.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(secret: &str, ts: i64, payload: &str) -> HashMap<String, String> {
        let md5 = md5_b64(payload);
        let key = sign(secret, "moodle", &ts.to_string(), &md5);
        [
            ("user", "moodle".to_owned()),
            ("timestamp", ts.to_string()),
            ("payload", payload.into()),
            ("md5_payload", md5),
            ("key", key),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    #[test]
    fn known_vector() {
        // base64(md5("{}")), as the original documentation shows for an empty payload.
        assert_eq!(md5_b64("{}"), "mZFLkyvTelC5g8XnyQrpOw==");
    }

    #[test]
    fn codes() {
        let keys: HashMap<_, _> = [("moodle".to_owned(), "s3cret".to_owned())].into();
        let ok = params("s3cret", 1000, "{}");
        assert_eq!(verify(&ok, &keys, 30, 5, 1010).unwrap(), "{}");
        assert_eq!(verify(&ok, &keys, 30, 5, 1031).unwrap_err().code, code::EXPIRED);
        assert_eq!(verify(&ok, &keys, 30, 5, 990).unwrap_err().code, code::EXPIRED);
        let mut bad = ok.clone();
        bad.remove("key");
        assert_eq!(verify(&bad, &keys, 30, 5, 1000).unwrap_err().code, code::MISSING_PARAMETER);
        let mut bad = ok.clone();
        bad.insert("payload".into(), "{\"x\":1}".into());
        assert_eq!(verify(&bad, &keys, 30, 5, 1000).unwrap_err().code, code::MD5_MISMATCH);
        let wrong = params("other", 1000, "{}");
        assert_eq!(verify(&wrong, &keys, 30, 5, 1000).unwrap_err().code, code::BAD_HMAC);
        let mut bad = ok;
        bad.insert("user".into(), "nobody".into());
        assert_eq!(verify(&bad, &keys, 30, 5, 1000).unwrap_err().code, code::UNKNOWN_KEY);
    }
}
