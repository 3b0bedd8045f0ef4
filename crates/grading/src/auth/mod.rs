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
//!
//! Its modules, each using only those listed before it:
//! - `error`: the refusals of sign-in and authorisation, as constructors on the one `ApiError`.
//! - `caller`: who is calling ([`Caller`]) and who may grade a course.
//! - `csrf`: whether a cookie-carrying change comes from our own pages.
//! - `cookie`: the signed session and sign-in state cookies, PKCE.
//! - `hub`: the JupyterHub REST API (whoami, a user's groups, the OAuth code exchange), cached.
//! - `hub_auth`: [`HubAuth`], the configured check: a request's caller, the sign-in redirect.
//! - `extract`: the `Caller` extractor for handlers, which sends a browser to sign in.
//! - `routes`: `login`, `oauth_callback`, `logout`, `api/me`.

mod caller;
mod cookie;
mod csrf;
mod error;
mod extract;
mod hub;
mod hub_auth;
mod routes;

pub use caller::Caller;
pub use csrf::csrf_ok;
pub use extract::prefers_html;
pub use hub_auth::{DEFAULT_CACHE_SECONDS, DEFAULT_SESSION_SECONDS, HubAuth};
pub use routes::routes;
