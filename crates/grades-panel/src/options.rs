//! The options object the lab extension passes to `mount`, read and checked once:
//!
//! ```js
//! { serviceUrl: "/services/lablink-grading/", labels: labels(trans), height: 420 }
//! ```
//! - `serviceUrl` (required): the grading service's base URL, a path on the hub's origin or
//!   an absolute `http(s)` URL; a missing final `/` is added.
//! - `labels` (required): every string the panel shows (see `labels.rs`).
//! - `height` (optional): the student table's height in CSS pixels (default 420).

use lablink_client::wire;
use wasm_bindgen::JsValue;

use crate::labels::Labels;

pub const DEFAULT_HEIGHT: u32 = 420;

#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub service_url: String,
    pub labels: Labels,
    pub height: u32,
}

/// A base URL the panel can call: same-origin path or http(s), never a script URL.
pub fn check_service_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    if url.is_empty() {
        return Err(
            "serviceUrl is required (the grading service's URL, e.g. /services/lablink-grading/)".into()
        );
    }
    let lower = url.to_ascii_lowercase();
    let absolute = lower.starts_with("http://") || lower.starts_with("https://");
    if !(absolute || url.starts_with('/')) || url.starts_with("//") {
        return Err(format!(
            "serviceUrl {url:?} must be a path on this site (/services/…) or an http(s) URL"
        ));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) || url.contains(['?', '#']) {
        return Err(format!("serviceUrl {url:?} must be a plain URL, without spaces, query or fragment"));
    }
    Ok(if url.ends_with('/') { url.to_owned() } else { format!("{url}/") })
}

impl Options {
    pub fn from_js(options: &JsValue) -> Result<Self, String> {
        if !options.is_object() {
            return Err("options must be an object { serviceUrl, labels }".into());
        }
        let url = wire::opt_string(options, "serviceUrl").map_err(|e| format!("{e} (serviceUrl)"))?;
        let service_url = check_service_url(&url.unwrap_or_default())?;
        let labels = Labels::from_js(&wire::get(options, "labels"))?;
        let height = match wire::get(options, "height") {
            v if v.is_undefined() => DEFAULT_HEIGHT,
            _ => wire::uint(options, "height").map_err(|e| format!("height: {e}"))?.clamp(160, 4000) as u32,
        };
        Ok(Options { service_url, labels, height })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_urls_are_checked_and_normalised() {
        assert_eq!(check_service_url("/services/lablink-grading").unwrap(), "/services/lablink-grading/");
        assert_eq!(
            check_service_url("https://hub.example/services/g/").unwrap(),
            "https://hub.example/services/g/"
        );
        for bad in ["", "  ", "javascript:alert(1)", "services/g", "//evil.example/", "/s/?x=1", "/a b/"] {
            assert!(check_service_url(bad).is_err(), "{bad:?}");
        }
        assert!(check_service_url("").unwrap_err().contains("serviceUrl is required"));
    }
}
