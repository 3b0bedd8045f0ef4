//! Transient messages (saved, copied, failed …) with a dismiss button each.

use std::rc::Rc;

use yew::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    Info,
    Success,
    Error,
}

#[derive(Clone, PartialEq)]
pub struct Notice {
    /// Chosen by the host; passed back to `on_dismiss`.
    pub id: u32,
    pub kind: NoticeKind,
    pub text: AttrValue,
}

#[derive(Properties, PartialEq)]
pub struct NoticeAreaProps {
    pub notices: Rc<Vec<Notice>>,
    pub on_dismiss: Callback<u32>,
    /// Accessible name of each dismiss button.
    #[prop_or(AttrValue::Static("Dismiss"))]
    pub dismiss_label: AttrValue,
}

#[function_component(NoticeArea)]
pub fn notice_area(props: &NoticeAreaProps) -> Html {
    let items = props.notices.iter().map(|notice| {
        let (class, role) = match notice.kind {
            NoticeKind::Info => ("lablink-notice-info", None),
            NoticeKind::Success => ("lablink-notice-success", None),
            // Errors interrupt; the others wait for the polite live region.
            NoticeKind::Error => ("lablink-notice-error", Some("alert")),
        };
        let id = notice.id;
        let on_dismiss = props.on_dismiss.clone();
        let onclick = Callback::from(move |_: MouseEvent| on_dismiss.emit(id));
        html! {
            <div key={id} class={classes!("lablink-notice", class)} {role}>
                <span class="lablink-notice-text">{ notice.text.clone() }</span>
                <button
                    type="button"
                    class="lablink-dismiss"
                    aria-label={props.dismiss_label.clone()}
                    {onclick}
                >
                    <span aria-hidden="true">{ "×" }</span>
                </button>
            </div>
        }
    });
    // The region stays in the DOM even when empty: screen readers only announce changes to a
    // live region that already existed.
    html! {
        <div class="lablink-notices" aria-live="polite">{ for items }</div>
    }
}
