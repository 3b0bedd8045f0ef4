//! The router without a hub: public routes answer, routes needing a caller refuse clearly.

use std::sync::Arc;

use lablink_grading::auth::HubAuth;
use lablink_grading::keys::SigningKey;
use lablink_grading::router::router;
use lablink_grading::state::AppState;
use serde_json::Value;

#[tokio::test]
async fn without_a_hub_callers_get_503_and_public_routes_still_answer() {
    let dir = tempfile::tempdir().unwrap();
    let key = Arc::new(SigningKey::load_or_create(&dir.path().join("key.pem")).unwrap());
    let prefix = "/services/lablink-grading/";
    let state = AppState { key, hub: Arc::new(HubAuth::disabled(prefix)), service: None };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}{prefix}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, router(state, prefix)).into_future());
    let client = reqwest::Client::new();

    for path in ["health", "jwks"] {
        assert_eq!(client.get(format!("{base}{path}")).send().await.unwrap().status(), 200, "{path}");
    }
    // With or without a token, and from a browser too: nobody can be identified.
    for request in [
        client.get(format!("{base}api/me")),
        client.get(format!("{base}api/me")).header("authorization", "token abc"),
        client.get(format!("{base}api/me")).header("accept", "text/html"),
        client.get(format!("{base}login")),
    ] {
        let reply = request.send().await.unwrap();
        assert_eq!(reply.status(), 503);
        let body: Value = reply.json().await.unwrap();
        assert_eq!(body["error"]["code"], "hub_not_configured", "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("JupyterHub"));
    }
}
