//! [`HubAuth`]: the service's check of callers against JupyterHub, from its configuration (or
//! the hub's environment): a request's caller by token or session, and the sign-in redirect.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};

use super::caller::Caller;
use super::cookie::{self, CookieKey, OauthState, SESSION_COOKIE, STATE_COOKIE};
use super::csrf::csrf_ok;
use super::hub::{self, HubApi, TtlCache};
use crate::config::{HubConfig, HubEnv};
use crate::error::ApiError;

pub const DEFAULT_CACHE_SECONDS: u64 = 30;
pub const DEFAULT_SESSION_SECONDS: u64 = 8 * 3600;
/// Time a browser has to come back from the hub's sign-in page.
const STATE_SECONDS: u64 = 600;
/// A hub that has not answered by then is treated as down.
const HUB_TIMEOUT: Duration = Duration::from_secs(10);

/// Checks callers against JupyterHub. Put it in the router state as `Arc<HubAuth>`.
pub struct HubAuth {
    pub(super) prefix: String,
    pub(super) key: CookieKey,
    /// `None`: no hub known, every caller is refused with 503.
    pub(super) api: Option<HubApi>,
    /// Ends with `/`; may be a bare path (`/hub/`) when the hub shares our origin.
    pub(super) public_hub_url: String,
    secure_cookies: Option<bool>,
    pub(super) session_seconds: u64,
}

pub(super) fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

impl HubAuth {
    /// From `config` (the `[grading.hub]` table, if any) and the process environment; `None` when
    /// no hub API URL is known. `prefix` is the service's, normalised (`/services/<name>/`).
    pub fn new(config: Option<&HubConfig>, prefix: &str) -> anyhow::Result<Option<HubAuth>> {
        Self::with_env(config, prefix, |name| std::env::var(name).ok())
    }

    /// [`HubAuth::new`] with the environment given as a lookup.
    pub fn with_env(
        config: Option<&HubConfig>,
        prefix: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Option<HubAuth>> {
        let default = HubConfig::default();
        let c = config.unwrap_or(&default);
        let Some(HubEnv {
            api_url,
            api_token,
            client_id,
            callback_url,
            access_scopes,
            public_hub_url,
            cookie_secret,
        }) = c.with_env(prefix, env)?
        else {
            return Ok(None);
        };
        let key = match (&c.cookie_secret_file, cookie_secret) {
            (Some(path), _) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading the cookie secret {}", path.display()))?;
                CookieKey::new(cookie::decode_hex(&text).context("the cookie secret file must hold hex")?)?
            }
            (None, Some(hex)) => CookieKey::new(
                cookie::decode_hex(&hex).context("LABLINK_GRADING_COOKIE_SECRET must be hex")?,
            )?,
            (None, None) => {
                tracing::info!("no cookie secret configured: sessions last until this process restarts");
                CookieKey::random()
            }
        };
        let cache_seconds = c.cache_seconds.unwrap_or(DEFAULT_CACHE_SECONDS);
        if cache_seconds > 300 {
            bail!("hub cache_seconds must be at most 300");
        }
        let session_seconds = c.session_seconds.unwrap_or(DEFAULT_SESSION_SECONDS);
        if session_seconds == 0 {
            bail!("hub session_seconds must be positive");
        }
        let cache = Duration::from_secs(cache_seconds);
        let http =
            reqwest::Client::builder().timeout(HUB_TIMEOUT).build().context("building the HTTP client")?;
        Ok(Some(HubAuth {
            prefix: prefix.to_owned(),
            key,
            api: Some(HubApi {
                api_url: api_url.trim_end_matches('/').to_owned(),
                api_token,
                client_id,
                callback_url,
                access_scopes,
                http,
                tokens: TtlCache::new(cache),
                users: TtlCache::new(cache),
            }),
            public_hub_url,
            secure_cookies: c.secure_cookies,
            session_seconds,
        }))
    }

    /// For a service running without a hub: refuses every caller with 503 `hub_not_configured`.
    pub fn disabled(prefix: &str) -> HubAuth {
        HubAuth {
            prefix: prefix.to_owned(),
            key: CookieKey::random(),
            api: None,
            public_hub_url: "/hub/".into(),
            secure_cookies: None,
            session_seconds: DEFAULT_SESSION_SECONDS,
        }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub(super) fn api(&self) -> Result<&HubApi, ApiError> {
        self.api.as_ref().ok_or_else(ApiError::hub_not_configured)
    }

    /// The caller of a request, from its token or session cookie only.
    pub async fn caller(&self, parts: &Parts) -> Result<Caller, ApiError> {
        let api = self.api()?;
        let headers = &parts.headers;
        if let Some(value) = headers.get(header::AUTHORIZATION) {
            let token =
                bearer(value.to_str().unwrap_or_default()).ok_or_else(ApiError::malformed_authorization)?;
            let name = api.user_for_token(token).await?;
            return api.lookup(&name).await;
        }
        let name = self.session_user(headers).ok_or_else(|| self.signed_out())?;
        if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) && !csrf_ok(headers) {
            return Err(ApiError::csrf());
        }
        api.lookup(&name).await
    }

    /// A user's stored `auth_state` (their last LTI launch, with jupyterhub-ltiauthenticator).
    pub async fn auth_state(&self, name: &str) -> Result<Option<serde_json::Value>, ApiError> {
        self.api()?.auth_state(name).await
    }

    /// The caller of an API token (what `Authorization: token …` resolves to).
    pub async fn caller_for_token(&self, token: &str) -> Result<Caller, ApiError> {
        let api = self.api()?;
        let name = api.user_for_token(token).await?;
        api.lookup(&name).await
    }

    fn session_user(&self, headers: &HeaderMap) -> Option<String> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|h| cookie::find(h, SESSION_COOKIE))
            .and_then(|value| self.key.open_session(value, now()))
    }

    fn signed_out(&self) -> ApiError {
        ApiError { login_url: Some(format!("{}login", self.prefix)), ..ApiError::signed_out() }
    }

    pub(super) fn secure(&self, headers: &HeaderMap) -> bool {
        self.secure_cookies.unwrap_or_else(|| {
            self.public_hub_url.starts_with("https://")
                || headers
                    .get("x-forwarded-proto")
                    .is_some_and(|p| p.as_bytes().eq_ignore_ascii_case(b"https"))
        })
    }

    /// `next` if it is a clean path of this service, else the service's root (no open
    /// redirect). Dot segments are refused in any spelling (`..`, `%2e%2E`, encoded twice): a
    /// browser resolves them, so `/services/g/../../hub/` would leave the service.
    fn safe_next(&self, next: Option<&str>) -> String {
        match next {
            Some(n)
                if n.starts_with(&self.prefix)
                    && !n.starts_with("//")
                    && !n.contains('\\')
                    && !n.chars().any(char::is_control)
                    && !has_dot_segment(n.split(['?', '#']).next().unwrap_or_default()) =>
            {
                n.to_owned()
            }
            _ => self.prefix.clone(),
        }
    }

    /// Sends a browser to the hub's authorize page, with a fresh state bound to it by a cookie.
    pub(super) fn sign_in(&self, next: Option<&str>, headers: &HeaderMap) -> Response {
        let Some(api) = &self.api else {
            return ApiError::hub_not_configured().into_response();
        };
        let state = OauthState {
            state: cookie::random_text(32),
            verifier: cookie::random_text(32),
            next: self.safe_next(next),
        };
        let query = [
            ("client_id", api.client_id.as_str()),
            ("redirect_uri", api.callback_url.as_str()),
            ("response_type", "code"),
            ("state", state.state.as_str()),
            ("code_challenge", &cookie::pkce_challenge(&state.verifier)),
            ("code_challenge_method", "S256"),
        ]
        .iter()
        .map(|(k, v)| format!("{k}={}", hub::escape(v)))
        .collect::<Vec<_>>()
        .join("&");
        let url = format!("{}api/oauth2/authorize?{query}", self.public_hub_url);
        let value = self.key.state(&state, now() + STATE_SECONDS);
        let set = cookie::set_cookie(STATE_COOKIE, &value, &self.prefix, STATE_SECONDS, self.secure(headers));
        (AppendHeaders([(header::SET_COOKIE, set)]), Redirect::to(&url)).into_response()
    }
}

/// The token of an `Authorization: token <t>` or `Bearer <t>` header.
fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    let known = scheme.eq_ignore_ascii_case("token") || scheme.eq_ignore_ascii_case("bearer");
    (known && !token.is_empty() && !token.contains(' ')).then_some(token)
}

/// Whether `path`, percent-decoded (again and again, as a proxy in front may decode once more),
/// has a `.` or `..` segment, or a backslash or control character that decoding revealed.
fn has_dot_segment(path: &str) -> bool {
    let mut text = path.to_owned();
    for _ in 0..4 {
        let dots = text.split(['/', '\\']).any(|segment| segment == "." || segment == "..");
        if dots || text.chars().any(char::is_control) {
            return true;
        }
        let decoded = percent_encoding::percent_decode_str(&text).decode_utf8_lossy().into_owned();
        if decoded == text {
            return false;
        }
        text = decoded;
    }
    // Still encoded after four rounds: nobody writes a path like that.
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::csrf::tests::headers;
    #[test]
    fn config_falls_back_to_the_hubs_environment() {
        let env = |k: &str| {
            let value = match k {
                "JUPYTERHUB_API_URL" => "http://127.0.0.1:8081/hub/api/",
                "JUPYTERHUB_API_TOKEN" => "svc-token",
                "JUPYTERHUB_SERVICE_NAME" => "lablink-grading",
                "JUPYTERHUB_BASE_URL" => "/jh/",
                "JUPYTERHUB_HOST" => "",
                _ => return None,
            };
            Some(value.to_owned())
        };
        let auth = HubAuth::with_env(None, "/jh/services/lablink-grading/", env).unwrap().unwrap();
        let api = auth.api.as_ref().unwrap();
        assert_eq!(api.api_url, "http://127.0.0.1:8081/hub/api");
        assert_eq!(api.client_id, "service-lablink-grading");
        assert_eq!(api.callback_url, "/jh/services/lablink-grading/oauth_callback");
        assert_eq!(api.access_scopes, ["access:services", "access:services!service=lablink-grading"]);
        assert_eq!(auth.public_hub_url, "/jh/hub/");
        assert!(!auth.secure(&HeaderMap::new()));
        assert!(auth.secure(&headers(&[("x-forwarded-proto", "https")])));

        let file = HubConfig {
            api_url: Some("https://hub.internal/hub/api".into()),
            public_hub_url: Some("https://hub.example.org/hub".into()),
            client_id: Some("my-client".into()),
            cache_seconds: Some(0),
            ..HubConfig::default()
        };
        let auth = HubAuth::with_env(Some(&file), "/", env).unwrap().unwrap();
        assert_eq!(auth.public_hub_url, "https://hub.example.org/hub/");
        assert_eq!(auth.api.as_ref().unwrap().client_id, "my-client");
        assert!(auth.secure(&HeaderMap::new()));

        assert!(HubAuth::with_env(None, "/", |_| None).unwrap().is_none(), "no hub known");
        let no_token = |k: &str| (k == "JUPYTERHUB_API_URL").then(|| "http://h/hub/api".to_owned());
        let err = HubAuth::with_env(None, "/", no_token).err().unwrap();
        assert!(format!("{err:#}").contains("API token"), "{err:#}");
        let too_long = HubConfig { cache_seconds: Some(301), ..file };
        assert!(HubAuth::with_env(Some(&too_long), "/", env).is_err());
    }

    #[test]
    fn cookie_secret_from_env_is_shared_by_replicas() {
        let hex = "ab".repeat(32);
        let env = |k: &str| match k {
            "JUPYTERHUB_API_URL" => Some("http://h/hub/api".to_owned()),
            "JUPYTERHUB_API_TOKEN" | "JUPYTERHUB_CLIENT_ID" => Some("x".to_owned()),
            "LABLINK_GRADING_COOKIE_SECRET" => Some(hex.clone()),
            _ => None,
        };
        let a = HubAuth::with_env(None, "/", env).unwrap().unwrap();
        let b = HubAuth::with_env(None, "/", env).unwrap().unwrap();
        let session = a.key.session("teacher", now() + 60);
        let cookie = headers(&[("cookie", &format!("{SESSION_COOKIE}={session}"))]);
        assert_eq!(b.session_user(&cookie).as_deref(), Some("teacher"));
        let short = |k: &str| if k == "LABLINK_GRADING_COOKIE_SECRET" { Some("abcd".into()) } else { env(k) };
        assert!(HubAuth::with_env(None, "/", short).is_err(), "a 2-byte secret is refused");
    }

    #[test]
    fn tokens_are_read_from_the_two_schemes_only() {
        assert_eq!(bearer("token abc"), Some("abc"));
        assert_eq!(bearer("Bearer abc "), Some("abc"));
        assert_eq!(bearer("Basic YTpi"), None);
        assert_eq!(bearer("token "), None);
        assert_eq!(bearer("token a b"), None);
    }

    #[test]
    fn next_stays_within_the_service() {
        let auth = HubAuth::disabled("/services/g/");
        assert_eq!(auth.safe_next(Some("/services/g/api/me?x=1")), "/services/g/api/me?x=1");
        for bad in ["https://evil.example/", "//evil.example/services/g/", "/hub/admin", "/services/g/\\x"] {
            assert_eq!(auth.safe_next(Some(bad)), "/services/g/", "{bad}");
        }
        assert_eq!(HubAuth::disabled("/").safe_next(Some("//evil.example")), "/");
    }

    #[test]
    fn next_with_dot_segments_falls_back_to_the_service_root() {
        let auth = HubAuth::disabled("/services/g/");
        for bad in [
            "/services/g/../../hub/admin",
            "/services/g/./x",
            "/services/g/..",
            "/services/g/%2e%2e/%2e%2e/hub/admin",
            "/services/g/%2E%2E/%2E%2E/hub/admin",
            "/services/g/.%2E/%2e./hub/admin",
            "/services/g/%252e%252e/%252e%252e/hub/admin",
            "/services/g/%2e%2e%2f%2e%2e%2fhub",
            "/services/g/%2e%2e%5c%2e%2e%5chub",
            "/services/g/x/..?next=/services/g/",
        ] {
            assert_eq!(auth.safe_next(Some(bad)), "/services/g/", "{bad}");
        }
        // Dots inside a name, and in the query, are fine.
        for good in ["/services/g/api/ps1..v2/grades", "/services/g/.well-known", "/services/g/x?path=../y"] {
            assert_eq!(auth.safe_next(Some(good)), good);
        }
    }
}
