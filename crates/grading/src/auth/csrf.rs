//! The cross-site request check for callers signed in by cookie.

use axum::http::HeaderMap;

/// Whether a cookie-carrying request that changes something comes from our own pages. Browsers
/// send `Sec-Fetch-Site`; older ones at least `Origin`; and no cross-site form or simple request
/// can carry a custom header such as `X-Lablink-Request` (we never allow CORS).
pub fn csrf_ok(headers: &HeaderMap) -> bool {
    if headers.contains_key("x-lablink-request") {
        return true;
    }
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match text("sec-fetch-site") {
        Some(site) => site == "same-origin",
        None => match (text("origin"), text("host")) {
            (Some(origin), Some(host)) => {
                origin.split_once("://").is_some_and(|(_, authority)| authority == host)
            }
            _ => false,
        },
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use axum::http::HeaderValue;

    /// A header map from name/value pairs (the auth tests' requests).
    pub(crate) fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn csrf_needs_same_origin_or_our_header() {
        assert!(csrf_ok(&headers(&[("x-lablink-request", "1")])));
        assert!(csrf_ok(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!csrf_ok(&headers(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://h"),
            ("host", "h")
        ])));
        assert!(!csrf_ok(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(csrf_ok(&headers(&[("origin", "https://hub.example.org"), ("host", "hub.example.org")])));
        assert!(!csrf_ok(&headers(&[("origin", "https://evil.example"), ("host", "hub.example.org")])));
        assert!(!csrf_ok(&headers(&[("origin", "null"), ("host", "hub.example.org")])));
        assert!(!csrf_ok(&HeaderMap::new()));
    }
}
