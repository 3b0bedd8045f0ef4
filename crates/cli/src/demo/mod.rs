//! `lablink demo`: the file server on a generated sample workspace, plus a page that hosts the
//! folder picker against it, on one loopback port. Only here is there a route that hands out
//! tokens (for the user `demo`); a real host mints them in its own backend.

mod sample;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use lablink_fileserver::{AppState, FilesConfig};
use lablink_protocol::files::TokenClaims;
use serde::Deserialize;
use tower_http::services::ServeDir;

pub use sample::sample_workspace;

/// The home the demo page acts for.
pub const DEMO_USER: &str = "demo";
const KID: &str = "demo";

const PAGE: &str = include_str!("page.html");
const PAGE_JS: &str = include_str!("page.js");

#[derive(Clone)]
struct Demo {
    secret: String,
}

/// Lays out `dir/homes` (the sample workspace and one other user) and a config for it.
pub fn prepare(dir: &Path, listen: SocketAddr) -> anyhow::Result<FilesConfig> {
    let homes = dir.join("homes");
    sample_workspace(&homes.join(DEMO_USER)).context("writing the sample workspace")?;
    std::fs::create_dir_all(homes.join("someone-else/private"))?;
    std::fs::write(homes.join("someone-else/private/grades.csv"), "alice,12\n")?;
    let config_path = dir.join("files.toml");
    let text = format!(
        "homes = {homes:?}\nlisten = \"{listen}\"\n\n[[v2_keys]]\nkid = \"{KID}\"\nsecret = \"{secret}\"\n\n[[legacy_keys]]\nuser = \"moodle\"\nsecret = \"{legacy}\"\n",
        homes = homes.display().to_string(),
        secret = sample::random_hex(32)?,
        legacy = sample::random_hex(32)?,
    );
    std::fs::write(&config_path, text)?;
    FilesConfig::load(Some(&config_path), std::iter::empty())
}

/// The demo's router: the page, its token route, and the file server under `/files`.
pub fn router(config: &FilesConfig, assets: &Path) -> anyhow::Result<Router> {
    let secret =
        config.v2_keys.first().and_then(|k| k.secret.clone()).context("the demo config has no v2 key")?;
    let files = lablink_fileserver::router(AppState::new(config)?);
    Ok(Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route(
            "/page.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], PAGE_JS) }),
        )
        .route("/demo/token", get(token))
        .route("/demo/submit", post(submitted))
        .with_state(Demo { secret })
        .nest_service("/assets", ServeDir::new(assets))
        .nest("/files", files))
}

pub async fn serve(
    dir: PathBuf,
    listen: SocketAddr,
    assets: PathBuf,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let config = prepare(&dir, listen)?;
    if !assets.join("lablink_picker.js").exists() {
        tracing::warn!(assets = %assets.display(), "the picker is not built there: run `cargo xtask demo`");
    }
    let app = router(&config, &assets)?;
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    println!(
        "\nlablink demo: open http://{addr}/ in a browser.\n\
         The picker browses the sample workspace of the user `{DEMO_USER}` in {homes}.\n\
         The file server API is at http://{addr}/files (tokens: GET /demo/token?method=GET&path=/v2/homes/{DEMO_USER}/entries).\n\
         Ctrl-C stops it.\n",
        homes = dir.join("homes").join(DEMO_USER).display()
    );
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await?;
    Ok(())
}

#[derive(Deserialize)]
struct TokenQuery {
    method: String,
    path: String,
}

/// Mints a token for the demo user, bound to one method and API path, as a host's backend
/// would after checking its own session.
async fn token(State(demo): State<Demo>, Query(q): Query<TokenQuery>) -> Response {
    let method = q.method.to_uppercase();
    if !matches!(method.as_str(), "GET" | "POST") || !q.path.starts_with(&format!("/v2/homes/{DEMO_USER}/")) {
        return (StatusCode::BAD_REQUEST, "tokens are only for the demo user's v2 routes").into_response();
    }
    let now = lablink_fileserver::auth::now_secs();
    let jti = match sample::random_hex(16) {
        Ok(jti) => jti,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let claims = TokenClaims {
        iss: "lablink-demo".into(),
        sub: DEMO_USER.into(),
        scope: if method == "GET" { "read".into() } else { "read write".into() },
        htm: method,
        htu: q.path,
        iat: now,
        exp: now + 60,
        jti,
    };
    match lablink_fileserver::auth::mint(KID, &demo.secret, &claims) {
        Ok(token) => ([(header::CACHE_CONTROL, "no-store")], token).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

#[derive(Deserialize)]
struct Submitted {
    #[serde(default)]
    lablink_path: String,
}

/// Shows what the form sent, as a Moodle form handler would receive it.
async fn submitted(Form(form): Form<Submitted>) -> Html<String> {
    Html(format!(
        "<!doctype html><meta charset=utf-8><title>Submitted</title>\
         <p>The form submitted <code>lablink_path</code> = <code id=\"submitted\">{}</code></p>\
         <p><a href=\"/\">Back</a></p>",
        escape_html(&form.lablink_path)
    ))
}

fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(
            super::escape_html("<img src=x onerror='a'>&"),
            "&lt;img src=x onerror=&#39;a&#39;&gt;&amp;"
        );
    }
}
