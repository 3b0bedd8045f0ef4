//! Our two cookies, HMAC-SHA256 signed: the session (user name + expiry) and the OAuth state
//! (state, PKCE verifier, where to go next + expiry). Neither is encrypted: they hold nothing the
//! browser holding them may not read.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use rand::RngCore as _;
use sha2::Sha256;

pub const SESSION_COOKIE: &str = "lablink-grading-session";
pub const STATE_COOKIE: &str = "lablink-grading-oauth-state";

/// Each kind of signed text gets its own label, so a value signed as one can never pass as another.
const SESSION_LABEL: &str = "lablink-grading session v1";
const STATE_LABEL: &str = "lablink-grading oauth-state v1";

/// The key signing our cookies.
pub struct CookieKey(Vec<u8>);

impl std::fmt::Debug for CookieKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CookieKey(..)")
    }
}

/// What the OAuth state cookie carries from `login` to `oauth_callback`.
#[derive(Debug, Clone, PartialEq)]
pub struct OauthState {
    pub state: String,
    pub verifier: String,
    pub next: String,
}

impl CookieKey {
    pub const MIN_LEN: usize = 32;

    pub fn new(bytes: Vec<u8>) -> anyhow::Result<Self> {
        anyhow::ensure!(
            bytes.len() >= Self::MIN_LEN,
            "a cookie secret needs at least {} bytes",
            Self::MIN_LEN
        );
        Ok(Self(bytes))
    }

    pub fn random() -> Self {
        Self(random_bytes(32))
    }

    fn mac(&self, label: &str, text: &str) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(label.as_bytes());
        mac.update(b"\n");
        mac.update(text.as_bytes());
        mac
    }

    fn sign(&self, label: &str, text: String) -> String {
        let tag = B64.encode(self.mac(label, &text).finalize().into_bytes());
        format!("{text}.{tag}")
    }

    /// The signed text (without its tag) when the tag is right, compared in constant time.
    fn verify<'a>(&self, label: &str, value: &'a str) -> Option<&'a str> {
        let (text, tag) = value.rsplit_once('.')?;
        let tag = B64.decode(tag).ok()?;
        self.mac(label, text).verify_slice(&tag).ok()?;
        Some(text)
    }

    pub fn session(&self, name: &str, expires: u64) -> String {
        self.sign(SESSION_LABEL, format!("{}.{expires}", B64.encode(name)))
    }

    /// The user name of a session cookie that is intact and not expired at `now`.
    pub fn open_session(&self, value: &str, now: u64) -> Option<String> {
        let text = self.verify(SESSION_LABEL, value)?;
        let (name, expires) = text.split_once('.')?;
        if expires.parse::<u64>().ok()? <= now {
            return None;
        }
        String::from_utf8(B64.decode(name).ok()?).ok().filter(|n| !n.is_empty())
    }

    pub fn state(&self, state: &OauthState, expires: u64) -> String {
        let text = format!("{}.{}.{}.{expires}", state.state, state.verifier, B64.encode(&state.next));
        self.sign(STATE_LABEL, text)
    }

    pub fn open_state(&self, value: &str, now: u64) -> Option<OauthState> {
        let mut parts = self.verify(STATE_LABEL, value)?.split('.');
        let (state, verifier, next, expires) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || expires.parse::<u64>().ok()? <= now {
            return None;
        }
        let next = String::from_utf8(B64.decode(next).ok()?).ok()?;
        Some(OauthState { state: state.into(), verifier: verifier.into(), next })
    }
}

pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut bytes = vec![0; n];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes
}

/// A URL-safe random text of `n` bytes of entropy.
pub fn random_text(n: usize) -> String {
    B64.encode(random_bytes(n))
}

/// The PKCE S256 challenge of a verifier.
pub fn pkce_challenge(verifier: &str) -> String {
    use sha2::Digest as _;
    B64.encode(Sha256::digest(verifier.as_bytes()))
}

pub fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// The value of cookie `name` in a `Cookie` header (the first one, as browsers send the most
/// specific path first).
pub fn find<'a>(cookie_header: &'a str, name: &str) -> Option<&'a str> {
    cookie_header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value for one of our cookies; `max_age` 0 clears it.
pub fn set_cookie(name: &str, value: &str, path: &str, max_age: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_open_only_intact_and_in_time() {
        let key = CookieKey::random();
        let value = key.session("anna.b@example.org", 1000);
        assert_eq!(key.open_session(&value, 999).as_deref(), Some("anna.b@example.org"));
        assert_eq!(key.open_session(&value, 1000), None, "expired");
        assert_eq!(CookieKey::random().open_session(&value, 1), None, "another key");
        // Any change to the name, the expiry or the tag breaks it.
        let (text, tag) = value.rsplit_once('.').unwrap();
        let (name, _) = text.split_once('.').unwrap();
        let other_name = format!("{}.1000.{tag}", B64.encode("teacher"));
        let later = format!("{name}.99999.{tag}");
        let mut flipped = value.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'A' { b'B' } else { b'A' };
        for bad in [other_name, later, String::from_utf8(flipped).unwrap(), text.to_owned(), String::new()] {
            assert_eq!(key.open_session(&bad, 1), None, "{bad}");
        }
    }

    #[test]
    fn a_state_cookie_is_not_a_session_and_back() {
        let key = CookieKey::random();
        let st = OauthState { state: random_text(32), verifier: random_text(32), next: "/s/x?y=1".into() };
        let value = key.state(&st, 50);
        assert_eq!(key.open_state(&value, 10), Some(st));
        assert_eq!(key.open_state(&value, 50), None);
        assert_eq!(key.open_session(&value, 10), None);
        assert_eq!(key.open_state(&key.session("a", 50), 10), None);
    }

    #[test]
    fn helpers() {
        assert_eq!(find("a=1; lablink-grading-session=v.1.x; b=2", SESSION_COOKIE), Some("v.1.x"));
        assert_eq!(find("xlablink-grading-session=1", SESSION_COOKIE), None);
        assert_eq!(decode_hex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(decode_hex("0g"), None);
        assert_eq!(decode_hex("abc"), None);
        assert!(CookieKey::new(vec![1; 31]).is_err());
        // RFC 7636, appendix B.
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let set = set_cookie(SESSION_COOKIE, "v", "/services/g/", 60, true);
        assert_eq!(
            set,
            "lablink-grading-session=v; Path=/services/g/; Max-Age=60; HttpOnly; SameSite=Lax; Secure"
        );
    }
}
