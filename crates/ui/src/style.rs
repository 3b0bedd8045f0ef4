//! The widgets' stylesheet and its one-time installation into the page.

/// The stylesheet of every component in this crate. Hosts that bundle CSS themselves can use
/// it directly instead of calling [`install_style`].
pub const STYLE: &str = include_str!("lablink.css");

/// The id of the `<style>` element, so that a second widget on the same page (or a remount)
/// finds it and does not add another.
pub const STYLE_ELEMENT_ID: &str = "lablink-ui-style";

/// Adds [`STYLE`] to `document.head` unless it is already there. Safe to call on every mount.
pub fn install_style() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if document.get_element_by_id(STYLE_ELEMENT_ID).is_some() {
        return;
    }
    let Ok(style) = document.create_element("style") else {
        return;
    };
    style.set_id(STYLE_ELEMENT_ID);
    style.set_text_content(Some(STYLE));
    if let Some(head) = document.head() {
        let _ = head.append_child(&style);
    }
}
