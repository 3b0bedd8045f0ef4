//! The file server's v2 API, called directly from the browser. Tokens are single-use and
//! bound to one method and path, so the host page supplies a function that mints one per
//! request (its own backend holds the key; the widget never does).

use std::rc::Rc;

use gloo_net::http::{Request, RequestBuilder, Response};
use lablink_protocol::WorkspacePath;
use lablink_protocol::files::{EntriesPage, ErrorBody, FolderCreated};
use serde::de::DeserializeOwned;

use crate::{ClientError, FolderSource, ListRequest, LocalFuture};

/// Returns a bearer token for `(method, api_path)`, where `api_path` is relative to the API
/// base, e.g. `("GET", "/v2/homes/alice/entries")`.
pub type TokenSource = Rc<dyn Fn(&str, &str) -> LocalFuture<'static, String>>;

pub struct FilesClient {
    /// Where the API is mounted, without a trailing slash (`https://hub.example/files`).
    base: String,
    home: String,
    token: TokenSource,
}

impl FilesClient {
    pub fn new(base: &str, home: &str, token: TokenSource) -> Self {
        Self { base: base.trim_end_matches('/').to_owned(), home: home.to_owned(), token }
    }

    /// The path a token is bound to: `/v2/homes/{home}/{route}`, the home percent-encoded.
    pub fn api_path(&self, route: &str) -> String {
        format!("/v2/homes/{}/{route}", encode_segment(&self.home))
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: &str,
        route: &str,
        query: Vec<(&'static str, String)>,
    ) -> Result<T, ClientError> {
        let api_path = self.api_path(route);
        let token = (self.token)(method, &api_path).await?;
        let url = format!("{}{api_path}", self.base);
        let builder = match method {
            "POST" => Request::post(&url),
            _ => Request::get(&url),
        };
        let builder: RequestBuilder =
            builder.query(query.iter().map(|(k, v)| (*k, v.as_str()))).header("Authorization", &format!("Bearer {token}"));
        let response = builder.send().await.map_err(ClientError::offline)?;
        read_json(response).await
    }
}

/// Decodes a 2xx body as `T`, anything else as the API's error shape.
async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, ClientError> {
    let status = response.status();
    let text = response.text().await.map_err(ClientError::offline)?;
    decode(status, &response.status_text(), &text)
}

/// The pure half of `read_json`, kept apart so it is tested on the host.
pub fn decode<T: DeserializeOwned>(status: u16, status_text: &str, body: &str) -> Result<T, ClientError> {
    if (200..300).contains(&status) {
        return serde_json::from_str(body).map_err(ClientError::unreadable);
    }
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(e) => Err(ClientError::from_v2(e.error.code, e.error.message)),
        Err(_) => Err(ClientError::from_status(status, status_text)),
    }
}

/// Percent-encodes one URL path segment (RFC 3986 unreserved characters pass).
fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl FolderSource for FilesClient {
    fn list(&self, request: ListRequest) -> LocalFuture<'_, EntriesPage> {
        Box::pin(async move {
            let mut query = vec![("path", request.path.to_string())];
            if let Some(cursor) = request.cursor {
                query.push(("cursor", cursor));
            }
            if let Some(limit) = request.limit {
                query.push(("limit", limit.to_string()));
            }
            self.send("GET", "entries", query).await
        })
    }

    fn create_folder(&self, path: WorkspacePath) -> LocalFuture<'_, FolderCreated> {
        Box::pin(async move { self.send("POST", "folders", vec![("path", path.to_string())]).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn client(home: &str) -> FilesClient {
        FilesClient::new("http://x/files/", home, Rc::new(|_, _| Box::pin(async { Ok(String::new()) })))
    }

    #[test]
    fn token_paths_encode_the_home() {
        assert_eq!(client("alice").api_path("entries"), "/v2/homes/alice/entries");
        assert_eq!(client("a b/../c").api_path("entries"), "/v2/homes/a%20b%2F..%2Fc/entries");
        assert_eq!(client("alice").base, "http://x/files");
    }

    #[test]
    fn decodes_pages_and_errors() {
        let page: EntriesPage = decode(
            200,
            "OK",
            r#"{"path":"a","entries":[{"name":"b","kind":"folder","size":0,"modified":1}],"total":1}"#,
        )
        .unwrap();
        assert_eq!(page.entries[0].name, "b");
        assert_eq!(page.next_cursor, None);

        let err = decode::<EntriesPage>(404, "Not Found", r#"{"error":{"code":"not_found","message":"no such folder"}}"#)
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::NotFound);
        assert_eq!(err.message, "no such folder");
        assert_eq!(err.code.as_deref(), Some("not_found"));

        let err = decode::<EntriesPage>(401, "Unauthorized", r#"{"error":{"code":"token_replayed","message":"m"}}"#)
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::SignedOut);

        let err = decode::<EntriesPage>(502, "Bad Gateway", "<html>proxy</html>").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Offline);
        assert_eq!(err.message, "HTTP 502 Bad Gateway");

        let err = decode::<EntriesPage>(200, "OK", "{not json").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Server);
    }
}
