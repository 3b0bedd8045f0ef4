//! The service's signing key: made once with safe permissions, stable across restarts, and
//! its JWKS verifies the client assertions it signs.

use std::os::unix::fs::PermissionsExt as _;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use lablink_grading::keys::SigningKey;
use lablink_grading::lti::assertion::{self, AssertionClaims};

#[test]
fn key_is_made_once_private_and_stable() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state/grading-key.pem");
    let first = SigningKey::load_or_create(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "only the service's user may read the key");
    let pem = std::fs::read(&path).unwrap();
    let again = SigningKey::load_or_create(&path).unwrap();
    assert_eq!(first.kid, again.kid, "a restart keeps the key");
    assert_eq!(std::fs::read(&path).unwrap(), pem, "and does not rewrite it");
    assert_eq!(first.jwks(), again.jwks());
}

#[test]
fn jwks_verifies_the_assertions_we_sign() {
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::load_or_create(&dir.path().join("k.pem")).unwrap();
    let claims =
        AssertionClaims::new("client-1", "https://lms.example/mod/lti/token.php", 1_800_000_000, "j1".into());
    let jwt = assertion::sign(&key, &claims).unwrap();

    let header = jsonwebtoken::decode_header(&jwt).unwrap();
    assert_eq!((header.alg, header.kid.as_deref()), (Algorithm::RS256, Some(key.kid.as_str())));
    let set: JwkSet = serde_json::from_value(key.jwks()).unwrap();
    let jwk = set.find(&key.kid).expect("the kid is published");
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&["https://lms.example/mod/lti/token.php"]);
    validation.validate_exp = false;
    let decoded =
        jsonwebtoken::decode::<AssertionClaims>(&jwt, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
            .unwrap();
    assert_eq!(decoded.claims, claims);
    assert_eq!((decoded.claims.iss.as_str(), decoded.claims.sub.as_str()), ("client-1", "client-1"));
    assert_eq!(decoded.claims.exp - decoded.claims.iat, assertion::LIFETIME_SECS);

    // Another key's JWKS must not verify it.
    let other = SigningKey::load_or_create(&dir.path().join("other.pem")).unwrap();
    let set: JwkSet = serde_json::from_value(other.jwks()).unwrap();
    let wrong = DecodingKey::from_jwk(&set.keys[0]).unwrap();
    assert!(jsonwebtoken::decode::<AssertionClaims>(&jwt, &wrong, &validation).is_err());
}

#[test]
fn a_damaged_key_file_is_refused_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("k.pem");
    std::fs::write(&path, "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n").unwrap();
    let err = SigningKey::load_or_create(&path).err().expect("refused");
    assert!(format!("{err:#}").contains("is not a PKCS#8 RSA private key"), "{err:#}");
    assert!(std::fs::read_to_string(&path).unwrap().contains("not a key"), "the file is left for the admin");
}
