//! The lablink grades panel, mounted by the JupyterLab extension:
//!
//! ```js
//! import init, { mount } from "./lablink_grades_panel.js";
//! await init();
//! const handle = mount(node, { serviceUrl: "/services/lablink-grading/", labels: labels(trans) });
//! handle.unmount();
//! ```
//! See `options.rs` for the options and `labels.rs` for the strings (all from the host).
//!
//! - this file: `mount` / `unmount` and the handle;
//! - `options`, `labels`: what the host passes, checked with named reasons;
//! - plumbing: `loaders` (fetch per key), `sync_flow` (the sync as a pure reducer),
//!   `use_sync` (its requests and the job's event stream), `errors` (failures as sentences),
//!   `table_model` and `results` (rows for the tables);
//! - views, one per file: `panel` (composes), `assignment_choice`, `student_table`,
//!   `score_histogram`, `sync_preview`, `sync_progress`, `job_history`, `error_notice`.
//!
//! Performance marks for the bench: `lablink:panel-mount` (mount called),
//! `lablink:panel-data` (the grade table arrived), `lablink:panel-table-painted` (its rows are
//! in the DOM).

mod assignment_choice;
mod error_notice;
pub mod errors;
mod job_history;
pub mod labels;
mod loaders;
pub mod options;
mod panel;
pub mod results;
mod score_histogram;
mod student_table;
pub mod sync_flow;
mod sync_preview;
mod sync_progress;
pub mod table_model;
mod use_sync;

use std::rc::Rc;

use lablink_client::GradingClient;
use wasm_bindgen::prelude::*;
use web_sys::Element;

use crate::options::Options;
pub use crate::panel::{Panel, PanelConfig, PanelProps};
pub use crate::sync_preview::{SyncPreviewDialog, SyncPreviewProps};

/// Marks the element a panel lives in, so `unmount(element)` finds it.
const MOUNT_ATTRIBUTE: &str = "data-lablink-grades-panel";

/// A mounted panel.
#[wasm_bindgen]
pub struct PanelHandle {
    element: Element,
}

#[wasm_bindgen]
impl PanelHandle {
    pub fn unmount(&self) {
        unmount(&self.element);
    }
}

/// Shows the panel inside `element` (replacing what was there). Bad options throw an `Error`
/// naming the problem (a missing label by its key).
#[wasm_bindgen]
pub fn mount(element: Element, options: JsValue) -> Result<PanelHandle, JsError> {
    lablink_ui::mark("lablink:panel-mount");
    let read = Options::from_js(&options).map_err(|e| JsError::new(&format!("lablink grades panel: {e}")))?;
    let config = PanelConfig {
        client: Rc::new(GradingClient::new(&read.service_url)),
        labels: Rc::new(read.labels),
        service_url: read.service_url,
        height: read.height,
    };
    let props = PanelProps { config: Rc::new(config) };
    lablink_ui::mount_into::<Panel>(&element, MOUNT_ATTRIBUTE, props)
        .map_err(|e| JsError::new(&format!("lablink grades panel: {e}")))?;
    Ok(PanelHandle { element })
}

/// Removes the panel shown in `element`, if any.
#[wasm_bindgen]
pub fn unmount(element: &Element) {
    lablink_ui::unmount_from(element, MOUNT_ATTRIBUTE);
}

/// The panel's version, for hosts that log it.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
