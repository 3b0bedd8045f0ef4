//! A modal confirmation dialog: title, optional content (e.g. a name field), confirm and
//! cancel.

use std::sync::atomic::{AtomicU32, Ordering};

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

/// What can take focus inside the dialog, for the initial focus and the Tab wrap.
const FOCUSABLE: &str = "button:not([disabled]), [href], input:not([disabled]):not([type=\"hidden\"]), \
     select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex=\"-1\"])";
const FIELD: &str = "input:not([disabled]):not([type=\"hidden\"]), select:not([disabled]), \
     textarea:not([disabled])";

/// Distinguishes the title ids of several dialogs on one page.
static NEXT_ID: AtomicU32 = AtomicU32::new(0);

#[derive(Properties, PartialEq)]
pub struct ConfirmDialogProps {
    pub open: bool,
    pub title: AttrValue,
    pub confirm_label: AttrValue,
    pub cancel_label: AttrValue,
    pub on_confirm: Callback<()>,
    pub on_cancel: Callback<()>,
    #[prop_or_default]
    pub children: Html,
    /// Styles the confirm button as destructive (delete, overwrite).
    #[prop_or_default]
    pub danger: bool,
    /// A wider dialog, for content such as a table.
    #[prop_or_default]
    pub wide: bool,
}

fn focusables(dialog: &Element) -> Vec<HtmlElement> {
    let Ok(list) = dialog.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<HtmlElement>().ok())
        .collect()
}

fn active_element() -> Option<Element> {
    web_sys::window()?.document()?.active_element()
}

#[function_component(ConfirmDialog)]
pub fn confirm_dialog(props: &ConfirmDialogProps) -> Html {
    let title_id =
        use_memo((), |_| format!("lablink-dialog-title-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed)));
    let backdrop_ref = use_node_ref();
    let dialog_ref = use_node_ref();
    let body_ref = use_node_ref();
    let confirm_ref = use_node_ref();

    // On opening, focus the first field (the user will want to type) or else the confirm
    // button; on closing, give focus back to where it was so keyboard users keep their place.
    {
        let body_ref = body_ref.clone();
        let confirm_ref = confirm_ref.clone();
        use_effect_with(props.open, move |open| {
            let previous = if *open { active_element() } else { None };
            if *open {
                let field = body_ref
                    .cast::<Element>()
                    .and_then(|body| body.query_selector(FIELD).ok().flatten())
                    .and_then(|el| el.dyn_into::<HtmlElement>().ok());
                if let Some(target) = field.or_else(|| confirm_ref.cast::<HtmlElement>()) {
                    let _ = target.focus();
                }
            }
            move || {
                if let Some(el) = previous.and_then(|el| el.dyn_into::<HtmlElement>().ok()) {
                    let _ = el.focus();
                }
            }
        });
    }

    if !props.open {
        return Html::default();
    }

    let confirm = {
        let on_confirm = props.on_confirm.clone();
        Callback::from(move |_: MouseEvent| on_confirm.emit(()))
    };
    let cancel = {
        let on_cancel = props.on_cancel.clone();
        Callback::from(move |_: MouseEvent| on_cancel.emit(()))
    };
    let backdrop_click = {
        let on_cancel = props.on_cancel.clone();
        let backdrop_ref = backdrop_ref.clone();
        Callback::from(move |e: MouseEvent| {
            // Only a click on the backdrop itself, not one that bubbled up from the dialog.
            // (Yew delegates events, so `current_target` is not the backdrop: compare nodes.)
            let target = e.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
            if target.is_some() && target == backdrop_ref.get() {
                on_cancel.emit(());
            }
        })
    };
    let onkeydown = {
        let on_cancel = props.on_cancel.clone();
        let on_confirm = props.on_confirm.clone();
        let dialog_ref = dialog_ref.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Escape" | "Esc" => {
                e.prevent_default();
                e.stop_propagation();
                on_cancel.emit(());
            }
            "Enter" => {
                // Enter in a field confirms, like submitting a form; on a button the button's
                // own activation decides (so Enter on Cancel cancels).
                let target = e.target().and_then(|t| t.dyn_into::<Element>().ok());
                let tag = target.map(|t| t.tag_name().to_ascii_lowercase()).unwrap_or_default();
                if !matches!(tag.as_str(), "button" | "textarea" | "a" | "select") {
                    e.prevent_default();
                    on_confirm.emit(());
                }
            }
            "Tab" => {
                let Some(dialog) = dialog_ref.cast::<Element>() else { return };
                let items = focusables(&dialog);
                let (Some(first), Some(last)) = (items.first(), items.last()) else {
                    e.prevent_default();
                    return;
                };
                let active = active_element();
                let at_first = active.as_ref() == Some(first.as_ref());
                let at_last = active.as_ref() == Some(last.as_ref());
                let outside = active.as_ref().is_none_or(|a| !dialog.contains(Some(a)));
                if e.shift_key() && (at_first || outside) {
                    e.prevent_default();
                    let _ = last.focus();
                } else if !e.shift_key() && (at_last || outside) {
                    e.prevent_default();
                    let _ = first.focus();
                }
            }
            _ => {}
        })
    };

    let confirm_class = classes!(
        "lablink-button",
        if props.danger { "lablink-button-danger" } else { "lablink-button-primary" }
    );
    html! {
        <div ref={backdrop_ref} class="lablink-backdrop" onclick={backdrop_click}>
            <div
                ref={dialog_ref}
                class={classes!("lablink-dialog", props.wide.then_some("lablink-dialog-wide"))}
                role="dialog"
                aria-modal="true"
                aria-labelledby={(*title_id).clone()}
                tabindex="-1"
                {onkeydown}
            >
                <h2 class="lablink-dialog-title" id={(*title_id).clone()}>{ props.title.clone() }</h2>
                <div ref={body_ref} class="lablink-dialog-body">{ props.children.clone() }</div>
                <div class="lablink-dialog-actions">
                    <button type="button" class="lablink-button" onclick={cancel}>
                        { props.cancel_label.clone() }
                    </button>
                    <button ref={confirm_ref} type="button" class={confirm_class} onclick={confirm}>
                        { props.confirm_label.clone() }
                    </button>
                </div>
            </div>
        </div>
    }
}
