//! Plumbing between the picker and its host page: JS functions as Rust callbacks, and the
//! form field the chosen path is written to.

use std::rc::Rc;

use js_sys::{Function, Promise, Reflect};
use lablink_client::{ClientError, ErrorKind, TokenSource};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, Event, EventInit, HtmlInputElement};

/// A function-valued property of `object`, if there is one.
pub fn function(object: &JsValue, name: &str) -> Option<Function> {
    Reflect::get(object, &name.into()).ok()?.dyn_into::<Function>().ok()
}

fn describe(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// Wraps the host's `token(method, path)`, which returns a string or a promise of one. A
/// failure to get a token is reported as the server being unreachable: the host's token route
/// sits beside the API, and a fetch that fails there fails for the same reason.
pub fn token_source(token: Function) -> TokenSource {
    Rc::new(move |method: &str, path: &str| {
        let called = token.call2(&JsValue::NULL, &method.into(), &path.into());
        Box::pin(async move {
            let fail = |e: JsValue| {
                ClientError::new(ErrorKind::Offline, format!("no access token: {}", describe(&e)))
            };
            let value = JsFuture::from(Promise::resolve(&called.map_err(fail)?)).await.map_err(fail)?;
            value
                .as_string()
                .filter(|t| !t.is_empty())
                .ok_or_else(|| ClientError::new(ErrorKind::SignedOut, "the page gave no access token"))
        })
    })
}

/// Writes the chosen path into the form field `name`: the one in the picker's own form, else
/// anywhere in the page, else a hidden input created inside the picker's element. `input` and
/// `change` events let the host's form code notice.
pub fn write_field(host: &Element, name: &str, value: &str) -> Result<(), JsValue> {
    let selector = format!("[name=\"{name}\"]");
    let document = host.owner_document().ok_or("no document")?;
    let in_form = host.closest("form")?.map(|form| form.query_selector(&selector)).transpose()?.flatten();
    let field = match in_form.or(document.query_selector(&selector)?) {
        Some(field) => field,
        None => {
            let input = document.create_element("input")?;
            input.set_attribute("type", "hidden")?;
            input.set_attribute("name", name)?;
            host.append_child(&input)?;
            input
        }
    };
    if let Some(input) = field.dyn_ref::<HtmlInputElement>() {
        input.set_value(value);
    } else if let Some(area) = field.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        area.set_value(value);
    } else {
        field.set_attribute("value", value)?;
    }
    let init = EventInit::new();
    init.set_bubbles(true);
    for kind in ["input", "change"] {
        field.dispatch_event(&Event::new_with_event_init_dict(kind, &init)?)?;
    }
    Ok(())
}

/// Calls the host's `onPick(path)`; a throwing callback is logged, not fatal.
pub fn notify(callback: Option<&Function>, path: &str) {
    if let Some(callback) = callback
        && let Err(e) = callback.call1(&JsValue::NULL, &path.into())
    {
        web_sys::console::error_2(&"lablink picker: onPick failed".into(), &e);
    }
}
