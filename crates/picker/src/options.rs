//! The options object the host passes to `mount`, checked once. Functions in it (the token
//! source, `onPick`) are taken out first; the rest is plain data read with serde.

use lablink_protocol::WorkspacePath;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::labels::Labels;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Choose an existing folder (the teacher's source folder): the highlighted folder, or
    /// the one being shown.
    #[default]
    Folder,
    /// Choose where something goes (a copy, a submission's feedback): the folder being shown;
    /// new folders can be made.
    Destination,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OptionsWire {
    #[serde(default)]
    pub mode: Mode,
    #[serde(default)]
    pub initial_path: String,
    /// Name of the form field the chosen path is written to.
    #[serde(default)]
    pub field: Option<String>,
    #[serde(default)]
    pub labels: Labels,
    /// Height of the list in CSS pixels.
    #[serde(default = "default_height")]
    pub height: u32,
    pub transport: TransportWire,
}

fn default_height() -> u32 {
    320
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum TransportWire {
    /// The file server's v2 API; `token(method, path)` (a function) mints each bearer token.
    #[serde(rename_all = "camelCase")]
    Files { base: String, home: String },
    /// Moodle's `lib/ajax/service.php`.
    #[serde(rename_all = "camelCase")]
    Moodle {
        service_url: String,
        sesskey: String,
        #[serde(default)]
        list_method: Option<String>,
        #[serde(default)]
        create_folder_method: Option<String>,
        /// Sent with every call, e.g. `{ "contextid": 12 }`.
        #[serde(default)]
        args: Map<String, Value>,
    },
}

impl OptionsWire {
    /// Checks what serde cannot: the path and the field name.
    pub fn validate(&self) -> Result<WorkspacePath, String> {
        if let Some(field) = &self.field {
            // The name goes into a CSS selector; form field names never need more than this.
            let ok = !field.is_empty()
                && field.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '[' | ']'));
            if !ok {
                return Err(format!("field: {field:?} is not a plain form field name"));
            }
        }
        WorkspacePath::parse(self.initial_path.trim_matches('/')).map_err(|e| format!("initialPath: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_transports() {
        let files: OptionsWire = serde_json::from_value(serde_json::json!({
            "mode": "destination", "initialPath": "/a/b/", "field": "lablink_path",
            "transport": {"kind": "files", "base": "/files", "home": "demo"}
        }))
        .unwrap();
        assert_eq!(files.mode, Mode::Destination);
        assert_eq!(files.validate().unwrap().as_str(), "a/b");
        assert_eq!(files.height, 320);

        let moodle: OptionsWire = serde_json::from_value(serde_json::json!({
            "transport": {"kind": "moodle", "serviceUrl": "/lib/ajax/service.php", "sesskey": "k", "args": {"contextid": 3}}
        }))
        .unwrap();
        assert_eq!(moodle.mode, Mode::Folder);
        assert!(matches!(moodle.transport, TransportWire::Moodle { ref args, .. } if args["contextid"] == 3));
    }

    #[test]
    fn refuses_bad_paths_fields_and_transports() {
        let with = |extra: serde_json::Value| {
            let mut v = serde_json::json!({"transport": {"kind": "files", "base": "", "home": "h"}});
            v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            serde_json::from_value::<OptionsWire>(v).unwrap().validate()
        };
        assert!(with(serde_json::json!({"initialPath": "../x"})).is_err());
        assert!(with(serde_json::json!({"field": "a\"] , *[x"})).is_err());
        assert!(with(serde_json::json!({"field": "assignsubmission_lablink_path"})).is_ok());
        let bad = serde_json::json!({"transport": {"kind": "ftp"}});
        assert!(serde_json::from_value::<OptionsWire>(bad).is_err());
    }
}
