//! Asks for a new folder's name, checked as the server will check it before it is sent.
//! (Enter in the field confirms: `ConfirmDialog` handles it.)

use lablink_protocol::path::check_name;
use yew::prelude::*;

use crate::labels::Labels;

#[derive(Properties, PartialEq)]
pub struct NewFolderDialogProps {
    pub open: bool,
    pub labels: Labels,
    pub on_create: Callback<String>,
    pub on_cancel: Callback<()>,
}

#[function_component(NewFolderDialog)]
pub fn new_folder_dialog(props: &NewFolderDialogProps) -> Html {
    let name = use_state(String::new);
    let problem = use_state(|| None::<String>);
    {
        let (name, problem) = (name.clone(), problem.clone());
        use_effect_with(props.open, move |_| {
            name.set(String::new());
            problem.set(None);
        });
    }
    let oninput = {
        let (name, problem) = (name.clone(), problem.clone());
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            name.set(input.value());
            problem.set(None);
        })
    };
    let on_confirm = {
        let (name, problem, on_create) = (name.clone(), problem.clone(), props.on_create.clone());
        Callback::from(move |()| {
            let trimmed = name.trim().to_owned();
            match check_name(&trimmed) {
                Ok(()) => on_create.emit(trimmed),
                Err(e) => problem.set(Some(e.to_string())),
            }
        })
    };
    let labels = &props.labels;
    html! {
        <lablink_ui::ConfirmDialog
            open={props.open}
            title={labels.new_folder.clone()}
            confirm_label={labels.create.clone()}
            cancel_label={labels.cancel.clone()}
            on_confirm={on_confirm}
            on_cancel={props.on_cancel.clone()}
        >
            <label class="lablink-field">
                <span>{ labels.new_folder_name.clone() }</span>
                <input type="text" class="lablink-input" value={(*name).clone()} {oninput}
                    aria-invalid={problem.is_some().to_string()} />
            </label>
            if let Some(problem) = &*problem {
                <p class="lablink-field-error" role="alert">{ problem.clone() }</p>
            }
        </lablink_ui::ConfirmDialog>
    }
}
