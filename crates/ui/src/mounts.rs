//! Widgets mounted into host elements: each element is marked with an id under the widget's own
//! attribute, so that unmounting (or mounting again) finds the app living in it. The picker and
//! the grades panel mount through here.

use std::cell::{Cell, RefCell};

use web_sys::Element;
use yew::BaseComponent;

type Destroy = Box<dyn FnOnce()>;

thread_local! {
    // A page holds a widget or two: a list is enough.
    static MOUNTED: RefCell<Vec<(u32, Destroy)>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
}

/// Renders `C` inside `element` in place of what was there (a widget mounted there before is
/// removed first, a "loading" text simply replaced), marking it with `attribute`.
pub fn mount_into<C: BaseComponent>(
    element: &Element,
    attribute: &str,
    props: C::Properties,
) -> Result<(), String> {
    unmount_from(element, attribute);
    crate::install_style();
    element.set_text_content(None);
    let id = NEXT_ID.with(|next| next.replace(next.get() + 1));
    element.set_attribute(attribute, &id.to_string()).map_err(|_| "cannot mark the element".to_owned())?;
    let handle = yew::Renderer::<C>::with_root_and_props(element.clone(), props).render();
    MOUNTED.with(|m| m.borrow_mut().push((id, Box::new(move || handle.destroy()))));
    Ok(())
}

/// Removes the widget `mount_into` put in `element` under `attribute`, if any.
pub fn unmount_from(element: &Element, attribute: &str) {
    let Some(id) = element.get_attribute(attribute).and_then(|v| v.parse::<u32>().ok()) else {
        return;
    };
    let destroy = MOUNTED.with(|m| {
        let mut mounted = m.borrow_mut();
        mounted.iter().position(|(i, _)| *i == id).map(|at| mounted.swap_remove(at).1)
    });
    if let Some(destroy) = destroy {
        destroy();
    }
    let _ = element.remove_attribute(attribute);
}
