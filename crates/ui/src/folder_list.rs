//! The list of one folder: a filter field above a virtualised, keyboard-driven listbox.
//!
//! Only the rows in view (plus a few) exist in the DOM, placed absolutely inside a spacer as
//! tall as the whole list, so a folder of 10,000 entries costs as much to draw as one of 20.

use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};

use lablink_protocol::files::{Entry, EntryKind};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement};
use yew::prelude::*;

use crate::filter::{lowered_names, matching_indices};
use crate::format::{display_name, format_time, human_size};
use crate::keys::{KeyAction, Modifiers, key_action};
use crate::window::{Move, OVERSCAN, move_cursor, reveal, rows_per_page, visible_range};

/// Texts of the folder list, English by default; hosts pass their own translations.
#[derive(Clone, PartialEq)]
pub struct ListLabels {
    /// Accessible name of the listbox.
    pub list: AttrValue,
    /// Placeholder (and accessible name) of the filter field.
    pub filter: AttrValue,
    /// Shown when the folder has no entries.
    pub empty: AttrValue,
    /// Shown when the filter matches nothing.
    pub no_match: AttrValue,
    /// Spoken before a folder's name.
    pub folder: AttrValue,
    /// Spoken before a file's name.
    pub file: AttrValue,
    /// Spoken before a symbolic link's name.
    pub link: AttrValue,
    /// Shown while the first entries of a folder are on their way.
    pub loading: AttrValue,
}

impl Default for ListLabels {
    fn default() -> Self {
        Self {
            list: AttrValue::Static("Folder contents"),
            filter: AttrValue::Static("Filter by name"),
            empty: AttrValue::Static("This folder is empty."),
            no_match: AttrValue::Static("No names match the filter."),
            folder: AttrValue::Static("Folder"),
            file: AttrValue::Static("File"),
            link: AttrValue::Static("Link"),
            loading: AttrValue::Static("Loading…"),
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct FolderListProps {
    /// The folder's entries in display order; may grow while shown as more pages arrive.
    pub entries: Rc<Vec<Entry>>,
    /// Identifies the folder shown; a new value resets the filter, the cursor and the scroll.
    pub path_key: AttrValue,
    /// Enter or double-click on a folder.
    pub on_open: Callback<Entry>,
    /// Backspace with an empty filter: go to the parent folder.
    pub on_up: Callback<()>,
    /// The highlighted entry changed (`None` when nothing matches).
    pub on_cursor: Callback<Option<Entry>>,
    /// Height of one row, px.
    #[prop_or(32)]
    pub row_height: u32,
    /// Height of the scrolling viewport, px.
    #[prop_or(320)]
    pub height: u32,
    #[prop_or_default]
    pub labels: ListLabels,
    /// Files are shown but greyed out, as when choosing a destination folder.
    #[prop_or_default]
    pub dim_files: bool,
    /// The folder's entries are still on their way. The list stays mounted meanwhile, so
    /// keyboard focus survives opening a folder.
    #[prop_or_default]
    pub loading: bool,
}

/// Distinguishes the element ids of several lists on one page.
static NEXT_INSTANCE: AtomicU32 = AtomicU32::new(0);

/// What the user has done to the list of one folder.
#[derive(Clone, Debug, PartialEq)]
struct ListState {
    /// The `path_key` this state belongs to; state of another folder is discarded.
    key: AttrValue,
    filter: String,
    /// Position of the highlighted row among the filtered rows.
    cursor: usize,
    /// Last known scroll position of the listbox, px.
    scroll_top: f64,
}

impl ListState {
    fn fresh(key: AttrValue) -> Self {
        Self { key, filter: String::new(), cursor: 0, scroll_top: 0.0 }
    }
}

enum ListAction {
    SetFilter(String),
    Push(char),
    Pop,
    SetCursor(usize),
    Move { step: Move, len: usize, page: usize },
    Scrolled(f64),
}

impl Reducible for ListState {
    /// Each action carries the `path_key` it was made for, so that the first action after
    /// navigating starts from a clean state even before the reset effect has run.
    type Action = (AttrValue, ListAction);

    fn reduce(self: Rc<Self>, (key, action): Self::Action) -> Rc<Self> {
        let mut next = if self.key == key { (*self).clone() } else { ListState::fresh(key.clone()) };
        match action {
            ListAction::SetFilter(filter) => {
                if filter != next.filter {
                    next.filter = filter;
                    next.cursor = 0;
                }
            }
            ListAction::Push(c) => {
                next.filter.push(c);
                next.cursor = 0;
            }
            ListAction::Pop => {
                next.filter.pop();
                next.cursor = 0;
            }
            ListAction::SetCursor(cursor) => next.cursor = cursor,
            ListAction::Move { step, len, page } => {
                next.cursor = move_cursor(next.cursor, len, step, page);
            }
            ListAction::Scrolled(top) => next.scroll_top = top,
        }
        // Returning the same Rc skips a render, which matters for scroll events.
        if self.key == key && next == *self { self } else { Rc::new(next) }
    }
}

/// Minutes east of UTC at the given time, so that dates show in the user's local time.
fn local_offset_minutes(unix_secs: i64) -> i32 {
    #[cfg(target_arch = "wasm32")]
    {
        let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix_secs as f64 * 1000.0));
        let offset = date.get_timezone_offset();
        if offset.is_finite() { -(offset as i32) } else { 0 }
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = unix_secs;
        0
    }
}

fn kind_class(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::Folder => "lablink-row-folder",
        EntryKind::File => "lablink-row-file",
        EntryKind::Symlink => "lablink-row-link",
        EntryKind::Other => "lablink-row-other",
    }
}

fn focus(node: &NodeRef) {
    if let Some(el) = node.cast::<HtmlElement>() {
        let _ = el.focus();
    }
}

#[function_component(FolderList)]
pub fn folder_list(props: &FolderListProps) -> Html {
    let instance = use_memo((), |_| NEXT_INSTANCE.fetch_add(1, Ordering::Relaxed));
    let state = use_reducer(|| ListState::fresh(props.path_key.clone()));
    let list_ref = use_node_ref();

    // State left over from the previous folder is never shown, not even for one render.
    let fresh;
    let st: &ListState = if state.key == props.path_key {
        &state
    } else {
        fresh = ListState::fresh(props.path_key.clone());
        &fresh
    };

    // Lower-casing happens once per listing, matching once per listing and filter text.
    let lowered =
        use_memo(props.entries.clone(), |entries| lowered_names(entries.iter().map(|e| e.name.as_str())));
    let matches =
        use_memo((lowered, st.filter.clone()), |(lowered, filter)| matching_indices(lowered, filter));
    let len = matches.len();
    let cursor = (len > 0).then(|| st.cursor.min(len - 1));
    let current: Option<Entry> = cursor.map(|c| props.entries[matches[c]].clone());
    let row_height = props.row_height.max(1);
    let page = rows_per_page(props.height, row_height);
    let row_id = |index: usize| format!("lablink-list{}-row{}", *instance, index);

    // A new folder starts at the top.
    {
        let list_ref = list_ref.clone();
        let dispatcher = state.dispatcher();
        use_effect_with(props.path_key.clone(), move |key| {
            if let Some(list) = list_ref.cast::<Element>() {
                list.set_scroll_top(0);
            }
            dispatcher.dispatch((key.clone(), ListAction::Scrolled(0.0)));
        });
    }

    // Keep the highlighted row in view whenever it moves.
    {
        let list_ref = list_ref.clone();
        let dispatcher = state.dispatcher();
        let height = props.height;
        use_effect_with((props.path_key.clone(), cursor, st.filter.clone()), move |(key, cursor, _)| {
            let (Some(list), Some(cursor)) = (list_ref.cast::<Element>(), *cursor) else {
                return;
            };
            let top = f64::from(list.scroll_top());
            // The inner height, without borders, is what must show the whole row.
            let viewport = u32::try_from(list.client_height()).ok().filter(|&h| h > 0);
            if let Some(target) = reveal(top, viewport.unwrap_or(height), row_height, cursor) {
                list.set_scroll_top(target as i32);
                // Draw the rows for the new position now rather than after the
                // (asynchronous) scroll event.
                dispatcher.dispatch((key.clone(), ListAction::Scrolled(target)));
            }
        });
    }

    {
        let on_cursor = props.on_cursor.clone();
        use_effect_with((props.path_key.clone(), current.clone()), move |(_, current)| {
            on_cursor.emit(current.clone());
        });
    }

    let dispatch = {
        let dispatcher = state.dispatcher();
        let key = props.path_key.clone();
        move |action: ListAction| dispatcher.dispatch((key.clone(), action))
    };

    let open_current = {
        let on_open = props.on_open.clone();
        let current = current.clone();
        move || {
            if let Some(entry) = current.as_ref().filter(|e| e.kind == EntryKind::Folder) {
                on_open.emit(entry.clone());
            }
        }
    };

    let onscroll = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: Event| {
            if let Some(list) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) {
                dispatch(ListAction::Scrolled(f64::from(list.scroll_top())));
            }
        })
    };

    let list_keydown = {
        let dispatch = dispatch.clone();
        let open_current = open_current.clone();
        let on_up = props.on_up.clone();
        let filter_empty = st.filter.is_empty();
        Callback::from(move |e: KeyboardEvent| {
            let modifiers = Modifiers { ctrl: e.ctrl_key(), alt: e.alt_key(), meta: e.meta_key() };
            let Some(action) = key_action(&e.key(), modifiers, filter_empty) else {
                return;
            };
            e.prevent_default();
            match action {
                KeyAction::Move(step) => dispatch(ListAction::Move { step, len, page }),
                KeyAction::Open => open_current(),
                KeyAction::Back if filter_empty => on_up.emit(()),
                KeyAction::Back => dispatch(ListAction::Pop),
                KeyAction::ClearFilter => dispatch(ListAction::SetFilter(String::new())),
                KeyAction::Type(c) => dispatch(ListAction::Push(c)),
            }
        })
    };

    let filter_input = {
        let dispatch = dispatch.clone();
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e.target().and_then(|t| t.dyn_into::<HtmlInputElement>().ok()) {
                dispatch(ListAction::SetFilter(input.value()));
            }
        })
    };

    let filter_keydown = {
        let dispatch = dispatch.clone();
        let list_ref = list_ref.clone();
        let filter_empty = st.filter.is_empty();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "ArrowDown" | "Down" => {
                e.prevent_default();
                focus(&list_ref);
            }
            "Enter" => {
                e.prevent_default();
                open_current();
            }
            // With an empty filter Escape is left to an enclosing dialog.
            "Escape" | "Esc" if !filter_empty => {
                e.prevent_default();
                dispatch(ListAction::SetFilter(String::new()));
            }
            _ => {}
        })
    };

    // The rows in view, plus the cursor row wherever it is, so that aria-activedescendant
    // always names an element that exists.
    let range = visible_range(st.scroll_top, props.height, row_height, len, OVERSCAN);
    let extra = cursor.filter(|c| !range.contains(c));
    let rows = range.chain(extra).map(|pos| {
        let index = matches[pos];
        let entry = &props.entries[index];
        let selected = cursor == Some(pos);
        let dim = props.dim_files && entry.kind == EntryKind::File;
        let kind_label = match entry.kind {
            EntryKind::Folder => Some(props.labels.folder.clone()),
            EntryKind::File => Some(props.labels.file.clone()),
            EntryKind::Symlink => Some(props.labels.link.clone()),
            EntryKind::Other => None,
        };
        let name = AttrValue::from(display_name(&entry.name).into_owned());
        let size = (entry.kind == EntryKind::File).then(|| human_size(entry.size));
        let date = format_time(entry.modified, local_offset_minutes(entry.modified));
        let style = format!(
            "top: {}px; height: {row_height}px; line-height: {row_height}px",
            pos as u64 * u64::from(row_height)
        );
        let onclick = {
            let dispatch = dispatch.clone();
            let list_ref = list_ref.clone();
            Callback::from(move |_: MouseEvent| {
                dispatch(ListAction::SetCursor(pos));
                focus(&list_ref);
            })
        };
        let ondblclick = (entry.kind == EntryKind::Folder).then(|| {
            let on_open = props.on_open.clone();
            let entry = entry.clone();
            Callback::from(move |_: MouseEvent| on_open.emit(entry.clone()))
        });
        html! {
            <div
                key={index}
                id={row_id(index)}
                class={classes!("lablink-row", kind_class(entry.kind), dim.then_some("lablink-dim"))}
                role="option"
                aria-selected={if selected { "true" } else { "false" }}
                aria-disabled={dim.then_some("true")}
                aria-setsize={len.to_string()}
                aria-posinset={(pos + 1).to_string()}
                {style}
                {onclick}
                {ondblclick}
            >
                <span class="lablink-icon" aria-hidden="true"></span>
                if let Some(kind_label) = kind_label {
                    <span class="lablink-visually-hidden">{ kind_label }{ " " }</span>
                }
                <span class="lablink-name" title={name.clone()}>{ name }</span>
                <span class="lablink-size">{ size.unwrap_or_default() }</span>
                <span class="lablink-date">{ date }</span>
            </div>
        }
    });

    let message = if props.entries.is_empty() && props.loading {
        Some(props.labels.loading.clone())
    } else if props.entries.is_empty() {
        Some(props.labels.empty.clone())
    } else if len == 0 {
        Some(props.labels.no_match.clone())
    } else {
        None
    };
    let message_id = format!("lablink-list{}-message", *instance);
    let total_height = len as u64 * u64::from(row_height);

    html! {
        <div class="lablink-folder-list">
            <input
                type="search"
                class="lablink-filter"
                placeholder={props.labels.filter.clone()}
                aria-label={props.labels.filter.clone()}
                autocomplete="off"
                spellcheck="false"
                value={st.filter.clone()}
                oninput={filter_input}
                onkeydown={filter_keydown}
            />
            <div class="lablink-viewport">
                <div
                    ref={list_ref.clone()}
                    class="lablink-list"
                    role="listbox"
                    tabindex="0"
                    aria-label={props.labels.list.clone()}
                    aria-activedescendant={cursor.map(|c| row_id(matches[c]))}
                    aria-describedby={message.as_ref().map(|_| message_id.clone())}
                    style={format!("height: {}px; --lablink-row-height: {row_height}px", props.height)}
                    {onscroll}
                    onkeydown={list_keydown}
                >
                    <div class="lablink-spacer" style={format!("height: {total_height}px")}>
                        { for rows }
                    </div>
                </div>
                if let Some(message) = message {
                    <div id={message_id} class="lablink-list-message" role={props.loading.then_some("status")}>
                        { message }
                    </div>
                }
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &'static str) -> AttrValue {
        AttrValue::Static(k)
    }

    fn reduce(state: &Rc<ListState>, k: &'static str, action: ListAction) -> Rc<ListState> {
        state.clone().reduce((key(k), action))
    }

    #[test]
    fn filter_edits_put_the_cursor_on_the_first_match() {
        let s = Rc::new(ListState::fresh(key("a")));
        let s = reduce(&s, "a", ListAction::Move { step: Move::Last, len: 10, page: 5 });
        assert_eq!(s.cursor, 9);
        let s = reduce(&s, "a", ListAction::Push('x'));
        assert_eq!((s.filter.as_str(), s.cursor), ("x", 0));
        let s = reduce(&s, "a", ListAction::SetCursor(3));
        let s = reduce(&s, "a", ListAction::Pop);
        assert_eq!((s.filter.as_str(), s.cursor), ("", 0));
        let s = reduce(&s, "a", ListAction::SetFilter("ab".into()));
        assert_eq!(s.filter, "ab");
        let s = reduce(&s, "a", ListAction::SetCursor(2));
        // Setting the same text again (an `input` event without a change) keeps the cursor.
        let s = reduce(&s, "a", ListAction::SetFilter("ab".into()));
        assert_eq!(s.cursor, 2);
    }

    #[test]
    fn an_action_for_another_folder_starts_fresh() {
        let s = Rc::new(ListState::fresh(key("a")));
        let s = reduce(&s, "a", ListAction::Push('q'));
        let s = reduce(&s, "a", ListAction::Scrolled(640.0));
        let s = reduce(&s, "b", ListAction::Move { step: Move::Down, len: 5, page: 5 });
        assert_eq!(*s, ListState { key: key("b"), filter: String::new(), cursor: 1, scroll_top: 0.0 });
    }

    #[test]
    fn no_change_keeps_the_same_state_so_nothing_rerenders() {
        let s = Rc::new(ListState::fresh(key("a")));
        let same = reduce(&s, "a", ListAction::Scrolled(0.0));
        assert!(Rc::ptr_eq(&s, &same));
        let moved = reduce(&s, "a", ListAction::Scrolled(32.0));
        assert!(!Rc::ptr_eq(&s, &moved));
        // The same values under a new folder key are a change.
        let other = reduce(&s, "b", ListAction::Scrolled(0.0));
        assert_eq!(other.key, key("b"));
    }
}
