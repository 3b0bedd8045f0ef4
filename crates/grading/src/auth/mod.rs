//! Who is calling: JupyterHub identities for the grading service.
//!
//! A request's caller comes from, in this order:
//! 1. `Authorization: token <t>` (or `Bearer <t>`), a JupyterHub API token, checked with the hub
//!    (`GET {api}/user`). The token must be a user's (not a service's) and, when the service's
//!    name is known, hold `access:services` or `access:services!service=<name>`.
//! 2. Our session cookie, set at the end of JupyterHub's OAuth authorization-code flow
//!    (`{prefix}login` → the hub's authorize page → `{prefix}oauth_callback`). Non-GET requests
//!    carrying it must also prove they are not cross-site (see [`csrf_ok`]).
//!
//! Admin flag and groups are then read with the service's *own* token (`GET {api}/users/{name}`),
//! since a user's token need not carry the scopes to read them. Nothing else in a request (body,
//! query, other headers) ever names the caller.
//!
//! Hub answers are cached for `cache_seconds` (default 30), keyed by a SHA-256 of the token and
//! by user name; failures are not cached. So a revoked or expired token, or a group change, takes
//! effect within that time.
//!
//! Without a hub (no `[grading.hub]` `api_url` nor `JUPYTERHUB_API_URL`) every route needing a
//! caller answers 503 `hub_not_configured`: signing in cannot help, the service is set up wrong.
//!
//! What the hub must grant: the service a role with `read:users:name` and `read:users:groups`;
//! users who may reach it `access:services!service=<name>` (JupyterHub's own check before OAuth).

mod cookie;
mod hub;
mod routes;

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use axum::extract::{FromRef, FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use serde::Serialize;

use crate::config::{Course, HubConfig, HubEnv};
pub use crate::error::ApiError;
use cookie::{CookieKey, OauthState, SESSION_COOKIE, STATE_COOKIE};
use hub::{HubApi, TtlCache};
use lablink_protocol::grading::GradingErrorCode;
pub use routes::routes;

pub const DEFAULT_CACHE_SECONDS: u64 = 30;
pub const DEFAULT_SESSION_SECONDS: u64 = 8 * 3600;
/// Time a browser has to come back from the hub's sign-in page.
const STATE_SECONDS: u64 = 600;
/// A hub that has not answered by then is treated as down.
const HUB_TIMEOUT: Duration = Duration::from_secs(10);

/// Checks callers against JupyterHub. Put it in the router state as `Arc<HubAuth>`.
pub struct HubAuth {
    prefix: String,
    key: CookieKey,
    /// `None`: no hub known, every caller is refused with 503.
    api: Option<HubApi>,
    /// Ends with `/`; may be a bare path (`/hub/`) when the hub shares our origin.
    public_hub_url: String,
    secure_cookies: Option<bool>,
    session_seconds: u64,
}

/// Who the service thinks is calling. Its JSON is what `GET {prefix}api/me` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Caller {
    pub name: String,
    pub admin: bool,
    pub groups: Vec<String>,
}

impl Caller {
    /// Hub admins and members of the course's instructor group may read and sync its grades.
    pub fn may_grade(&self, instructor_group: &str) -> bool {
        self.admin || self.groups.iter().any(|g| g == instructor_group)
    }

    /// [`Caller::may_grade`] as a 403 for handlers: `caller.require_grader(course)?;`.
    pub fn require_grader(&self, course: &Course) -> Result<(), ApiError> {
        if self.may_grade(&course.instructor_group) {
            return Ok(());
        }
        Err(ApiError::new(
            GradingErrorCode::NotInstructor,
            format!(
                "You are signed in as {:?}, who is not in the group {:?} of the instructors of course {:?}: \
                 only they (and hub admins) may read or sync its grades.",
                self.name, course.instructor_group, course.id
            ),
        ))
    }
}

/// The refusals of sign-in and authorisation (the type is the service's one error).
impl ApiError {
    fn signed_out() -> Self {
        ApiError::new(
            GradingErrorCode::SignedOut,
            "You are not signed in (or your session has ended): sign in through JupyterHub, \
             or send a JupyterHub API token as `Authorization: token <token>`.",
        )
    }
    fn invalid_token() -> Self {
        ApiError::new(
            GradingErrorCode::InvalidToken,
            "JupyterHub does not accept this token: it is unknown, revoked or expired.",
        )
    }
    fn malformed_authorization() -> Self {
        ApiError::new(
            GradingErrorCode::InvalidToken,
            "The Authorization header must be `token <token>` or `Bearer <token>` with a JupyterHub API token.",
        )
    }
    fn not_a_user() -> Self {
        ApiError::new(
            GradingErrorCode::NotAUser,
            "This token belongs to a JupyterHub service, not a user: use a user's token.",
        )
    }
    fn no_access(scopes: &[String]) -> Self {
        ApiError::new(
            GradingErrorCode::NoAccess,
            format!(
                "This token does not grant access to the grading service: it needs one of the scopes {}.",
                scopes.join(", ")
            ),
        )
    }
    fn csrf() -> Self {
        ApiError::new(
            GradingErrorCode::CrossSiteRequest,
            "This request may come from another site: send it from the grading panel, \
             or add the header `X-Lablink-Request: 1`.",
        )
    }
    fn hub_not_configured() -> Self {
        ApiError::new(
            GradingErrorCode::HubNotConfigured,
            "This grading service has no JupyterHub to check who you are: run it as a JupyterHub \
             service or set [grading.hub] in its configuration.",
        )
    }
    fn hub_unavailable() -> Self {
        ApiError::new(
            GradingErrorCode::HubUnavailable,
            "JupyterHub did not answer as expected, so who you are could not be checked: try again shortly.",
        )
    }
    fn hub_misconfigured() -> Self {
        ApiError::new(
            GradingErrorCode::HubMisconfigured,
            "The grading service may not read users' groups at JupyterHub: give it a role with the \
             scopes read:users:name and read:users:groups.",
        )
    }
    fn oauth_failed() -> Self {
        ApiError::new(
            GradingErrorCode::OauthFailed,
            "JupyterHub refused to complete the sign-in (the code is invalid or was used already): sign in again.",
        )
    }
}

fn now() -> u64 {
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

    fn api(&self) -> Result<&HubApi, ApiError> {
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

    /// The caller of an API token (what `Authorization: token …` resolves to).
    /// A user's stored `auth_state` (their last LTI launch, with jupyterhub-ltiauthenticator).
    pub async fn auth_state(&self, name: &str) -> Result<Option<serde_json::Value>, ApiError> {
        self.api()?.auth_state(name).await
    }

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

    fn secure(&self, headers: &HeaderMap) -> bool {
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
    fn sign_in(&self, next: Option<&str>, headers: &HeaderMap) -> Response {
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

/// Whether the client would rather have HTML than JSON (a browser navigating, not a script).
pub fn prefers_html(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let (mut html, mut json) = (0.0f32, 0.0f32);
    for range in accept.split(',') {
        let mut params = range.split(';');
        let media = params.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = params
            .find_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()))
            .unwrap_or(1.0);
        match media.as_str() {
            "text/html" | "application/xhtml+xml" => html = html.max(q),
            "application/json" => json = json.max(q),
            _ => {}
        }
    }
    html > 0.0 && html > json
}

impl<S> FromRequestParts<S> for Caller
where
    Arc<HubAuth>: FromRef<S>,
    S: Send + Sync,
{
    /// JSON errors; for a browser without a session, the redirect that signs it in.
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let hub = Arc::<HubAuth>::from_ref(state);
        match hub.caller(parts).await {
            Ok(caller) => Ok(caller),
            Err(e)
                if e.code == GradingErrorCode::SignedOut
                    && matches!(parts.method, Method::GET | Method::HEAD)
                    && prefers_html(&parts.headers) =>
            {
                // Nested routers see a shortened URI; come back to the one the browser asked for.
                let uri = parts.extensions.get::<OriginalUri>().map(|o| &o.0).unwrap_or(&parts.uri);
                let next = uri.path_and_query().map(|p| p.as_str());
                Err(hub.sign_in(next, &parts.headers))
            }
            Err(e) => Err(e.into_response()),
        }
    }
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
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

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
    fn html_is_for_browsers_navigating() {
        let nav = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
        assert!(prefers_html(&headers(&[("accept", nav)])));
        assert!(!prefers_html(&headers(&[("accept", "*/*")])));
        assert!(!prefers_html(&headers(&[("accept", "application/json, text/html;q=0.5")])));
        assert!(!prefers_html(&headers(&[("accept", "text/html;q=0")])));
        assert!(!prefers_html(&HeaderMap::new()));
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

    #[test]
    fn graders_are_admins_and_group_members() {
        let mut c = Caller { name: "t".into(), admin: false, groups: vec!["formgrade-a".into()] };
        assert!(c.may_grade("formgrade-a"));
        assert!(!c.may_grade("formgrade-b"));
        c.admin = true;
        assert!(c.may_grade("formgrade-b"));
    }
}
