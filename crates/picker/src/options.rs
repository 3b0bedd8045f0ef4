//! The options object the host passes to `mount`, read and checked once. Functions in it (the
//! token source, `onPick`) are picked up by `lib.rs`.

use lablink_client::wire;
use lablink_protocol::WorkspacePath;
use wasm_bindgen::{JsCast, JsValue};

use crate::labels::Labels;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    /// Choose an existing folder (the teacher's source folder): the highlighted folder, or
    /// the one being shown.
    #[default]
    Folder,
    /// Choose where something goes (a copy, a submission's feedback): the folder being shown;
    /// new folders can be made.
    Destination,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Transport {
    /// The file server's v2 API at `base` (`/files`, `https://hub.example/files`), for `home`;
    /// the host's `token(method, path)` function mints each bearer token.
    Files { base: String, home: String },
    /// Moodle's `{wwwroot}/lib/ajax/service.php`, with the page's sesskey and the ids sent
    /// with every call (e.g. `contextid`).
    Moodle {
        service_url: String,
        sesskey: String,
        list_method: Option<String>,
        create_folder_method: Option<String>,
        args: Vec<(String, i64)>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub mode: Mode,
    pub initial_path: WorkspacePath,
    /// Name of the form field the chosen path is written to.
    pub field: Option<String>,
    pub labels: Labels,
    /// Height of the list in CSS pixels.
    pub height: u32,
    pub transport: Transport,
}

pub const DEFAULT_HEIGHT: u32 = 320;

pub fn parse_mode(mode: Option<&str>) -> Result<Mode, String> {
    match mode {
        None | Some("folder") => Ok(Mode::Folder),
        Some("destination") => Ok(Mode::Destination),
        Some(other) => Err(format!("mode: {other:?} is neither \"folder\" nor \"destination\"")),
    }
}

/// The field name goes into a CSS selector; form field names never need more than this.
pub fn check_field(field: &str) -> Result<(), String> {
    let ok = !field.is_empty()
        && field.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '[' | ']'));
    if ok { Ok(()) } else { Err(format!("field: {field:?} is not a plain form field name")) }
}

/// Accepts `a/b`, `/a/b/` and `/` (the form in which the picker writes paths back).
pub fn parse_initial_path(path: &str) -> Result<WorkspacePath, String> {
    WorkspacePath::parse(path.trim_matches('/')).map_err(|e| format!("initialPath: {e}"))
}

fn text(object: &JsValue, name: &str) -> Result<Option<String>, String> {
    wire::opt_string(object, name).map_err(|e| format!("{e} (in the options)"))
}

fn required(object: &JsValue, name: &str) -> Result<String, String> {
    text(object, name)?.filter(|s| !s.is_empty()).ok_or_else(|| format!("transport.{name} is required"))
}

impl Options {
    pub fn from_js(options: &JsValue) -> Result<Self, String> {
        if !options.is_object() {
            return Err("options must be an object".into());
        }
        let mode = parse_mode(text(options, "mode")?.as_deref())?;
        let initial_path = parse_initial_path(&text(options, "initialPath")?.unwrap_or_default())?;
        let field = text(options, "field")?;
        if let Some(field) = &field {
            check_field(field)?;
        }
        let height = match wire::get(options, "height") {
            v if v.is_undefined() => DEFAULT_HEIGHT,
            _ => wire::uint(options, "height")?.clamp(120, 2000) as u32,
        };
        let t = wire::get(options, "transport");
        let transport = match text(&t, "kind")?.as_deref() {
            Some("files") => {
                Transport::Files { base: text(&t, "base")?.unwrap_or_default(), home: required(&t, "home")? }
            }
            Some("moodle") => {
                let ids = wire::get(&t, "args");
                let mut args = Vec::new();
                if ids.is_object() {
                    for key in js_sys::Object::keys(ids.unchecked_ref::<js_sys::Object>())
                        .iter()
                        .filter_map(|k| k.as_string())
                    {
                        args.push((
                            key.clone(),
                            wire::int(&ids, &key).map_err(|e| format!("transport.args: {e}"))?,
                        ));
                    }
                }
                Transport::Moodle {
                    service_url: required(&t, "serviceUrl")?,
                    sesskey: required(&t, "sesskey")?,
                    list_method: text(&t, "listMethod")?,
                    create_folder_method: text(&t, "createFolderMethod")?,
                    args,
                }
            }
            _ => return Err("transport.kind must be \"files\" or \"moodle\"".into()),
        };
        let labels = Labels::from_js(&wire::get(options, "labels"));
        Ok(Options { mode, initial_path, field, labels, height, transport })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_fields_and_paths_are_checked() {
        assert_eq!(parse_mode(None), Ok(Mode::Folder));
        assert_eq!(parse_mode(Some("destination")), Ok(Mode::Destination));
        assert!(parse_mode(Some("file")).is_err());
        assert!(check_field("assignsubmission_lablink_path").is_ok());
        assert!(check_field("a[b]").is_ok());
        assert!(check_field("a\"] , *[x").is_err());
        assert!(check_field("").is_err());
        assert_eq!(parse_initial_path("/a/b/").unwrap().as_str(), "a/b");
        assert!(parse_initial_path("/").unwrap().is_root());
        assert!(parse_initial_path("../x").is_err());
    }
}
