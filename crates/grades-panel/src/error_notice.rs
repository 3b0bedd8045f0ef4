//! A failure, said so the user can act: the sentence, a sign-in link when signing in again is
//! the way out, and a retry.

use std::rc::Rc;

use yew::prelude::*;

use crate::errors::ErrorView;
use crate::labels::Labels;

#[derive(Properties, PartialEq)]
pub struct ErrorNoticeProps {
    pub error: ErrorView,
    pub labels: Rc<Labels>,
    #[prop_or_default]
    pub on_retry: Option<Callback<()>>,
    /// Puts the message away (a failed sync step: the panel goes back to where it was).
    #[prop_or_default]
    pub on_close: Option<Callback<()>>,
}

#[function_component(ErrorNotice)]
pub fn error_notice(props: &ErrorNoticeProps) -> Html {
    let labels = &props.labels;
    html! {
        <div class="lablink-error lablink-panel-error" role="alert">
            <p class="lablink-error-message">{ props.error.text.clone() }</p>
            <div class="lablink-actions">
                if let Some(link) = &props.error.sign_in {
                    // A new tab: the hub's sign-in pages do not fit in a panel.
                    <a class="lablink-button lablink-button-primary lablink-sign-in" href={link.clone()}
                        target="_blank" rel="noopener">{ labels.sign_in.clone() }</a>
                }
                if let Some(on_retry) = &props.on_retry {
                    <button type="button" class="lablink-retry" onclick={on_retry.reform(|_| ())}>
                        { labels.retry.clone() }</button>
                }
                if let Some(on_close) = &props.on_close {
                    <button type="button" class="lablink-button lablink-close" onclick={on_close.reform(|_| ())}>
                        { labels.close.clone() }</button>
                }
            </div>
        </div>
    }
}
