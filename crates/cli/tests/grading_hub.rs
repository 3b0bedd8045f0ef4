//! The grading service as a JupyterHub service, against a real hub: who the service thinks is
//! calling, by API token and by the browser's OAuth sign-in, and what cannot fool it.

use std::time::{Duration, Instant};

use lablink_testkit::hub::{
    ADMIN, GROUP, Hub, HubSetup, PASSWORD, STUDENT, TEACHER, answer, with_token as token,
};
use reqwest::StatusCode;
use reqwest::blocking::Client;
use serde_json::{Value, json};

/// The binary the hub runs as its grading service.
const BIN: &str = env!("CARGO_BIN_EXE_lablink");
const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_else(|| panic!("no error code in {body}"))
}

#[test]
fn tokens_name_the_caller_and_nothing_else_does() {
    let hub = Hub::start(BIN);
    let client = hub.client();
    let me = hub.url("api/me");

    let (status, body) = answer(token(client.get(&me), &hub.token(TEACHER)).send().unwrap());
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"name": TEACHER, "admin": false, "groups": [GROUP]}));
    let (_, body) = answer(token(client.get(&me), &hub.token(ADMIN)).send().unwrap());
    assert_eq!((body["name"].as_str(), body["admin"].as_bool()), (Some(ADMIN), Some(true)));
    // `Bearer` works as well as JupyterHub's own `token` scheme.
    let student = hub.token(STUDENT);
    let (status, body) = answer(client.get(&me).bearer_auth(&student).send().unwrap());
    assert_eq!((status, &body), (StatusCode::OK, &json!({"name": STUDENT, "admin": false, "groups": []})));

    // No identity: a JSON 401 saying how to sign in, not a redirect (the caller is no browser).
    let reply = client.get(&me).send().unwrap();
    assert_eq!(reply.headers()["www-authenticate"], "token");
    let (status, body) = answer(reply);
    assert_eq!((status, error_code(&body)), (StatusCode::UNAUTHORIZED, "signed_out"));
    assert_eq!(body["error"]["login_url"], "/services/lablink-grading/login");
    assert!(body["error"]["message"].as_str().unwrap().contains("sign in"), "{body}");
    for bogus in ["token 0123456789abcdef0123456789abcdef", "token ", "Basic dGVhY2hlcjpwdw=="] {
        let (status, body) = answer(client.get(&me).header("authorization", bogus).send().unwrap());
        assert_eq!((status, error_code(&body)), (StatusCode::UNAUTHORIZED, "invalid_token"), "{bogus}");
    }

    // The student's token with every other way of naming a user: still the student.
    let forged = [
        token(client.get(format!("{me}?user=teacher&name=teacher")), &student),
        token(client.post(&me).json(&json!({"user": TEACHER, "name": TEACHER})), &student),
        token(client.get(&me), &student)
            .header("x-forwarded-user", TEACHER)
            .header("x-remote-user", TEACHER)
            .header("jupyterhub-user", TEACHER),
        token(client.get(&me), &student).header("cookie", format!("jupyterhub-user={TEACHER}")),
    ];
    for request in forged {
        let (status, body) = answer(request.send().unwrap());
        assert_eq!((status, body["name"].as_str()), (StatusCode::OK, Some(STUDENT)), "{body}");
    }

    // A service's token is no user's, even though the hub knows it.
    let service_token = hub.admin_token();
    let (status, body) = answer(token(client.get(&me), service_token).send().unwrap());
    assert_eq!((status, error_code(&body)), (StatusCode::FORBIDDEN, "not_a_user"));

    // A token the user made for something else only (no access to this service) is refused.
    let narrow = hub.admin_api(
        reqwest::Method::POST,
        &format!("users/{TEACHER}/tokens"),
        Some(json!({"scopes": ["read:users:activity!user"], "expires_in": 600})),
    );
    let (status, body) = answer(token(client.get(&me), narrow["token"].as_str().unwrap()).send().unwrap());
    assert_eq!((status, error_code(&body)), (StatusCode::FORBIDDEN, "no_access"), "{body}");

    // Neither the service nor the hub writes a token to the log.
    let log = hub.log();
    for secret in [&student, narrow["token"].as_str().unwrap(), service_token] {
        assert!(!log.contains(secret), "the log holds a token");
    }

    // The public routes need nobody.
    assert_eq!(client.get(hub.url("health")).send().unwrap().status(), 200);
    assert_eq!(client.get(hub.url("jwks")).send().unwrap().status(), 200);
}

#[test]
fn expired_tokens_are_refused() {
    // Hub answers trusted for a second only, so the expiry shows at once.
    let setup = HubSetup {
        grading_toml: format!("{}\n[grading.hub]\ncache_seconds = 1\n", HubSetup::default().grading_toml),
        ..HubSetup::default()
    };
    let hub = Hub::start_with(BIN, setup);
    let client = hub.client();
    let minted = Instant::now();
    let short = hub.token_expiring(STUDENT, 3);
    let (status, body) = answer(token(client.get(hub.url("api/me")), &short).send().unwrap());
    assert_eq!((status, body["name"].as_str()), (StatusCode::OK, Some(STUDENT)));
    std::thread::sleep(Duration::from_secs(5).saturating_sub(minted.elapsed()));
    let (status, body) = answer(token(client.get(hub.url("api/me")), &short).send().unwrap());
    assert_eq!((status, error_code(&body)), (StatusCode::UNAUTHORIZED, "invalid_token"), "{body}");
}

/// The value of `name="<field>" value="…"` in the hub's login form.
fn form_value(html: &str, field: &str) -> String {
    let at = html.find(&format!("name=\"{field}\"")).unwrap_or_else(|| panic!("no {field} in:\n{html}"));
    let rest = &html[at..];
    let value = &rest[rest.find("value=\"").unwrap() + 7..];
    value[..value.find('"').unwrap()].to_owned()
}

#[test]
fn browsers_sign_in_through_hub_oauth_and_keep_a_signed_cookie() {
    let hub = Hub::start(BIN);
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let browser =
        Client::builder().cookie_provider(jar.clone()).timeout(Duration::from_secs(30)).build().unwrap();
    let me = hub.url("api/me");

    // A browser asking for a page of the service is sent through the hub's login form.
    let page = browser.get(&me).header("accept", BROWSER_ACCEPT).send().unwrap();
    assert_eq!(page.status(), 200);
    let login_url = page.url().clone();
    assert_eq!(login_url.path(), "/hub/login", "expected the hub's login form");
    let next = login_url.query_pairs().find(|(k, _)| k == "next").unwrap().1.into_owned();
    assert!(next.starts_with("/hub/api/oauth2/authorize?"), "{next}");
    assert!(
        next.contains("client_id=service-lablink-grading") && next.contains("code_challenge_method=S256")
    );
    let html = page.text().unwrap();
    let xsrf = form_value(&html, "_xsrf");

    // Logging in at the hub comes back through our callback to the page first asked for.
    let done = browser
        .post(login_url)
        .header("accept", BROWSER_ACCEPT)
        .form(&[("username", TEACHER), ("password", PASSWORD), ("_xsrf", &xsrf)])
        .send()
        .unwrap();
    let landed = done.url().clone();
    let (status, body) = answer(done);
    assert_eq!(landed.as_str(), me, "back where the browser started; the last answer: {status} {body}");
    assert_eq!(
        (status, &body),
        (StatusCode::OK, &json!({"name": TEACHER, "admin": false, "groups": [GROUP]}))
    );

    // Our cookie alone (not the hub's) identifies the browser from now on.
    let cookies = reqwest::cookie::CookieStore::cookies(&*jar, &me.parse::<reqwest::Url>().unwrap()).unwrap();
    let session = cookies
        .to_str()
        .unwrap()
        .split("; ")
        .find(|c| c.starts_with("lablink-grading-session="))
        .unwrap_or_else(|| panic!("no session cookie in {cookies:?}"))
        .to_owned();
    let bare = hub.client();
    let with_cookie = |c: &str| bare.get(&me).header("cookie", c.to_owned());
    let (status, body) = answer(with_cookie(&session).send().unwrap());
    assert_eq!((status, body["name"].as_str()), (StatusCode::OK, Some(TEACHER)));

    // A cookie changed in any way is worth nothing: another name, another expiry, another tag.
    let value = session.split_once('=').unwrap().1;
    let (text, tag) = value.rsplit_once('.').unwrap();
    let (_, expires) = text.split_once('.').unwrap();
    let student_b64 = "c3R1ZGVudA"; // base64url("student")
    let tampered = [
        format!("lablink-grading-session={student_b64}.{expires}.{tag}"),
        format!("lablink-grading-session={text}.{}", tag.chars().rev().collect::<String>()),
        format!("lablink-grading-session={}9.{tag}", text),
        format!("lablink-grading-session={student_b64}.{expires}"),
    ];
    for cookie in &tampered {
        let (status, body) = answer(with_cookie(cookie).send().unwrap());
        assert_eq!((status, error_code(&body)), (StatusCode::UNAUTHORIZED, "signed_out"), "{cookie}");
    }

    // A change made with the cookie must show it comes from our own pages.
    let post = || bare.post(&me).header("cookie", session.clone()).json(&json!({}));
    let (status, body) = answer(post().send().unwrap());
    assert_eq!((status, error_code(&body)), (StatusCode::FORBIDDEN, "cross_site_request"));
    let (status, _) = answer(
        post()
            .header("sec-fetch-site", "cross-site")
            .header("origin", "https://evil.example")
            .send()
            .unwrap(),
    );
    assert_eq!(status, StatusCode::FORBIDDEN);
    for proof in
        [("x-lablink-request", "1"), ("sec-fetch-site", "same-origin"), ("origin", hub.public.as_str())]
    {
        let (status, body) = answer(post().header(proof.0, proof.1).send().unwrap());
        assert_eq!((status, body["name"].as_str()), (StatusCode::OK, Some(TEACHER)), "{proof:?}");
    }

    assert!(!hub.log().contains(tag), "the log holds the session cookie");

    // A callback this browser did not start is refused.
    let forged = bare.get(hub.url("oauth_callback?code=abc&state=xyz")).send().unwrap();
    let (status, body) = answer(forged);
    assert_eq!((status, error_code(&body)), (StatusCode::BAD_REQUEST, "bad_oauth_state"));

    // Signing out clears the session.
    let (status, _) = answer(browser.post(hub.url("logout")).send().unwrap());
    assert_eq!(status, 200);
    let (status, body) = answer(browser.get(&me).send().unwrap());
    assert_eq!((status, error_code(&body)), (StatusCode::UNAUTHORIZED, "signed_out"));
}
