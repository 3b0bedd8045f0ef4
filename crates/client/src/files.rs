//! The file server's v2 API, called directly from the browser. Tokens are single-use and
//! bound to one method and path, so the host page supplies a function that mints one per
//! request (its own backend holds the key; the widget never does).

use std::rc::Rc;

use gloo_net::http::{Request, RequestBuilder, Response};
use lablink_protocol::WorkspacePath;
use lablink_protocol::files::{EntriesPage, ErrorBody, FolderCreated};

use crate::wire::{self, FromJs};
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

    async fn send<T: FromJs>(
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
        let builder: RequestBuilder = builder
            .query(query.iter().map(|(k, v)| (*k, v.as_str())))
            .header("Authorization", &format!("Bearer {token}"));
        let response = builder.send().await.map_err(ClientError::offline)?;
        read_json(response).await
    }
}

/// Decodes a 2xx body as `T`, anything else as the API's error shape.
async fn read_json<T: FromJs>(response: Response) -> Result<T, ClientError> {
    let status = response.status();
    let text = response.text().await.map_err(ClientError::offline)?;
    decode(status, &response.status_text(), &text)
}

/// The half of `read_json` after the body arrived (tested in the browser).
pub fn decode<T: FromJs>(status: u16, status_text: &str, body: &str) -> Result<T, ClientError> {
    if (200..300).contains(&status) {
        return wire::parse(body).and_then(|v| T::from_js(&v)).map_err(ClientError::unreadable);
    }
    match wire::parse(body).and_then(|v| ErrorBody::from_js(&v)) {
        Ok(e) => Err(ClientError::from_v2(e.error.code, e.error.message)),
        Err(_) => Err(ClientError::from_status(status, status_text)),
    }
}

/// Percent-encodes one URL path segment (RFC 3986 unreserved characters pass).
pub(crate) fn encode_segment(segment: &str) -> String {
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

    fn client(home: &str) -> FilesClient {
        FilesClient::new("http://x/files/", home, Rc::new(|_, _| Box::pin(async { Ok(String::new()) })))
    }

    #[test]
    fn token_paths_encode_the_home() {
        assert_eq!(client("alice").api_path("entries"), "/v2/homes/alice/entries");
        assert_eq!(client("a b/../c").api_path("entries"), "/v2/homes/a%20b%2F..%2Fc/entries");
        assert_eq!(client("alice").base, "http://x/files");
    }
}
