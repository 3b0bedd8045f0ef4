//! Moodle's AJAX endpoint (`lib/ajax/service.php`), spoken the way `core/ajax` speaks it: a
//! POST of `[{index, methodname, args}]` with the session key in the query, answered by one
//! `{error, data | exception}` per call, or by a single `{error, errorcode}` object when the
//! whole request was refused (expired session, bad sesskey). Moodle works out whose home is
//! read from the logged-in user; nothing sent from here chooses it.

use gloo_net::http::Request;
use lablink_protocol::WorkspacePath;
use lablink_protocol::files::{EntriesPage, FolderCreated};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use crate::{ClientError, ErrorKind, FolderSource, ListRequest, LocalFuture};

/// Names of the external functions (they live in the Moodle plugin's `db/services.php`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoodleMethods {
    pub list: String,
    pub create_folder: String,
}

impl Default for MoodleMethods {
    fn default() -> Self {
        Self {
            list: "assignsubmission_lablink_list_entries".into(),
            create_folder: "assignsubmission_lablink_create_folder".into(),
        }
    }
}

pub struct MoodleClient {
    /// `{wwwroot}/lib/ajax/service.php`.
    service_url: String,
    sesskey: String,
    methods: MoodleMethods,
    /// Sent with every call (e.g. the assignment's `contextid`).
    context_args: Map<String, Value>,
}

impl MoodleClient {
    pub fn new(service_url: &str, sesskey: &str, methods: MoodleMethods, context_args: Map<String, Value>) -> Self {
        Self { service_url: service_url.to_owned(), sesskey: sesskey.to_owned(), methods, context_args }
    }

    /// The request body for one call, the context arguments merged under the call's own.
    pub fn encode_call(&self, method: &str, args: Map<String, Value>) -> String {
        let mut all = self.context_args.clone();
        all.extend(args);
        json!([{ "index": 0, "methodname": method, "args": all }]).to_string()
    }

    async fn call<T: DeserializeOwned>(&self, method: &str, args: Map<String, Value>) -> Result<T, ClientError> {
        let body = self.encode_call(method, args);
        let response = Request::post(&self.service_url)
            .query([("sesskey", self.sesskey.as_str()), ("info", method)])
            .header("Content-Type", "application/json")
            .body(body)
            .map_err(ClientError::unreadable)?
            .send()
            .await
            .map_err(ClientError::offline)?;
        let status = response.status();
        let text = response.text().await.map_err(ClientError::offline)?;
        if !(200..300).contains(&status) {
            return Err(ClientError::from_status(status, &response.status_text()));
        }
        decode_response(&text)
    }
}

#[derive(Deserialize)]
struct Exception {
    #[serde(default)]
    message: String,
    #[serde(default)]
    errorcode: String,
}

/// Reads the answer to a single call.
pub fn decode_response<T: DeserializeOwned>(text: &str) -> Result<T, ClientError> {
    let value: Value = serde_json::from_str(text).map_err(ClientError::unreadable)?;
    match value {
        Value::Array(mut results) if !results.is_empty() => {
            let result = results.swap_remove(0);
            if result.get("error").and_then(Value::as_bool).unwrap_or(false) {
                let e: Exception = serde_json::from_value(result.get("exception").cloned().unwrap_or(Value::Null))
                    .unwrap_or(Exception { message: String::new(), errorcode: String::new() });
                return Err(moodle_error(&e.errorcode, e.message));
            }
            serde_json::from_value(result.get("data").cloned().unwrap_or(Value::Null))
                .map_err(ClientError::unreadable)
        }
        Value::Object(obj) => {
            let message = obj.get("error").and_then(Value::as_str).unwrap_or_default().to_owned();
            let code = obj.get("errorcode").and_then(Value::as_str).unwrap_or_default();
            Err(moodle_error(code, message))
        }
        _ => Err(ClientError::unreadable("not a list of results")),
    }
}

fn moodle_error(code: &str, message: String) -> ClientError {
    let kind = match code {
        "invalidsesskey" | "servicerequireslogin" | "requireloginerror" => ErrorKind::SignedOut,
        "nopermissions" | "accessexception" | "servicenotavailable" => ErrorKind::Forbidden,
        // The plugin's own functions pass the file server's code through.
        "not_found" => ErrorKind::NotFound,
        "not_reachable" => ErrorKind::Offline,
        "invalidparameter" | "bad_path" | "conflict" | "not_a_folder" => ErrorKind::Refused,
        _ => ErrorKind::Server,
    };
    let message = if message.is_empty() { format!("Moodle refused the request ({code})") } else { message };
    ClientError::new(kind, message).with_code(code)
}

/// Moodle's external functions cannot return null, so "no next page" arrives as "".
fn normalise(mut page: EntriesPage) -> EntriesPage {
    if page.next_cursor.as_deref() == Some("") {
        page.next_cursor = None;
    }
    page
}

impl FolderSource for MoodleClient {
    fn list(&self, request: ListRequest) -> LocalFuture<'_, EntriesPage> {
        Box::pin(async move {
            let mut args = Map::new();
            args.insert("path".into(), request.path.to_string().into());
            args.insert("cursor".into(), request.cursor.unwrap_or_default().into());
            if let Some(limit) = request.limit {
                args.insert("limit".into(), limit.into());
            }
            self.call(&self.methods.list, args).await.map(normalise)
        })
    }

    fn create_folder(&self, path: WorkspacePath) -> LocalFuture<'_, FolderCreated> {
        Box::pin(async move {
            let mut args = Map::new();
            args.insert("path".into(), path.to_string().into());
            self.call(&self.methods.create_folder, args).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_calls_like_core_ajax() {
        let mut context = Map::new();
        context.insert("contextid".into(), 42.into());
        let client = MoodleClient::new("/lib/ajax/service.php", "k", MoodleMethods::default(), context);
        let mut args = Map::new();
        args.insert("path".into(), "a/b".into());
        let body: Value = serde_json::from_str(&client.encode_call("m", args)).unwrap();
        assert_eq!(body, json!([{"index": 0, "methodname": "m", "args": {"contextid": 42, "path": "a/b"}}]));
    }

    #[test]
    fn decodes_results_and_both_error_shapes() {
        let page: EntriesPage = decode_response(
            r#"[{"error":false,"data":{"path":"","entries":[],"total":0,"next_cursor":""}}]"#,
        )
        .map(normalise)
        .unwrap();
        assert_eq!(page.next_cursor, None);

        let err = decode_response::<EntriesPage>(
            r#"[{"error":true,"exception":{"message":"Sorry, no access","errorcode":"nopermissions"}}]"#,
        )
        .unwrap_err();
        assert_eq!((err.kind, err.message.as_str()), (ErrorKind::Forbidden, "Sorry, no access"));

        let err = decode_response::<EntriesPage>(r#"{"error":"Invalid sesskey","errorcode":"invalidsesskey"}"#)
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::SignedOut);
        assert_eq!(err.code.as_deref(), Some("invalidsesskey"));

        assert_eq!(decode_response::<EntriesPage>("[]").unwrap_err().kind, ErrorKind::Server);
        assert_eq!(decode_response::<EntriesPage>("<html>").unwrap_err().kind, ErrorKind::Server);
    }
}
