//! The three states of anything fetched: loading, failed (with a retry), or ready.

use yew::prelude::*;

/// Texts of [`LoadState`], English by default; hosts pass their own translations.
#[derive(Clone, PartialEq)]
pub struct LoadLabels {
    pub loading: AttrValue,
    pub retry: AttrValue,
    pub error_title: AttrValue,
}

impl Default for LoadLabels {
    fn default() -> Self {
        Self {
            loading: AttrValue::Static("Loading…"),
            retry: AttrValue::Static("Try again"),
            error_title: AttrValue::Static("Something went wrong"),
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct LoadStateProps {
    pub loading: bool,
    /// A message the user can act on; when set it is shown instead of the children, even
    /// while a retry is loading, so that the message does not flicker away.
    pub error: Option<AttrValue>,
    pub on_retry: Callback<()>,
    #[prop_or_default]
    pub labels: LoadLabels,
    #[prop_or_default]
    pub children: Html,
}

#[function_component(LoadState)]
pub fn load_state(props: &LoadStateProps) -> Html {
    if let Some(message) = &props.error {
        let on_retry = props.on_retry.clone();
        let onclick = Callback::from(move |_: MouseEvent| on_retry.emit(()));
        return html! {
            <div class="lablink-error" role="alert">
                <p class="lablink-error-title">{ props.labels.error_title.clone() }</p>
                <p class="lablink-error-message">{ message.clone() }</p>
                <button type="button" class="lablink-retry" {onclick} disabled={props.loading}>
                    { props.labels.retry.clone() }
                </button>
            </div>
        };
    }
    if props.loading {
        return html! {
            <div class="lablink-loading" role="status">
                <span class="lablink-spinner" aria-hidden="true"></span>
                <span>{ props.labels.loading.clone() }</span>
            </div>
        };
    }
    props.children.clone()
}
