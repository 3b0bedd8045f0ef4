//! Breadcrumbs: the home and each folder above the current one, as buttons.

use lablink_protocol::WorkspacePath;
use yew::prelude::*;

use crate::format::display_name;
use crate::trail::trail;

#[derive(Properties, PartialEq)]
pub struct BreadcrumbsProps {
    /// The folder being shown; it is the last crumb, as plain text.
    pub path: WorkspacePath,
    /// What the home folder is called (e.g. "My workspace").
    pub root_label: AttrValue,
    /// Called with the folder of the crumb the user chose.
    pub on_navigate: Callback<WorkspacePath>,
    /// Accessible name of the navigation landmark.
    #[prop_or(AttrValue::Static("Breadcrumbs"))]
    pub label: AttrValue,
}

#[function_component(Breadcrumbs)]
pub fn breadcrumbs(props: &BreadcrumbsProps) -> Html {
    let crumbs = trail(&props.path);
    let last = crumbs.len() - 1;
    let items = crumbs.into_iter().enumerate().map(|(i, crumb)| {
        let text: AttrValue = match &crumb.name {
            Some(name) => AttrValue::from(display_name(name).into_owned()),
            None => props.root_label.clone(),
        };
        let key = crumb.path.to_string();
        if i == last {
            html! { <li key={key}><span aria-current="page">{ text }</span></li> }
        } else {
            let on_navigate = props.on_navigate.clone();
            let onclick = Callback::from(move |_: MouseEvent| on_navigate.emit(crumb.path.clone()));
            html! { <li key={key}><button type="button" {onclick}>{ text }</button></li> }
        }
    });
    html! {
        <nav class="lablink-crumbs" aria-label={props.label.clone()}>
            <ol>{ for items }</ol>
        </nav>
    }
}
