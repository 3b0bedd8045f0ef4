//! The folder picker: breadcrumbs, the folder's entries, and a button that chooses. Composes
//! `lablink-ui` pieces; talks to whichever `FolderSource` the host configured.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::Function;
use lablink_client::{ClientError, ErrorKind, ListRequest, SharedSource};
use lablink_protocol::WorkspacePath;
use lablink_protocol::files::{Entry, EntryKind};
use lablink_ui::{
    Breadcrumbs, FolderList, ListLabels, LoadLabels, LoadState, NoticeArea, NoticeKind, ProgressBar,
};
use wasm_bindgen_futures::spawn_local;
use web_sys::Element;
use yew::prelude::*;

use crate::host;
use crate::labels::{Labels, fill};
use crate::navigator::{FIRST_PAGE, NEXT_PAGE, NavAction, Navigator, Phase};
use crate::new_folder_dialog::NewFolderDialog;
use crate::notices::{NoticeAction, use_notices};
use crate::options::Mode;

/// Everything `mount` worked out from the host's options.
pub struct PickerConfig {
    pub mode: Mode,
    pub initial_path: WorkspacePath,
    pub field: Option<String>,
    pub labels: Labels,
    pub height: u32,
    pub source: SharedSource,
    pub on_pick: Option<Function>,
    pub host: Element,
}

#[derive(Properties, Clone)]
pub struct PickerProps {
    pub config: Rc<PickerConfig>,
}

impl PartialEq for PickerProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.config, &other.config)
    }
}

/// How a path is shown and written to the form: home-relative with a leading slash, so the
/// home itself is `/` and never an empty (unset-looking) field.
pub fn display_path(path: &WorkspacePath) -> String {
    format!("/{path}")
}

/// What the choose button would pick now.
fn target(mode: Mode, current: &WorkspacePath, cursor: Option<&Entry>) -> WorkspacePath {
    match (mode, cursor) {
        (Mode::Folder, Some(entry)) if entry.kind == EntryKind::Folder => {
            current.join(&entry.name).unwrap_or_else(|_| current.clone())
        }
        _ => current.clone(),
    }
}

fn error_text(labels: &Labels, error: &ClientError) -> String {
    format!("{} ({})", labels.for_error(error.kind), error.message)
}

#[function_component(Picker)]
pub fn picker(props: &PickerProps) -> Html {
    let config = props.config.clone();
    let labels = &config.labels;
    let nav = use_reducer({
        let path = config.initial_path.clone();
        move || Navigator::new(path)
    });
    let cursor = use_state(|| None::<Entry>);
    let chosen = use_state(|| None::<WorkspacePath>);
    let creating = use_state(|| false);
    let notices = use_notices();

    // Load the folder page by page; a newer navigation cancels the rest.
    {
        let (source, dispatcher) = (config.source.clone(), nav.dispatcher());
        use_effect_with((nav.path.clone(), nav.generation), move |(path, generation)| {
            let cancelled = Rc::new(Cell::new(false));
            let (path, generation, stop) = (path.clone(), *generation, cancelled.clone());
            spawn_local(async move {
                let (mut cursor, mut limit) = (None, FIRST_PAGE);
                loop {
                    let request =
                        ListRequest { path: path.clone(), cursor: cursor.take(), limit: Some(limit) };
                    let result = source.list(request).await;
                    if stop.get() {
                        return;
                    }
                    match result {
                        Ok(page) => {
                            lablink_ui::mark("lablink:data");
                            let next = page.next_cursor.clone();
                            dispatcher.dispatch(NavAction::Page { generation, page });
                            match next {
                                Some(next) => (cursor, limit) = (Some(next), NEXT_PAGE),
                                None => return,
                            }
                        }
                        Err(error) => return dispatcher.dispatch(NavAction::Failed { generation, error }),
                    }
                }
            });
            move || cancelled.set(true)
        });
    }

    // A start folder that is gone (renamed since the form was saved) falls back to the home.
    {
        let (dispatcher, notices, labels) = (nav.dispatcher(), notices.dispatcher(), labels.clone());
        let gone = matches!(&nav.phase, Phase::Failed(e) if e.kind == ErrorKind::NotFound)
            && nav.generation == 0
            && !nav.path.is_root();
        let path = nav.path.clone();
        use_effect_with(gone, move |gone| {
            if *gone {
                let text = fill(&labels.not_found_fallback, &[("path", &display_path(&path))]);
                notices.dispatch(NoticeAction::Push(NoticeKind::Info, text));
                dispatcher.dispatch(NavAction::Open(WorkspacePath::root()));
            }
        });
    }

    // Tell benches and tests when a listing reached the DOM (effects run after it did).
    use_effect_with((nav.generation, nav.entries.len(), nav.phase == Phase::Done), |(_, len, done)| {
        if *len > 0 || *done {
            lablink_ui::mark("lablink:listed");
        }
    });

    let open_path = {
        let dispatcher = nav.dispatcher();
        Callback::from(move |path: WorkspacePath| dispatcher.dispatch(NavAction::Open(path)))
    };
    let on_open = {
        let (open_path, current) = (open_path.clone(), nav.path.clone());
        Callback::from(move |entry: Entry| {
            if entry.kind == EntryKind::Folder
                && let Ok(path) = current.join(&entry.name)
            {
                open_path.emit(path);
            }
        })
    };
    let on_up = {
        let (open_path, parent) = (open_path.clone(), nav.path.parent());
        Callback::from(move |()| {
            if let Some(parent) = parent.clone() {
                open_path.emit(parent);
            }
        })
    };
    let on_retry = {
        let dispatcher = nav.dispatcher();
        Callback::from(move |()| dispatcher.dispatch(NavAction::Retry))
    };
    let on_cursor = {
        let cursor = cursor.clone();
        Callback::from(move |entry: Option<Entry>| cursor.set(entry))
    };
    let pick = target(config.mode, &nav.path, cursor.as_ref());
    let on_choose = {
        let (config, chosen, notices, pick) =
            (config.clone(), chosen.clone(), notices.dispatcher(), pick.clone());
        Callback::from(move |_: MouseEvent| {
            let text = display_path(&pick);
            if let Some(field) = &config.field
                && let Err(e) = host::write_field(&config.host, field, &text)
            {
                web_sys::console::error_2(&"lablink picker: could not write the form field".into(), &e);
            }
            host::notify(config.on_pick.as_ref(), &text);
            chosen.set(Some(pick.clone()));
            let message = fill(&config.labels.chosen, &[("path", &text)]);
            notices.dispatch(NoticeAction::Push(NoticeKind::Success, message));
        })
    };
    let on_create = {
        let (config, creating, notices) = (config.clone(), creating.clone(), notices.dispatcher());
        let (open_path, current) = (open_path.clone(), nav.path.clone());
        Callback::from(move |name: String| {
            let Ok(path) = current.join(&name) else { return };
            let (config, creating, notices, open_path) =
                (config.clone(), creating.clone(), notices.clone(), open_path.clone());
            spawn_local(async move {
                match config.source.create_folder(path).await {
                    Ok(created) => {
                        creating.set(false);
                        let text =
                            fill(&config.labels.folder_created, &[("path", &display_path(&created.path))]);
                        notices.dispatch(NoticeAction::Push(NoticeKind::Success, text));
                        open_path.emit(created.path);
                    }
                    Err(error) => {
                        let text = error_text(&config.labels, &error);
                        notices.dispatch(NoticeAction::Push(NoticeKind::Error, text));
                    }
                }
            });
        })
    };
    let on_dismiss = {
        let notices = notices.dispatcher();
        Callback::from(move |id: u32| notices.dispatch(NoticeAction::Dismiss(id)))
    };

    let error = match &nav.phase {
        Phase::Failed(error) => Some(AttrValue::from(error_text(labels, error))),
        _ => None,
    };
    let list_labels = ListLabels {
        list: labels.list.clone().into(),
        filter: labels.filter.clone().into(),
        empty: labels.empty.clone().into(),
        no_match: labels.no_match.clone().into(),
        folder: labels.folder.clone().into(),
        file: labels.file.clone().into(),
        link: labels.link.clone().into(),
        loading: labels.loading.clone().into(),
    };
    let load_labels = LoadLabels {
        loading: labels.loading.clone().into(),
        retry: labels.retry.clone().into(),
        error_title: labels.error_title.clone().into(),
    };
    let choose_label = match (config.mode, pick != nav.path) {
        (Mode::Folder, true) => fill(&labels.choose, &[("path", pick.file_name().unwrap_or_default())]),
        _ => labels.choose_here.clone(),
    };
    let loaded = nav.entries.len().to_string();
    // Always one child, empty when done: Yew pairs unkeyed children from the end, so a bar that
    // came and went would stand in the list's place, re-create it and drop the keyboard focus.
    let progress = if nav.phase == Phase::Partial {
        let value = nav.entries.len() as f64 / nav.total.max(1) as f64;
        let label = fill(&labels.loading_more, &[("loaded", &loaded), ("total", &nav.total.to_string())]);
        html! { <ProgressBar value={Some(value)} label={label} /> }
    } else {
        Html::default()
    };
    let busy = matches!(nav.phase, Phase::Loading | Phase::Failed(_));

    html! {
        <div class="lablink-root lablink-picker">
            <div class="lablink-toolbar">
                <Breadcrumbs path={nav.path.clone()} root_label={labels.root.clone()} on_navigate={open_path.clone()} />
                <div class="lablink-actions">
                    <button type="button" class="lablink-button" disabled={nav.path.is_root()}
                        onclick={on_up.reform(|_| ())}>{ labels.up.clone() }</button>
                    <button type="button" class="lablink-button" onclick={on_retry.reform(|_| ())}>
                        { labels.refresh.clone() }</button>
                    if config.mode == Mode::Destination {
                        <button type="button" class="lablink-button" disabled={busy}
                            onclick={{ let creating = creating.clone(); move |_| creating.set(true) }}>
                            { labels.new_folder.clone() }</button>
                    }
                </div>
            </div>
            <LoadState loading={false} error={error} on_retry={on_retry.clone()} labels={load_labels}>
                <FolderList
                    entries={nav.entries.clone()}
                    path_key={AttrValue::from(format!("{}#{}", nav.generation, nav.path))}
                    on_open={on_open}
                    on_up={on_up}
                    on_cursor={on_cursor}
                    height={config.height}
                    labels={list_labels}
                    dim_files={config.mode == Mode::Destination}
                    loading={nav.phase == Phase::Loading}
                />
                { progress }
            </LoadState>
            <div class="lablink-footer">
                <span class="lablink-chosen">
                    if let Some(chosen) = &*chosen {
                        { fill(&labels.chosen, &[("path", &display_path(chosen))]) }
                    }
                </span>
                <button type="button" class="lablink-button lablink-button-primary lablink-choose" disabled={busy}
                    onclick={on_choose}>{ choose_label }</button>
            </div>
            <NoticeArea notices={notices.list.clone()} on_dismiss={on_dismiss} />
            <NewFolderDialog open={*creating} labels={labels.clone()} on_create={on_create}
                on_cancel={{ let creating = creating.clone(); Callback::from(move |()| creating.set(false)) }} />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, kind: EntryKind) -> Entry {
        Entry { name: name.into(), kind, size: 0, modified: 0 }
    }

    #[test]
    fn folder_mode_picks_the_highlighted_folder_else_the_current_one() {
        let here = WorkspacePath::parse("course").unwrap();
        let week = entry("week1", EntryKind::Folder);
        assert_eq!(target(Mode::Folder, &here, Some(&week)).as_str(), "course/week1");
        assert_eq!(target(Mode::Folder, &here, Some(&entry("a.ipynb", EntryKind::File))), here);
        assert_eq!(target(Mode::Folder, &here, Some(&entry("l", EntryKind::Symlink))), here);
        assert_eq!(target(Mode::Destination, &here, Some(&week)), here);
        assert_eq!(target(Mode::Folder, &here, None), here);
    }

    #[test]
    fn paths_show_with_a_leading_slash() {
        assert_eq!(display_path(&WorkspacePath::root()), "/");
        assert_eq!(display_path(&WorkspacePath::parse("a/b").unwrap()), "/a/b");
    }
}
