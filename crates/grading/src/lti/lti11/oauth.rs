//! OAuth 1.0a signing (RFC 5849) as LTI 1.1 uses it: HMAC-SHA1, an empty token secret, and the
//! body covered by `oauth_body_hash`.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac as _};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Url;
use sha1::{Digest as _, Sha1};

/// RFC 5849 §3.6: everything but ALPHA, DIGIT and `-._~` is encoded, with upper-case hex.
const OAUTH_ENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// RFC 5849 §3.6 percent-encoding.
pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, OAUTH_ENCODE).to_string()
}

/// Base64 of the SHA-1 of the exact body bytes (the OAuth Request Body Hash extension).
pub fn body_hash(body: &[u8]) -> String {
    BASE64.encode(Sha1::digest(body))
}

/// The signature base string (RFC 5849 §3.4.1): method, base URI, and the normalised
/// parameters, i.e. `params` (protocol parameters, and form body fields if any) together
/// with the URL's own query parameters.
pub fn base_string(method: &str, url: &Url, params: &[(&str, &str)]) -> String {
    // §3.4.1.2: lower-case scheme and host (Url does both), default port left out, no query.
    let mut base_uri = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        base_uri.push_str(&format!(":{port}"));
    }
    base_uri.push_str(url.path());
    // §3.4.1.3: query pairs are form-decoded (so `+` is a space), then everything re-encoded.
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (encode(&k), encode(&v)))
        .chain(params.iter().map(|(k, v)| (encode(k), encode(v))))
        .collect();
    pairs.sort();
    let normalised = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    format!("{}&{}&{}", method.to_ascii_uppercase(), encode(&base_uri), encode(&normalised))
}

/// HMAC-SHA1 of the base string, keyed by both secrets (the token secret is empty in LTI).
pub fn hmac_sha1(base_string: &str, consumer_secret: &str, token_secret: &str) -> String {
    let key = format!("{}&{}", encode(consumer_secret), encode(token_secret));
    let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(base_string.as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}

/// The `Authorization: OAuth …` header value for a request whose body hashes to `body_hash`.
pub fn authorization(
    method: &str,
    url: &Url,
    body_hash: &str,
    consumer_key: &str,
    secret: &str,
    nonce: &str,
    timestamp: u64,
) -> String {
    let timestamp = timestamp.to_string();
    let mut params = vec![
        ("oauth_body_hash", body_hash),
        ("oauth_consumer_key", consumer_key),
        ("oauth_nonce", nonce),
        ("oauth_signature_method", "HMAC-SHA1"),
        ("oauth_timestamp", timestamp.as_str()),
        ("oauth_version", "1.0"),
    ];
    let signature = hmac_sha1(&base_string(method, url, &params), secret, "");
    params.push(("oauth_signature", &signature));
    let fields: Vec<String> = params.iter().map(|(k, v)| format!("{k}=\"{}\"", encode(v))).collect();
    format!("OAuth {}", fields.join(", "))
}

pub(super) fn nonce() -> String {
    format!("{:032x}", rand::random::<u128>())
}

pub(super) fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_follows_rfc_5849() {
        assert_eq!(encode("abcXYZ019-._~"), "abcXYZ019-._~");
        assert_eq!(encode("a b+c*d/e=f&g%h"), "a%20b%2Bc%2Ad%2Fe%3Df%26g%25h");
        assert_eq!(encode("é☃"), "%C3%A9%E2%98%83", "UTF-8 bytes, upper-case hex");
        assert_eq!(encode("!'()"), "%21%27%28%29");
    }

    /// The request of RFC 5849 §3.4.1.1, whose query has an encoded `=`, a doubly encoded
    /// one, an empty value and a `%20`, and whose form body has a `+` and a bare name.
    #[test]
    fn base_string_of_the_rfc_example() {
        let url = Url::parse("http://EXAMPLE.com:80/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b").unwrap();
        let params = [
            ("oauth_consumer_key", "9djdj82h48djs9d2"),
            ("oauth_token", "kkk9d7dh3k39sjv7"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131201"),
            ("oauth_nonce", "7d8f3e4a"),
            // The form body `c2&a3=2+q`, decoded.
            ("c2", ""),
            ("a3", "2 q"),
        ];
        assert_eq!(
            base_string("post", &url, &params),
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26\
             b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26\
             oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D\
             137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
        );
        // A non-default port stays; `+` in a query is a space.
        let url = Url::parse("https://Lms.Example:8443/outcomes?a=x+y").unwrap();
        assert!(
            base_string("POST", &url, &[])
                .starts_with("POST&https%3A%2F%2Flms.example%3A8443%2Foutcomes&a%3Dx%2520y")
        );
    }

    /// §3.4.1's example gives no secrets; §1.2's does, with the signature it yields.
    #[test]
    fn hmac_sha1_signature_of_the_rfc_example() {
        let url = Url::parse("http://photos.example.net/photos?file=vacation.jpg&size=original").unwrap();
        let params = [
            ("oauth_consumer_key", "dpf43f3p2l4k3l03"),
            ("oauth_token", "nnch734d00sl2jdk"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "137131202"),
            ("oauth_nonce", "chapoH"),
        ];
        let base = base_string("GET", &url, &params);
        assert_eq!(hmac_sha1(&base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"), "MdpQcU8iPSUjWoN/UDMsK2sui9I=");
    }

    #[test]
    fn body_hash_is_base64_sha1_of_the_exact_bytes() {
        assert_eq!(body_hash(b""), "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
        assert_eq!(body_hash(b"abc"), "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
        assert_ne!(body_hash(b"abc\n"), body_hash(b"abc"));
    }

    #[test]
    fn authorization_header_signs_body_hash_and_query() {
        let url = Url::parse("https://lms.example/outcomes?type_id=7").unwrap();
        let header = authorization(
            "POST",
            &url,
            "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=",
            "key 1",
            "s&cret",
            "n0nce",
            1_700_000_000,
        );
        assert!(header.starts_with("OAuth "), "{header}");
        assert!(header.contains("oauth_body_hash=\"qZk%2BNkcGgWq6PiVxeFDCbJzQ2J0%3D\""), "{header}");
        assert!(header.contains("oauth_consumer_key=\"key%201\""), "{header}");
        let signed = [
            ("oauth_body_hash", "qZk+NkcGgWq6PiVxeFDCbJzQ2J0="),
            ("oauth_consumer_key", "key 1"),
            ("oauth_nonce", "n0nce"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_timestamp", "1700000000"),
            ("oauth_version", "1.0"),
        ];
        let base = base_string("POST", &url, &signed);
        assert!(base.contains("type_id%3D7"), "the query is signed: {base}");
        let expected = encode(&hmac_sha1(&base, "s&cret", ""));
        assert!(header.contains(&format!("oauth_signature=\"{expected}\"")), "{header}");
    }

    #[test]
    fn nonces_are_fresh() {
        assert_ne!(nonce(), nonce());
    }
}
