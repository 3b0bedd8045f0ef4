//! The lablink folder picker, for host pages (Moodle's assignment forms, the demo page):
//!
//! ```js
//! import init, { mount } from "./lablink_picker.js";
//! await init();
//! const picker = mount(element, { mode: "folder", field: "lablink_path", transport: { … } });
//! picker.unmount();
//! ```
//! See `options.rs` for every option and `labels.rs` for the strings a host can translate.

mod host;
pub mod labels;
pub mod navigator;
mod new_folder_dialog;
mod notices;
pub mod options;
mod picker;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use lablink_client::{FilesClient, MoodleClient, MoodleMethods, SharedSource};
use wasm_bindgen::prelude::*;
use web_sys::Element;
use yew::AppHandle;

use crate::options::{OptionsWire, TransportWire};
pub use crate::picker::{Picker, PickerConfig, PickerProps, display_path};

/// Marks the element a picker lives in, so `unmount(element)` finds it.
const MOUNT_ATTRIBUTE: &str = "data-lablink-picker";

thread_local! {
    static MOUNTED: RefCell<HashMap<u32, AppHandle<Picker>>> = RefCell::new(HashMap::new());
    static NEXT_ID: std::cell::Cell<u32> = const { std::cell::Cell::new(1) };
}

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

/// A copy of `object` without its function-valued properties, which serde cannot read.
fn data_only(object: &JsValue) -> Result<JsValue, JsError> {
    if !object.is_object() {
        return Err(JsError::new("lablink picker: options must be an object"));
    }
    let copy = js_sys::Object::assign(&js_sys::Object::new(), object.unchecked_ref());
    for key in js_sys::Object::keys(&copy) {
        let value = js_sys::Reflect::get(&copy, &key).map_err(|_| JsError::new("unreadable option"))?;
        if value.is_function() {
            js_sys::Reflect::delete_property(&copy, &key).map_err(|_| JsError::new("unreadable option"))?;
        } else if value.is_object() && !js_sys::Array::is_array(&value) {
            js_sys::Reflect::set(&copy, &key, &data_only(&value)?).map_err(|_| JsError::new("unreadable option"))?;
        }
    }
    Ok(copy.into())
}

fn config(element: &Element, options: &JsValue) -> Result<PickerConfig, JsError> {
    let bad = |e: String| JsError::new(&format!("lablink picker: {e}"));
    let wire: OptionsWire = serde_wasm_bindgen::from_value(data_only(options)?).map_err(|e| bad(e.to_string()))?;
    let initial_path = wire.validate().map_err(bad)?;
    let transport = js_sys::Reflect::get(options, &"transport".into()).unwrap_or(JsValue::UNDEFINED);
    let source: SharedSource = match wire.transport {
        TransportWire::Files { base, home } => {
            let token = host::function(&transport, "token")
                .ok_or_else(|| bad("transport.token must be a function (method, path) → token".into()))?;
            Rc::new(FilesClient::new(&base, &home, host::token_source(token)))
        }
        TransportWire::Moodle { service_url, sesskey, list_method, create_folder_method, args } => {
            let mut methods = MoodleMethods::default();
            if let Some(list) = list_method {
                methods.list = list;
            }
            if let Some(create) = create_folder_method {
                methods.create_folder = create;
            }
            Rc::new(MoodleClient::new(&service_url, &sesskey, methods, args))
        }
    };
    Ok(PickerConfig {
        mode: wire.mode,
        initial_path,
        field: wire.field,
        labels: wire.labels,
        height: wire.height.clamp(120, 2000),
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
    unmount(&element);
    lablink_ui::install_style();
    element.set_text_content(None);
    let id = NEXT_ID.with(|next| next.replace(next.get() + 1));
    element
        .set_attribute(MOUNT_ATTRIBUTE, &id.to_string())
        .map_err(|_| JsError::new("lablink picker: cannot mark the element"))?;
    let props = PickerProps { config: Rc::new(config) };
    let handle = yew::Renderer::<Picker>::with_root_and_props(element.clone(), props).render();
    MOUNTED.with(|m| m.borrow_mut().insert(id, handle));
    Ok(PickerHandle { element })
}

/// Removes the picker shown in `element`, if any.
#[wasm_bindgen]
pub fn unmount(element: &Element) {
    let Some(id) = element.get_attribute(MOUNT_ATTRIBUTE).and_then(|v| v.parse::<u32>().ok()) else {
        return;
    };
    if let Some(handle) = MOUNTED.with(|m| m.borrow_mut().remove(&id)) {
        handle.destroy();
    }
    let _ = element.remove_attribute(MOUNT_ATTRIBUTE);
}

/// The picker's version, for hosts that log it.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
