//! Reading and writing the wire types as JavaScript values. The engine's own `JSON.parse` and
//! `JSON.stringify` do the text work; the few types a widget receives are read field by field
//! here. serde's deserialisers (serde_json, or serde-wasm-bindgen) would add a fifth to every
//! widget bundle for the same result. The browser tests round-trip each type through
//! serde_json, so this reader cannot drift from the protocol crate's definitions.

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Array, JSON, Object, Reflect};
use lablink_protocol::WorkspacePath;
use lablink_protocol::files::{
    EntriesPage, Entry, EntryKind, ErrorBody, ErrorCode, ErrorDetail, FolderCreated,
};
use wasm_bindgen::JsValue;

/// Why a value could not be read; text for the developer console, not for users.
pub type WireResult<T> = Result<T, String>;

pub fn parse(text: &str) -> WireResult<JsValue> {
    JSON::parse(text).map_err(|_| "the answer is not JSON".to_owned())
}

pub fn stringify(value: &JsValue) -> WireResult<String> {
    JSON::stringify(value).ok().and_then(|s| s.as_string()).ok_or_else(|| "cannot write JSON".to_owned())
}

thread_local! {
    /// Property names as JS strings, made once: a 2,000-row table asks for the same dozen
    /// names 24,000 times, and copying each into a fresh JS string cost more than the rest of
    /// the decoding.
    static NAMES: RefCell<HashMap<String, JsValue>> = RefCell::new(HashMap::new());
}

pub fn get(object: &JsValue, name: &str) -> JsValue {
    if !object.is_object() {
        return JsValue::UNDEFINED;
    }
    NAMES.with(|names| {
        let mut names = names.borrow_mut();
        if let Some(key) = names.get(name) {
            return Reflect::get(object, key).unwrap_or(JsValue::UNDEFINED);
        }
        let key = JsValue::from_str(name);
        let value = Reflect::get(object, &key).unwrap_or(JsValue::UNDEFINED);
        // Host objects' own keys (Moodle's args) are few; anything else is a field name.
        if names.len() < 512 {
            names.insert(name.to_owned(), key);
        }
        value
    })
}

pub fn string(object: &JsValue, name: &str) -> WireResult<String> {
    get(object, name).as_string().ok_or_else(|| format!("`{name}` is not a string"))
}

/// A string that may be missing or null.
pub fn opt_string(object: &JsValue, name: &str) -> WireResult<Option<String>> {
    let value = get(object, name);
    if value.is_undefined() || value.is_null() { Ok(None) } else { string(object, name).map(Some) }
}

pub fn bool(object: &JsValue, name: &str) -> bool {
    get(object, name).as_bool().unwrap_or(false)
}

/// An integer as JSON carries it: a number with no fraction, within ±2⁵³.
pub fn int(object: &JsValue, name: &str) -> WireResult<i64> {
    const SAFE: f64 = 9_007_199_254_740_991.0;
    match get(object, name).as_f64() {
        Some(n) if n.fract() == 0.0 && n.abs() <= SAFE => Ok(n as i64),
        _ => Err(format!("`{name}` is not an integer")),
    }
}

pub fn uint(object: &JsValue, name: &str) -> WireResult<u64> {
    u64::try_from(int(object, name)?).map_err(|_| format!("`{name}` is negative"))
}

pub fn path(object: &JsValue, name: &str) -> WireResult<WorkspacePath> {
    WorkspacePath::parse(&string(object, name)?).map_err(|e| format!("`{name}`: {e}"))
}

/// A wire type read from a parsed JSON value.
pub trait FromJs: Sized {
    fn from_js(value: &JsValue) -> WireResult<Self>;
}

impl FromJs for Entry {
    fn from_js(v: &JsValue) -> WireResult<Self> {
        Ok(Entry {
            name: string(v, "name")?,
            kind: EntryKind::from_wire(&string(v, "kind")?),
            size: uint(v, "size")?,
            modified: int(v, "modified")?,
        })
    }
}

impl FromJs for EntriesPage {
    fn from_js(v: &JsValue) -> WireResult<Self> {
        let list = get(v, "entries");
        if !Array::is_array(&list) {
            return Err("`entries` is not a list".into());
        }
        let list = Array::from(&list);
        let mut entries = Vec::with_capacity(list.length() as usize);
        for item in list.iter() {
            entries.push(Entry::from_js(&item)?);
        }
        Ok(EntriesPage {
            path: path(v, "path")?,
            entries,
            total: uint(v, "total")?,
            next_cursor: opt_string(v, "next_cursor")?,
        })
    }
}

impl FromJs for FolderCreated {
    fn from_js(v: &JsValue) -> WireResult<Self> {
        Ok(FolderCreated { path: path(v, "path")?, created: bool(v, "created") })
    }
}

/// The v2 error body. A code this client does not know reads as `internal`.
impl FromJs for ErrorBody {
    fn from_js(v: &JsValue) -> WireResult<Self> {
        let detail = get(v, "error");
        let code = ErrorCode::from_wire(&string(&detail, "code")?).unwrap_or(ErrorCode::Internal);
        Ok(ErrorBody { error: ErrorDetail { code, message: string(&detail, "message")? } })
    }
}

/// A plain object to fill with `set`.
pub fn object() -> JsValue {
    Object::new().into()
}

pub fn set(object: &JsValue, name: &str, value: impl Into<JsValue>) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(object, &name.into(), &value.into());
}
