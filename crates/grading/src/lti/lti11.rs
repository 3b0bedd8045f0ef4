//! LTI 1.1 Basic Outcomes, for LMSs that do not speak LTI 1.3 AGS: one grade per student and
//! link, addressed by the `lis_result_sourcedid` the LMS gave at launch, sent as a POX
//! (Plain Old XML) message signed with OAuth 1.0a HMAC-SHA1. The body is covered by
//! `oauth_body_hash`, since OAuth 1.0a alone signs only form-encoded bodies.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac as _};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Client, Url};
use sha1::{Digest as _, Sha1};

use super::http::{self, RetryPolicy};

pub const POX_CONTENT_TYPE: &str = "application/xml";
const POX_NAMESPACE: &str = "http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0";

/// RFC 5849 §3.6: everything but ALPHA, DIGIT and `-._~` is encoded, with upper-case hex.
const OAUTH_ENCODE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// How much of an LMS's free text goes into an error message.
const MAX_DETAIL: usize = 300;

#[derive(Debug, thiserror::Error)]
pub enum Lti11Error {
    #[error(
        "the score {score} was not sent: LTI 1.1 only carries a fraction from 0.0 to 1.0, so check \
         the assignment's maximum score"
    )]
    InvalidScore { score: f64 },
    #[error(
        "the student's LTI 1.1 result id (lis_result_sourcedid) contains characters XML cannot \
         carry, so nothing was sent: have the student open the activity from the LMS again"
    )]
    InvalidSourcedid,
    #[error(
        "the LMS refused the grade request ({}): {}. Check the LTI 1.1 consumer key and secret of \
         this course, and that the student can still be graded in that activity",
        code_major.as_deref().map_or_else(|| format!("HTTP {status}"), |code| format!("{code}, HTTP {status}")),
        description.trim_end_matches('.')
    )]
    Refused {
        /// The HTTP status: 200 when the refusal came only as a POX `imsx_codeMajor`.
        status: u16,
        /// `failure` or `unsupported` when the LMS answered in POX.
        code_major: Option<String>,
        description: String,
    },
    #[error(
        "the LMS at {url} could not be reached or kept failing ({detail}), even after retrying: run \
         the sync again later (sending a grade twice is harmless), and check the outcomes URL if \
         this persists"
    )]
    Unavailable { url: String, detail: String },
    #[error(
        "the LMS at {url} gave an answer lablink cannot read ({detail}): the grade may or may not \
         have been recorded, so check it in the LMS gradebook"
    )]
    Malformed { url: String, detail: String },
}

/// The grade service of one LTI 1.1 tool consumer, as `Ags` is for LTI 1.3.
pub struct Outcomes<'a> {
    pub client: &'a Client,
    pub consumer_key: &'a str,
    pub secret: &'a str,
    pub retry: RetryPolicy,
}

impl Outcomes<'_> {
    /// Sets the student's grade on the link `url` (the launch's `lis_outcome_service_url`).
    /// `score` is a fraction in 0.0..=1.0; anything else is refused before sending.
    pub async fn replace_result(&self, url: &str, sourcedid: &str, score: f64) -> Result<(), Lti11Error> {
        if !score.is_finite() || !(0.0..=1.0).contains(&score) {
            return Err(Lti11Error::InvalidScore { score });
        }
        let body = pox_request("replaceResultRequest", &message_id(), sourcedid, Some(score))?;
        self.call(url, body).await.map(drop)
    }

    /// The grade the LMS holds for the student; `None` when it holds none.
    pub async fn read_result(&self, url: &str, sourcedid: &str) -> Result<Option<f64>, Lti11Error> {
        let body = pox_request("readResultRequest", &message_id(), sourcedid, None)?;
        let answer = self.call(url, body).await?;
        let malformed = |detail: String| Lti11Error::Malformed { url: url.to_owned(), detail };
        match answer.score_text.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => match text.parse::<f64>() {
                Ok(score) if score.is_finite() => Ok(Some(score)),
                _ => Err(malformed(format!("the score {:?} is not a number", clip(text)))),
            },
        }
    }

    /// Signs (anew for every try: a fresh nonce and timestamp) and sends one POX message.
    async fn call(&self, url: &str, body: String) -> Result<PoxAnswer, Lti11Error> {
        let unavailable = |detail: String| Lti11Error::Unavailable { url: url.to_owned(), detail };
        let malformed = |detail: String| Lti11Error::Malformed { url: url.to_owned(), detail };
        let parsed =
            Url::parse(url).map_err(|e| unavailable(format!("the outcomes URL is not valid: {e}")))?;
        let body_hash = body_hash(body.as_bytes());
        let response = http::send(&self.retry, || {
            let authorization = authorization(
                "POST",
                &parsed,
                &body_hash,
                self.consumer_key,
                self.secret,
                &nonce(),
                unix_now(),
            );
            self.client
                .post(parsed.clone())
                .header(CONTENT_TYPE, POX_CONTENT_TYPE)
                .header(ACCEPT, POX_CONTENT_TYPE)
                .header(AUTHORIZATION, authorization)
                .body(body.clone())
        })
        .await
        .map_err(|e| unavailable(error_chain(&e)))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| unavailable(error_chain(&e)))?;
        if http::retryable(status) {
            return Err(unavailable(format!("HTTP {status}")));
        }
        if status.is_client_error() {
            // Some LMSs explain a refusal in POX, others in plain text.
            let (code_major, description) = match parse_pox_response(&text) {
                Ok(answer) => (Some(answer.code_major), answer.description),
                Err(_) => (None, clip(text.trim())),
            };
            let description = if description.is_empty() {
                status.canonical_reason().unwrap_or("no reason given").to_owned()
            } else {
                description
            };
            return Err(Lti11Error::Refused { status: status.as_u16(), code_major, description });
        }
        if !status.is_success() {
            return Err(malformed(format!("unexpected HTTP {status}")));
        }
        let answer = parse_pox_response(&text).map_err(malformed)?;
        match answer.code_major.as_str() {
            // `processing`: accepted, to be applied later.
            "success" | "processing" => Ok(answer),
            "failure" | "unsupported" => Err(Lti11Error::Refused {
                status: status.as_u16(),
                code_major: Some(answer.code_major),
                description: if answer.description.is_empty() {
                    "no reason given".into()
                } else {
                    answer.description
                },
            }),
            other => Err(malformed(format!("unknown imsx_codeMajor {:?}", clip(other)))),
        }
    }
}

// ----------------------------------------------------------------------------- OAuth 1.0a

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

fn nonce() -> String {
    format!("{:032x}", rand::random::<u128>())
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

// ----------------------------------------------------------------------------- POX

fn message_id() -> String {
    format!("lablink-{:032x}", rand::random::<u128>())
}

/// Text for XML element content. `\r` is written as a reference, else parsers turn it into
/// `\n`; characters XML 1.0 cannot hold at all are refused.
fn xml_text(text: &str) -> Result<String, Lti11Error> {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => return Err(Lti11Error::InvalidSourcedid),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Decimal text with a fractional part (`1.0`, not `1`), never an exponent, never `-0`.
fn score_text(score: f64) -> String {
    let text = format!("{}", if score == 0.0 { 0.0 } else { score });
    if text.contains('.') { text } else { format!("{text}.0") }
}

fn pox_request(
    operation: &str,
    message_id: &str,
    sourcedid: &str,
    score: Option<f64>,
) -> Result<String, Lti11Error> {
    let result = score.map_or_else(String::new, |s| {
        format!(
            "<result><resultScore><language>en</language><textString>{}</textString></resultScore></result>",
            score_text(s)
        )
    });
    Ok(format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <imsx_POXEnvelopeRequest xmlns=\"{POX_NAMESPACE}\">\
         <imsx_POXHeader><imsx_POXRequestHeaderInfo><imsx_version>V1.0</imsx_version>\
         <imsx_messageIdentifier>{message_id}</imsx_messageIdentifier>\
         </imsx_POXRequestHeaderInfo></imsx_POXHeader>\
         <imsx_POXBody><{operation}><resultRecord>\
         <sourcedGUID><sourcedId>{}</sourcedId></sourcedGUID>{result}\
         </resultRecord></{operation}></imsx_POXBody></imsx_POXEnvelopeRequest>",
        xml_text(sourcedid)?
    ))
}

#[derive(Debug, PartialEq)]
struct PoxAnswer {
    code_major: String,
    description: String,
    /// readResult's `resultScore/textString`, when there is one.
    score_text: Option<String>,
}

/// Reads a POX response envelope. Elements are matched by local name: LMSs differ in the
/// namespace (or leave it out). roxmltree refuses DTDs, so no entity tricks get through.
fn parse_pox_response(text: &str) -> Result<PoxAnswer, String> {
    let doc = roxmltree::Document::parse(text).map_err(|e| format!("not XML: {e}"))?;
    let root = doc.root_element();
    if root.tag_name().name() != "imsx_POXEnvelopeResponse" {
        return Err(format!("expected an imsx_POXEnvelopeResponse, got <{}>", clip(root.tag_name().name())));
    }
    let find = |name: &str| root.descendants().find(|n| n.is_element() && n.tag_name().name() == name);
    let text_of = |name: &str| find(name).map(|n| n.text().unwrap_or_default().trim().to_owned());
    let code_major = text_of("imsx_codeMajor").ok_or("no imsx_codeMajor in the answer")?;
    let score_text = find("resultScore")
        .and_then(|s| s.children().find(|n| n.is_element() && n.tag_name().name() == "textString"))
        .map(|n| n.text().unwrap_or_default().to_owned());
    Ok(PoxAnswer {
        code_major: code_major.to_ascii_lowercase(),
        description: clip(&text_of("imsx_description").unwrap_or_default()),
        score_text,
    })
}

fn clip(text: &str) -> String {
    if text.chars().count() <= MAX_DETAIL {
        text.to_owned()
    } else {
        text.chars().take(MAX_DETAIL).chain(['…']).collect()
    }
}

/// reqwest's own message is often just "error sending request"; the cause says why.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
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
    fn hostile_sourcedids_are_escaped_or_refused() {
        let hostile = "a</sourcedId><sourcedId>b&c\"'>\r\n";
        let body = pox_request("replaceResultRequest", "m1", hostile, Some(0.5)).unwrap();
        let doc = roxmltree::Document::parse(&body).unwrap();
        let ids: Vec<_> =
            doc.descendants().filter(|n| n.has_tag_name((POX_NAMESPACE, "sourcedId"))).collect();
        assert_eq!(ids.len(), 1, "{body}");
        assert_eq!(ids[0].text(), Some(hostile), "read back exactly, CR included");
        assert!(matches!(
            pox_request("readResultRequest", "m1", "a\u{0}b", None),
            Err(Lti11Error::InvalidSourcedid)
        ));
    }

    #[test]
    fn requests_carry_a_decimal_score_and_unique_ids() {
        let body = pox_request("replaceResultRequest", "m1", "s", Some(1.0)).unwrap();
        assert!(body.contains("<textString>1.0</textString>"), "{body}");
        assert!(body.contains("<imsx_messageIdentifier>m1</imsx_messageIdentifier>"));
        assert_eq!(score_text(-0.0), "0.0");
        assert_eq!(score_text(0.875), "0.875");
        assert_eq!(score_text(1e-7), "0.0000001", "no exponent");
        let read = pox_request("readResultRequest", "m2", "s", None).unwrap();
        assert!(read.contains("<readResultRequest>") && !read.contains("resultScore"), "{read}");
        assert_ne!(message_id(), message_id());
        assert_ne!(nonce(), nonce());
    }

    fn envelope(code: &str, description: &str, body: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><imsx_POXEnvelopeResponse xmlns=\"{POX_NAMESPACE}\">\
             <imsx_POXHeader><imsx_POXResponseHeaderInfo><imsx_version>V1.0</imsx_version>\
             <imsx_messageIdentifier>r1</imsx_messageIdentifier><imsx_statusInfo>\
             <imsx_codeMajor>{code}</imsx_codeMajor><imsx_severity>status</imsx_severity>\
             <imsx_description>{description}</imsx_description>\
             <imsx_messageRefIdentifier>m1</imsx_messageRefIdentifier></imsx_statusInfo>\
             </imsx_POXResponseHeaderInfo></imsx_POXHeader><imsx_POXBody>{body}</imsx_POXBody>\
             </imsx_POXEnvelopeResponse>"
        )
    }

    #[test]
    fn responses_are_parsed() {
        let ok = parse_pox_response(&envelope("success", "Score set", "<replaceResultResponse/>")).unwrap();
        assert_eq!(
            (ok.code_major.as_str(), ok.description.as_str(), ok.score_text),
            ("success", "Score set", None)
        );

        let read = envelope(
            "success",
            "",
            "<readResultResponse><result><resultScore><language>en</language>\
             <textString>0.25</textString></resultScore></result></readResultResponse>",
        );
        assert_eq!(parse_pox_response(&read).unwrap().score_text.as_deref(), Some("0.25"));
        let empty = envelope(
            "success",
            "",
            "<readResultResponse><result><resultScore><language>en</language>\
             <textString/></resultScore></result></readResultResponse>",
        );
        assert_eq!(parse_pox_response(&empty).unwrap().score_text.as_deref(), Some(""));

        let failed = parse_pox_response(&envelope("Failure", "sourcedid &lt;x&gt; unknown", "")).unwrap();
        assert_eq!(
            (failed.code_major.as_str(), failed.description.as_str()),
            ("failure", "sourcedid <x> unknown")
        );
        let unsupported = parse_pox_response(&envelope("unsupported", "no delete", "")).unwrap();
        assert_eq!(unsupported.code_major, "unsupported");

        // No namespace at all is accepted too: LMSs are not uniform.
        let bare =
            "<imsx_POXEnvelopeResponse><imsx_codeMajor>success</imsx_codeMajor></imsx_POXEnvelopeResponse>";
        assert_eq!(parse_pox_response(bare).unwrap().code_major, "success");
    }

    #[test]
    fn garbage_is_not_taken_for_an_answer() {
        for garbage in [
            "",
            "<html><body>Moodle is being upgraded</body></html>",
            "{\"ok\": true}",
            "<imsx_POXEnvelopeResponse><imsx_POXHeader/></imsx_POXEnvelopeResponse>",
            "<imsx_POXEnvelopeResponse><unclosed></imsx_POXEnvelopeResponse>",
            "<!DOCTYPE x [<!ENTITY e \"boom\">]><imsx_POXEnvelopeResponse><imsx_codeMajor>&e;</imsx_codeMajor></imsx_POXEnvelopeResponse>",
        ] {
            assert!(parse_pox_response(garbage).is_err(), "{garbage}");
        }
    }

    #[test]
    fn error_messages_are_sentences_for_teachers() {
        let refused = Lti11Error::Refused {
            status: 200,
            code_major: Some("failure".into()),
            description: "Unknown sourcedid".into(),
        };
        assert_eq!(
            refused.to_string(),
            "the LMS refused the grade request (failure, HTTP 200): Unknown sourcedid. Check the LTI 1.1 \
             consumer key and secret of this course, and that the student can still be graded in that activity"
        );
        let score = Lti11Error::InvalidScore { score: 1.5 }.to_string();
        assert!(score.starts_with("the score 1.5 was not sent"), "{score}");
    }
}
