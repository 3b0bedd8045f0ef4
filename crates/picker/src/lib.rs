//! The lablink folder picker, for host pages (Moodle's assignment forms, the demo page):
//!
//! ```js
//! import init, { mount } from "./lablink_picker.js";
//! await init();
//! const picker = mount(element, { mode: "folder", field: "lablink_path", transport: { … } });
//! picker.unmount();
//! ```
//! See `options.rs` for every option and `labels.rs` for the strings a host can translate.
//!
//! - this file: `mount` / `unmount` and the handle;
//! - `options`, `labels`: what a host passes (checked, with named reasons when wrong);
//! - `host`: plumbing to the host page (its JS functions as Rust callbacks, the form field);
//! - `navigator`: paged loading of a folder (first page fast, the rest with progress);
//! - `picker`: the view; `new_folder_dialog` and `notices` (a hook over a reducer) its parts.

mod host;
pub mod labels;
pub mod navigator;
mod new_folder_dialog;
mod notices;
pub mod options;
mod picker;

use std::rc::Rc;

use lablink_client::{FilesClient, MoodleClient, MoodleMethods, SharedSource};
use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::options::{Options, Transport};
pub use crate::picker::{Picker, PickerConfig, PickerProps, display_path};

/// Marks the element a picker lives in, so `unmount(element)` finds it.
const MOUNT_ATTRIBUTE: &str = "data-lablink-picker";

/// A mounted picker.
#[wasm_bindgen]
pub struct PickerHandle {
    element: Element,
}

#[wasm_bindgen]
impl PickerHandle {
    pub fn unmount(&self) {
        unmount(&self.element);
    }
}

fn config(element: &Element, options: &JsValue) -> Result<PickerConfig, JsError> {
    let bad = |e: String| JsError::new(&format!("lablink picker: {e}"));
    let read = Options::from_js(options).map_err(bad)?;
    let source: SharedSource = match read.transport {
        Transport::Files { base, home } => {
            let transport = js_sys::Reflect::get(options, &"transport".into()).unwrap_or(JsValue::UNDEFINED);
            let token = host::function(&transport, "token")
                .ok_or_else(|| bad("transport.token must be a function (method, path) → token".into()))?;
            Rc::new(FilesClient::new(&base, &home, host::token_source(token)))
        }
        Transport::Moodle { service_url, sesskey, list_method, create_folder_method, args } => {
            let defaults = MoodleMethods::default();
            let methods = MoodleMethods {
                list: list_method.unwrap_or(defaults.list),
                create_folder: create_folder_method.unwrap_or(defaults.create_folder),
            };
            Rc::new(MoodleClient::new(&service_url, &sesskey, methods, args))
        }
    };
    Ok(PickerConfig {
        mode: read.mode,
        initial_path: read.initial_path,
        field: read.field,
        labels: read.labels,
        height: read.height,
        source,
        on_pick: host::function(options, "onPick"),
        host: element.clone(),
    })
}

/// Shows a picker inside `element` (replacing what was there, e.g. a "loading" text).
#[wasm_bindgen]
pub fn mount(element: Element, options: JsValue) -> Result<PickerHandle, JsError> {
    lablink_ui::mark("lablink:mount");
    let config = config(&element, &options)?;
    let props = PickerProps { config: Rc::new(config) };
    lablink_ui::mount_into::<Picker>(&element, MOUNT_ATTRIBUTE, props)
        .map_err(|e| JsError::new(&format!("lablink picker: {e}")))?;
    Ok(PickerHandle { element })
}

/// Removes the picker shown in `element`, if any.
#[wasm_bindgen]
pub fn unmount(element: &Element) {
    lablink_ui::unmount_from(element, MOUNT_ATTRIBUTE);
}

/// The picker's version, for hosts that log it.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
