//! Moodle's AJAX endpoint (`lib/ajax/service.php`), spoken the way `core/ajax` speaks it: a
//! POST of `[{index, methodname, args}]` with the session key in the query, answered by one
//! `{error, data | exception}` per call, or by a single `{error, errorcode}` object when the
//! whole request was refused (expired session, bad sesskey). Moodle works out whose home is
//! read from the logged-in user; nothing sent from here chooses it.

use gloo_net::http::Request;
use lablink_protocol::WorkspacePath;
use lablink_protocol::files::{EntriesPage, ErrorCode, FolderCreated};
use wasm_bindgen::JsValue;

use crate::wire::{self, FromJs};
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
    /// Sent with every call: the ids that say where the picker is (e.g. `contextid`).
    context_args: Vec<(String, i64)>,
}

/// One argument of a call.
pub enum Arg {
    Text(String),
    Int(i64),
}

impl MoodleClient {
    pub fn new(
        service_url: &str,
        sesskey: &str,
        methods: MoodleMethods,
        context_args: Vec<(String, i64)>,
    ) -> Self {
        Self { service_url: service_url.to_owned(), sesskey: sesskey.to_owned(), methods, context_args }
    }

    /// The request body of one call. The call's own arguments are set after the context ones,
    /// so they win on a repeated name.
    pub fn encode_call(&self, method: &str, args: &[(&str, Arg)]) -> Result<String, ClientError> {
        let all = wire::object();
        for (name, value) in &self.context_args {
            wire::set(&all, name, *value as f64);
        }
        for (name, value) in args {
            let value: JsValue = match value {
                Arg::Text(text) => text.into(),
                Arg::Int(n) => (*n as f64).into(),
            };
            wire::set(&all, name, value);
        }
        let call = wire::object();
        wire::set(&call, "index", 0);
        wire::set(&call, "methodname", method);
        wire::set(&call, "args", all);
        wire::stringify(&js_sys::Array::of1(&call)).map_err(ClientError::unreadable)
    }

    async fn call<T: FromJs>(&self, method: &str, args: &[(&str, Arg)]) -> Result<T, ClientError> {
        let body = self.encode_call(method, args)?;
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

/// Reads the answer to a single call.
pub fn decode_response<T: FromJs>(text: &str) -> Result<T, ClientError> {
    let value = wire::parse(text).map_err(ClientError::unreadable)?;
    if !js_sys::Array::is_array(&value) {
        // The whole request was refused: `{error: "…", errorcode: "…"}`.
        let message = wire::opt_string(&value, "error").ok().flatten().unwrap_or_default();
        let code = wire::opt_string(&value, "errorcode").ok().flatten().unwrap_or_default();
        return Err(moodle_error(&code, message));
    }
    let result = js_sys::Array::from(&value).get(0);
    if !result.is_object() {
        return Err(ClientError::unreadable("no result"));
    }
    if wire::bool(&result, "error") {
        let exception = wire::get(&result, "exception");
        let message = wire::opt_string(&exception, "message").ok().flatten().unwrap_or_default();
        let code = wire::opt_string(&exception, "errorcode").ok().flatten().unwrap_or_default();
        return Err(moodle_error(&code, message));
    }
    T::from_js(&wire::get(&result, "data")).map_err(ClientError::unreadable)
}

/// Maps Moodle's error codes, and the file server's v2 codes the plugin passes through.
pub fn moodle_error(code: &str, message: String) -> ClientError {
    let message = if message.is_empty() { format!("Moodle refused the request ({code})") } else { message };
    if let Some(v2) = ErrorCode::from_wire(code) {
        return ClientError::from_v2(v2, message);
    }
    let kind = match code {
        "invalidsesskey" | "servicerequireslogin" | "requireloginerror" => ErrorKind::SignedOut,
        "nopermissions" | "accessexception" | "servicenotavailable" => ErrorKind::Forbidden,
        "not_reachable" => ErrorKind::Offline,
        "invalidparameter" => ErrorKind::Refused,
        _ => ErrorKind::Server,
    };
    ClientError::new(kind, message).with_code(code)
}

/// Moodle's external functions cannot return null, so "no next page" arrives as "".
pub fn normalise(mut page: EntriesPage) -> EntriesPage {
    if page.next_cursor.as_deref() == Some("") {
        page.next_cursor = None;
    }
    page
}

impl FolderSource for MoodleClient {
    fn list(&self, request: ListRequest) -> LocalFuture<'_, EntriesPage> {
        Box::pin(async move {
            let mut args = vec![
                ("path", Arg::Text(request.path.to_string())),
                ("cursor", Arg::Text(request.cursor.unwrap_or_default())),
            ];
            if let Some(limit) = request.limit {
                args.push(("limit", Arg::Int(limit.into())));
            }
            self.call(&self.methods.list, &args).await.map(normalise)
        })
    }

    fn create_folder(&self, path: WorkspacePath) -> LocalFuture<'_, FolderCreated> {
        Box::pin(async move {
            self.call(&self.methods.create_folder, &[("path", Arg::Text(path.to_string()))]).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_map_to_kinds() {
        assert_eq!(moodle_error("invalidsesskey", String::new()).kind, ErrorKind::SignedOut);
        assert_eq!(moodle_error("nopermissions", "no".into()).kind, ErrorKind::Forbidden);
        assert_eq!(moodle_error("not_found", "gone".into()).message, "gone");
        let unknown = moodle_error("dmlreadexception", String::new());
        assert_eq!(
            (unknown.kind, unknown.message.as_str()),
            (ErrorKind::Server, "Moodle refused the request (dmlreadexception)")
        );
    }
}
