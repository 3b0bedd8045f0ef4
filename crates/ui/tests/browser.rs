//! The components mounted in a real browser, driven by dispatched DOM events.
//!
//! Run with `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown -p
//! lablink-ui` (see the workspace's `.cargo/config.toml` for the runner).

#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::future::TimeoutFuture;
use lablink_protocol::WorkspacePath;
use lablink_protocol::files::{Entry, EntryKind};
use lablink_ui::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{
    Document, Element, Event, EventInit, HtmlElement, HtmlInputElement, KeyboardEvent, KeyboardEventInit,
    MouseEvent, MouseEventInit,
};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

// ---- helpers ----

fn document() -> Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A fresh element in the page to mount into, wrapped in `.lablink-root` as hosts do.
fn mount_point() -> Element {
    install_style();
    let root = document().create_element("div").unwrap();
    root.set_class_name("lablink-root");
    document().body().unwrap().append_child(&root).unwrap();
    root
}

/// Lets Yew render, run effects and render what the effects changed.
async fn settle() {
    for _ in 0..4 {
        TimeoutFuture::new(0).await;
    }
}

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector).unwrap().unwrap_or_else(|| panic!("no element matches {selector}"))
}

fn find_all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length()).map(|i| list.item(i).unwrap().dyn_into::<Element>().unwrap()).collect()
}

fn text(el: &Element) -> String {
    el.text_content().unwrap_or_default()
}

fn key(target: &Element, key: &str) {
    key_with(target, key, false);
}

fn key_with(target: &Element, key: &str, shift: bool) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_shift_key(shift);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

fn mouse(target: &Element, kind: &str) {
    let init = MouseEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = MouseEvent::new_with_mouse_event_init_dict(kind, &init).unwrap();
    target.dispatch_event(&event).unwrap();
}

fn click(target: &Element) {
    mouse(target, "click");
}

/// Sets the field's text as a user typing would, firing `input`.
fn type_into(input: &HtmlInputElement, value: &str) {
    input.set_value(value);
    let init = EventInit::new();
    init.set_bubbles(true);
    input.dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap()).unwrap();
}

fn scroll_to(list: &Element, top: i32) {
    list.set_scroll_top(top);
    let init = EventInit::new();
    init.set_bubbles(false);
    list.dispatch_event(&Event::new_with_event_init_dict("scroll", &init).unwrap()).unwrap();
}

/// Values a callback was called with, in order.
#[derive(Clone)]
struct Calls<T>(Rc<RefCell<Vec<T>>>);

impl<T> Default for Calls<T> {
    fn default() -> Self {
        Self(Rc::default())
    }
}

impl<T: Clone + 'static> Calls<T> {
    fn callback(&self) -> Callback<T> {
        let calls = self.0.clone();
        Callback::from(move |value| calls.borrow_mut().push(value))
    }
    fn all(&self) -> Vec<T> {
        self.0.borrow().clone()
    }
    fn count(&self) -> usize {
        self.0.borrow().len()
    }
    fn last(&self) -> Option<T> {
        self.0.borrow().last().cloned()
    }
}

fn entry(name: &str, kind: EntryKind) -> Entry {
    Entry { name: name.to_owned(), kind, size: 1234, modified: 1_700_000_000 }
}

fn file(name: &str) -> Entry {
    entry(name, EntryKind::File)
}

fn folder(name: &str) -> Entry {
    entry(name, EntryKind::Folder)
}

struct ListProbe {
    opened: Calls<Entry>,
    ups: Calls<()>,
    cursors: Calls<Option<Entry>>,
}

impl ListProbe {
    fn new() -> Self {
        Self { opened: Calls::default(), ups: Calls::default(), cursors: Calls::default() }
    }

    fn props(&self, entries: Vec<Entry>, path_key: &'static str) -> FolderListProps {
        yew::props!(FolderListProps {
            entries: Rc::new(entries),
            path_key: AttrValue::Static(path_key),
            on_open: self.opened.callback(),
            on_up: self.ups.callback(),
            on_cursor: self.cursors.callback(),
        })
    }

    fn last_cursor_name(&self) -> Option<String> {
        self.cursors.last().flatten().map(|e| e.name)
    }
}

fn row_names(root: &Element) -> Vec<String> {
    find_all(root, ".lablink-row .lablink-name").iter().map(text).collect()
}

fn selected_name(root: &Element) -> String {
    let selected = find_all(root, ".lablink-row[aria-selected=\"true\"]");
    assert_eq!(selected.len(), 1, "exactly one row is selected");
    text(&find(&selected[0], ".lablink-name"))
}

/// The cursor row's id is what the listbox points at.
fn assert_active_descendant(root: &Element) {
    let list = find(root, ".lablink-list");
    let selected = find(root, ".lablink-row[aria-selected=\"true\"]");
    assert_eq!(list.get_attribute("aria-activedescendant"), Some(selected.id()));
}

// ---- FolderList ----

#[wasm_bindgen_test]
async fn ten_thousand_entries_render_a_window_of_rows() {
    let root = mount_point();
    let probe = ListProbe::new();
    let entries: Vec<Entry> = (0..10_000).map(|i| file(&format!("file-{i:05}.txt"))).collect();
    let _app =
        yew::Renderer::<FolderList>::with_root_and_props(root.clone(), probe.props(entries, "big")).render();
    settle().await;

    let rows = find_all(&root, ".lablink-row");
    assert!(!rows.is_empty() && rows.len() < 60, "{} rows drawn", rows.len());
    let names = row_names(&root);
    assert!(names.contains(&"file-00000.txt".to_owned()));
    assert!(!names.contains(&"file-00100.txt".to_owned()));
    let spacer = find(&root, ".lablink-spacer").dyn_into::<HtmlElement>().unwrap();
    assert_eq!(spacer.offset_height(), 320_000, "spacer is as tall as all rows");

    let list = find(&root, ".lablink-list");
    scroll_to(&list, 32 * 5000);
    settle().await;
    assert_eq!(list.scroll_top(), 32 * 5000, "the list really scrolls");
    let rows = find_all(&root, ".lablink-row");
    assert!(rows.len() < 60, "{} rows drawn after scrolling", rows.len());
    let names = row_names(&root);
    for visible in ["file-05000.txt", "file-05005.txt", "file-05009.txt"] {
        assert!(names.contains(&visible.to_owned()), "{visible} missing from {names:?}");
    }
    // The cursor row stays in the DOM for aria-activedescendant; nothing else far away.
    let far: Vec<&String> = names
        .iter()
        .filter(|n| {
            let i: usize = n[5..10].parse().unwrap();
            !(4980..5030).contains(&i) && i != 0
        })
        .collect();
    assert!(far.is_empty(), "rows outside the window: {far:?}");
    // A row sits where its position says, relative to the scrolled viewport.
    let row = find_all(&root, ".lablink-row")
        .into_iter()
        .find(|r| text(&find(r, ".lablink-name")) == "file-05000.txt")
        .unwrap();
    let list_top = list.get_bounding_client_rect().top();
    let row_top = row.get_bounding_client_rect().top();
    assert!((row_top - list_top).abs() <= 2.0, "row 5000 at {row_top}, list at {list_top}");

    // End jumps to the last entry and scrolls it into view.
    key(&list, "End");
    settle().await;
    assert_eq!(selected_name(&root), "file-09999.txt");
    assert_eq!(probe.last_cursor_name().as_deref(), Some("file-09999.txt"));
    assert_eq!(list.scroll_top(), 32 * 10_000 - list.client_height(), "last row fully shown");
    assert!(find_all(&root, ".lablink-row").len() < 60);
}

#[wasm_bindgen_test]
async fn arrow_home_end_move_the_cursor() {
    let root = mount_point();
    let probe = ListProbe::new();
    let entries = vec![folder("a"), folder("b"), file("c"), file("d"), file("e")];
    let _app =
        yew::Renderer::<FolderList>::with_root_and_props(root.clone(), probe.props(entries, "k")).render();
    settle().await;
    assert_eq!(selected_name(&root), "a");
    assert_eq!(probe.last_cursor_name().as_deref(), Some("a"));
    assert_active_descendant(&root);

    let list = find(&root, ".lablink-list");
    key(&list, "ArrowDown");
    settle().await;
    assert_eq!(selected_name(&root), "b");
    assert_eq!(probe.last_cursor_name().as_deref(), Some("b"));
    assert_active_descendant(&root);

    key(&list, "End");
    settle().await;
    assert_eq!(selected_name(&root), "e");
    assert_eq!(probe.last_cursor_name().as_deref(), Some("e"));

    key(&list, "ArrowDown");
    settle().await;
    assert_eq!(selected_name(&root), "e", "stops at the end");

    key(&list, "ArrowUp");
    settle().await;
    assert_eq!(selected_name(&root), "d");

    key(&list, "Home");
    settle().await;
    assert_eq!(selected_name(&root), "a");
    assert_eq!(probe.last_cursor_name().as_deref(), Some("a"));
    assert_active_descendant(&root);

    let names: Vec<String> =
        probe.cursors.all().into_iter().map(|e| e.map(|e| e.name).unwrap_or_default()).collect();
    assert_eq!(names, ["a", "b", "e", "d", "a"], "on_cursor once per change");

    // A click moves the cursor and focuses the list.
    let third = find_all(&root, ".lablink-row")[2].clone();
    click(&third);
    settle().await;
    assert_eq!(selected_name(&root), "c");
    assert_eq!(document().active_element(), Some(list.clone()));
}

#[wasm_bindgen_test]
async fn page_keys_move_by_a_viewport() {
    let root = mount_point();
    let probe = ListProbe::new();
    let entries: Vec<Entry> = (0..100).map(|i| file(&format!("n{i:03}"))).collect();
    let _app =
        yew::Renderer::<FolderList>::with_root_and_props(root.clone(), probe.props(entries, "p")).render();
    settle().await;
    let list = find(&root, ".lablink-list");
    key(&list, "PageDown");
    settle().await;
    // 320 px / 32 px = 10 rows per page.
    assert_eq!(selected_name(&root), "n010");
    assert!(list.scroll_top() > 0, "the cursor row was scrolled into view");
    key(&list, "PageUp");
    settle().await;
    assert_eq!(selected_name(&root), "n000");
    assert_eq!(list.scroll_top(), 0);
}

#[wasm_bindgen_test]
async fn enter_opens_folders_and_backspace_goes_up() {
    let root = mount_point();
    let probe = ListProbe::new();
    let entries = vec![folder("data"), file("notes.txt"), entry("link", EntryKind::Symlink)];
    let _app =
        yew::Renderer::<FolderList>::with_root_and_props(root.clone(), probe.props(entries, "o")).render();
    settle().await;
    let list = find(&root, ".lablink-list");

    key(&list, "Enter");
    settle().await;
    assert_eq!(probe.opened.all().iter().map(|e| e.name.clone()).collect::<Vec<_>>(), ["data"]);

    // Files and links do not open.
    key(&list, "ArrowDown");
    settle().await;
    key(&list, "Enter");
    key(&list, "ArrowDown");
    settle().await;
    key(&list, "Enter");
    settle().await;
    assert_eq!(probe.opened.count(), 1);
    let file_row = find(&root, ".lablink-row-file");
    mouse(&file_row, "dblclick");
    settle().await;
    assert_eq!(probe.opened.count(), 1);

    // Double-click on a folder opens it.
    mouse(&find(&root, ".lablink-row-folder"), "dblclick");
    settle().await;
    assert_eq!(probe.opened.count(), 2);
    assert_eq!(probe.opened.last().unwrap().name, "data");

    key(&list, "Backspace");
    settle().await;
    assert_eq!(probe.ups.count(), 1);

    // With a filter, Backspace edits the filter instead of leaving the folder.
    key(&list, "d");
    settle().await;
    key(&list, "Backspace");
    settle().await;
    assert_eq!(probe.ups.count(), 1);
    assert_eq!(find(&root, ".lablink-filter").dyn_into::<HtmlInputElement>().unwrap().value(), "");
}

#[wasm_bindgen_test]
async fn typing_filters_and_escape_clears() {
    let root = mount_point();
    let probe = ListProbe::new();
    let entries = vec![folder("Alpha"), file("beta"), file("alphabet"), file("gamma")];
    let _app =
        yew::Renderer::<FolderList>::with_root_and_props(root.clone(), probe.props(entries, "f")).render();
    settle().await;
    let list = find(&root, ".lablink-list");
    let input = find(&root, ".lablink-filter").dyn_into::<HtmlInputElement>().unwrap();

    key(&list, "ArrowDown");
    key(&list, "ArrowDown");
    settle().await;
    assert_eq!(selected_name(&root), "alphabet");

    key(&list, "P");
    key(&list, "h");
    settle().await;
    assert_eq!(input.value(), "Ph", "the input shows the typed query");
    assert_eq!(row_names(&root), ["Alpha", "alphabet"], "case-insensitive substring");
    assert_eq!(selected_name(&root), "Alpha", "cursor on the first match");
    assert_eq!(probe.last_cursor_name().as_deref(), Some("Alpha"));

    // Ctrl+key is a shortcut, not type-ahead.
    let init = KeyboardEventInit::new();
    init.set_key("a");
    init.set_ctrl_key(true);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    list.dispatch_event(&event).unwrap();
    settle().await;
    assert_eq!(input.value(), "Ph");
    assert!(!event.default_prevented());

    key(&list, "z");
    settle().await;
    assert!(row_names(&root).is_empty());
    assert_eq!(text(&find(&root, ".lablink-list-message")), ListLabels::default().no_match);
    assert_eq!(probe.cursors.last(), Some(None), "nothing highlighted");
    assert!(list.get_attribute("aria-activedescendant").is_none());

    key(&list, "Escape");
    settle().await;
    assert_eq!(input.value(), "");
    assert_eq!(row_names(&root), ["Alpha", "beta", "alphabet", "gamma"]);
    assert!(root.query_selector(".lablink-list-message").unwrap().is_none());

    // Typing into the field itself filters too; ArrowDown hands focus to the list and Enter
    // opens the highlighted folder.
    type_into(&input, "gam");
    settle().await;
    assert_eq!(row_names(&root), ["gamma"]);
    type_into(&input, "alp");
    settle().await;
    assert_eq!(row_names(&root), ["Alpha", "alphabet"]);
    key(&input, "Enter");
    settle().await;
    assert_eq!(probe.opened.last().map(|e| e.name).as_deref(), Some("Alpha"));
    input.focus().unwrap();
    key(&input, "ArrowDown");
    settle().await;
    assert_eq!(document().active_element(), Some(list.clone()));
}

#[wasm_bindgen_test]
async fn empty_folder_says_so() {
    let root = mount_point();
    let probe = ListProbe::new();
    let _app =
        yew::Renderer::<FolderList>::with_root_and_props(root.clone(), probe.props(vec![], "e")).render();
    settle().await;
    assert_eq!(text(&find(&root, ".lablink-list-message")), ListLabels::default().empty);
    assert_eq!(probe.cursors.all(), [None]);
    key(&find(&root, ".lablink-list"), "Enter");
    settle().await;
    assert_eq!(probe.opened.count(), 0);
}

#[wasm_bindgen_test]
async fn hostile_names_are_shown_as_text() {
    let root = mount_point();
    let probe = ListProbe::new();
    let hostile = "<img src=x onerror=alert(1)>.ipynb";
    let entries = vec![file(hostile), file("invoice\u{202E}fdp.exe"), folder("<b>bold</b>")];
    let _app =
        yew::Renderer::<FolderList>::with_root_and_props(root.clone(), probe.props(entries, "h")).render();
    settle().await;
    assert!(root.query_selector("img").unwrap().is_none(), "no <img> was created");
    assert!(root.query_selector("b").unwrap().is_none(), "no <b> was created");
    let names = row_names(&root);
    assert_eq!(names[0], hostile);
    assert_eq!(names[1], "invoice⟨U+202E⟩fdp.exe");
    assert!(!names[1].contains('\u{202E}'));
    assert_eq!(names[2], "<b>bold</b>");
    let name = find(&root, ".lablink-name");
    let style = web_sys::window().unwrap().get_computed_style(&name).unwrap().unwrap();
    assert_eq!(style.get_property_value("unicode-bidi").unwrap(), "isolate");
}

#[wasm_bindgen_test]
async fn navigating_resets_filter_cursor_and_scroll() {
    let root = mount_point();
    let probe = ListProbe::new();
    let first: Vec<Entry> = (0..200).map(|i| file(&format!("a{i:03}"))).collect();
    let mut app =
        yew::Renderer::<FolderList>::with_root_and_props(root.clone(), probe.props(first.clone(), "one"))
            .render();
    settle().await;
    let list = find(&root, ".lablink-list");
    key(&list, "End");
    key(&list, "a");
    key(&list, "1");
    settle().await;
    key(&list, "End");
    settle().await;
    assert_eq!(selected_name(&root), "a199");
    assert!(list.scroll_top() > 0);

    // More pages of the same folder keep the filter and the cursor.
    let mut grown = first;
    grown.extend((200..220).map(|i| file(&format!("a{i:03}"))));
    app.update(probe.props(grown, "one"));
    settle().await;
    assert_eq!(find(&root, ".lablink-filter").dyn_into::<HtmlInputElement>().unwrap().value(), "a1");
    assert_eq!(selected_name(&root), "a199");

    let second = vec![folder("x"), folder("y")];
    app.update(probe.props(second, "two"));
    settle().await;
    assert_eq!(find(&root, ".lablink-filter").dyn_into::<HtmlInputElement>().unwrap().value(), "");
    assert_eq!(row_names(&root), ["x", "y"]);
    assert_eq!(selected_name(&root), "x");
    assert_eq!(probe.last_cursor_name().as_deref(), Some("x"));
    assert_eq!(list.scroll_top(), 0);
}

#[wasm_bindgen_test]
async fn dim_files_are_marked() {
    let root = mount_point();
    let probe = ListProbe::new();
    let mut props = probe.props(vec![folder("dir"), file("f.txt")], "d");
    props.dim_files = true;
    let _app = yew::Renderer::<FolderList>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let file_row = find(&root, ".lablink-row-file");
    assert!(file_row.class_list().contains("lablink-dim"));
    assert_eq!(file_row.get_attribute("aria-disabled").as_deref(), Some("true"));
    assert!(!find(&root, ".lablink-row-folder").class_list().contains("lablink-dim"));
    // Sizes only for files.
    assert_eq!(text(&find(&file_row, ".lablink-size")), "1.23 kB");
    assert_eq!(text(&find(&find(&root, ".lablink-row-folder"), ".lablink-size")), "");
}

// ---- Breadcrumbs ----

#[wasm_bindgen_test]
async fn breadcrumbs_navigate_to_ancestors() {
    let root = mount_point();
    let went: Calls<WorkspacePath> = Calls::default();
    let props = yew::props!(BreadcrumbsProps {
        path: WorkspacePath::parse("course/week 1/data\u{202E}").unwrap(),
        root_label: AttrValue::Static("Home"),
        on_navigate: went.callback(),
    });
    let _app = yew::Renderer::<Breadcrumbs>::with_root_and_props(root.clone(), props).render();
    settle().await;

    let nav = find(&root, "nav.lablink-crumbs");
    assert_eq!(nav.get_attribute("aria-label").as_deref(), Some("Breadcrumbs"));
    let buttons = find_all(&root, "nav ol li button");
    assert_eq!(buttons.iter().map(text).collect::<Vec<_>>(), ["Home", "course", "week 1"]);
    for b in &buttons {
        assert_eq!(b.get_attribute("type").as_deref(), Some("button"));
    }
    let current = find(&root, "[aria-current=\"page\"]");
    assert_eq!(text(&current), "data⟨U+202E⟩");
    assert_ne!(current.tag_name().to_lowercase(), "button");

    click(&buttons[1]);
    click(&buttons[2]);
    click(&buttons[0]);
    settle().await;
    let paths: Vec<String> = went.all().iter().map(ToString::to_string).collect();
    assert_eq!(paths, ["course", "course/week 1", ""]);
}

// ---- LoadState ----

#[wasm_bindgen_test]
async fn load_state_shows_error_loading_or_children() {
    let root = mount_point();
    let retries: Calls<()> = Calls::default();
    let props = |loading: bool, error: Option<&'static str>| {
        yew::props!(LoadStateProps {
            loading,
            error: error.map(AttrValue::Static),
            on_retry: retries.callback(),
            children: html! { <p class="payload">{ "ready" }</p> },
        })
    };
    let mut app =
        yew::Renderer::<LoadState>::with_root_and_props(root.clone(), props(false, Some("<i>x</i> down")))
            .render();
    settle().await;
    let error = find(&root, ".lablink-error");
    assert_eq!(error.get_attribute("role").as_deref(), Some("alert"));
    assert!(text(&error).contains("<i>x</i> down"), "message shown as text");
    assert!(root.query_selector("i").unwrap().is_none());
    assert!(root.query_selector(".payload").unwrap().is_none());
    click(&find(&root, "button.lablink-retry"));
    settle().await;
    assert_eq!(retries.count(), 1);

    app.update(props(true, None));
    settle().await;
    let status = find(&root, "[role=\"status\"]");
    assert!(text(&status).contains("Loading"));
    assert!(root.query_selector(".payload").unwrap().is_none());

    app.update(props(false, None));
    settle().await;
    assert_eq!(text(&find(&root, ".payload")), "ready");
    assert!(root.query_selector("[role=\"status\"], [role=\"alert\"]").unwrap().is_none());
}

// ---- ConfirmDialog ----

#[derive(Properties, PartialEq)]
struct DialogHost {
    open: bool,
    with_field: bool,
    confirms: Callback<()>,
    cancels: Callback<()>,
}

#[function_component(DialogWrapper)]
fn dialog_wrapper(props: &DialogHost) -> Html {
    html! {
        <div>
            <button id="outside">{ "outside" }</button>
            <ConfirmDialog
                open={props.open}
                title="Delete folder?"
                confirm_label="Delete"
                cancel_label="Cancel"
                danger=true
                on_confirm={props.confirms.clone()}
                on_cancel={props.cancels.clone()}
            >
                if props.with_field {
                    <label>{ "Name " }<input id="field" type="text" /></label>
                } else {
                    <p>{ "This cannot be undone." }</p>
                }
            </ConfirmDialog>
        </div>
    }
}

#[wasm_bindgen_test]
async fn confirm_dialog_keys_clicks_and_focus() {
    let root = mount_point();
    let confirms: Calls<()> = Calls::default();
    let cancels: Calls<()> = Calls::default();
    let props = |open: bool, with_field: bool| DialogHost {
        open,
        with_field,
        confirms: confirms.callback(),
        cancels: cancels.callback(),
    };
    let mut app =
        yew::Renderer::<DialogWrapper>::with_root_and_props(root.clone(), props(false, true)).render();
    settle().await;
    assert!(root.query_selector("[role=\"dialog\"]").unwrap().is_none());
    let outside = find(&root, "#outside").dyn_into::<HtmlElement>().unwrap();
    outside.focus().unwrap();

    app.update(props(true, true));
    settle().await;
    let dialog = find(&root, "[role=\"dialog\"]");
    assert_eq!(dialog.get_attribute("aria-modal").as_deref(), Some("true"));
    let title_id = dialog.get_attribute("aria-labelledby").unwrap();
    assert_eq!(text(&document().get_element_by_id(&title_id).unwrap()), "Delete folder?");
    let field = find(&root, "#field");
    assert_eq!(document().active_element(), Some(field.clone()), "the field has focus");

    key(&field, "Escape");
    settle().await;
    assert_eq!((cancels.count(), confirms.count()), (1, 0));

    key(&field, "Enter");
    settle().await;
    assert_eq!((cancels.count(), confirms.count()), (1, 1));

    let buttons = find_all(&dialog, ".lablink-dialog-actions button");
    assert_eq!(buttons.iter().map(text).collect::<Vec<_>>(), ["Cancel", "Delete"]);
    let confirm = buttons[1].clone();
    assert!(confirm.class_list().contains("lablink-button-danger"));
    click(&confirm);
    settle().await;
    assert_eq!((cancels.count(), confirms.count()), (1, 2));
    click(&buttons[0]);
    settle().await;
    assert_eq!((cancels.count(), confirms.count()), (2, 2));

    // Tab wraps from the last focusable to the first, Shift+Tab the other way.
    confirm.dyn_ref::<HtmlElement>().unwrap().focus().unwrap();
    key(&confirm, "Tab");
    assert_eq!(document().active_element(), Some(field.clone()));
    key_with(&field, "Tab", true);
    assert_eq!(document().active_element(), Some(confirm.clone()));

    // A click inside the dialog does not cancel; one on the backdrop does.
    click(&find(&root, ".lablink-dialog-title"));
    settle().await;
    assert_eq!(cancels.count(), 2);
    click(&find(&root, ".lablink-backdrop"));
    settle().await;
    assert_eq!(cancels.count(), 3);

    // Closing hands focus back.
    app.update(props(false, true));
    settle().await;
    assert!(root.query_selector("[role=\"dialog\"]").unwrap().is_none());
    assert_eq!(document().active_element(), Some(outside.clone().into()));

    // Without a field, the confirm button gets the focus.
    app.update(props(true, false));
    settle().await;
    let confirm = find_all(&root, ".lablink-dialog-actions button")[1].clone();
    assert_eq!(document().active_element(), Some(confirm));
}

// ---- ProgressBar ----

#[wasm_bindgen_test]
async fn progress_bar_reports_its_value() {
    let root = mount_point();
    let props = |value: Option<f64>| {
        yew::props!(ProgressBarProps { value, label: AttrValue::Static("Copying files") })
    };
    let mut app = yew::Renderer::<ProgressBar>::with_root_and_props(root.clone(), props(Some(0.42))).render();
    settle().await;
    let bar = find(&root, "[role=\"progressbar\"]");
    assert_eq!(bar.get_attribute("aria-valuenow").as_deref(), Some("42"));
    assert_eq!(bar.get_attribute("aria-valuemin").as_deref(), Some("0"));
    assert_eq!(bar.get_attribute("aria-valuemax").as_deref(), Some("100"));
    assert_eq!(bar.get_attribute("aria-label").as_deref(), Some("Copying files"));
    assert!(text(&root).contains("Copying files"));
    let fill = find(&root, ".lablink-progress-fill").dyn_into::<HtmlElement>().unwrap();
    let track = bar.dyn_into::<HtmlElement>().unwrap();
    let ratio = f64::from(fill.offset_width()) / f64::from(track.offset_width());
    assert!((ratio - 0.42).abs() < 0.02, "fill is {ratio} of the track");

    app.update(props(None));
    settle().await;
    let bar = find(&root, "[role=\"progressbar\"]");
    assert!(bar.get_attribute("aria-valuenow").is_none(), "indeterminate has no value");
    assert!(find(&root, ".lablink-progress").class_list().contains("lablink-progress-indeterminate"));

    app.update(props(Some(1.7)));
    settle().await;
    assert_eq!(find(&root, "[role=\"progressbar\"]").get_attribute("aria-valuenow").as_deref(), Some("100"));
}

// ---- NoticeArea ----

#[wasm_bindgen_test]
async fn notices_are_announced_and_dismissable() {
    let root = mount_point();
    let dismissed: Calls<u32> = Calls::default();
    let notices = vec![
        Notice { id: 7, kind: NoticeKind::Success, text: AttrValue::Static("Saved") },
        Notice { id: 9, kind: NoticeKind::Error, text: AttrValue::Static("<b>Failed</b>") },
    ];
    let props = yew::props!(NoticeAreaProps { notices: Rc::new(notices), on_dismiss: dismissed.callback() });
    let _app = yew::Renderer::<NoticeArea>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let area = find(&root, ".lablink-notices");
    assert_eq!(area.get_attribute("aria-live").as_deref(), Some("polite"));
    let items = find_all(&root, ".lablink-notice");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].get_attribute("role"), None);
    assert_eq!(items[1].get_attribute("role").as_deref(), Some("alert"));
    assert!(text(&items[1]).contains("<b>Failed</b>"));
    assert!(root.query_selector("b").unwrap().is_none());
    let dismiss = find(&items[1], "button");
    assert_eq!(dismiss.get_attribute("aria-label").as_deref(), Some("Dismiss"));
    click(&dismiss);
    settle().await;
    assert_eq!(dismissed.all(), [9]);
}

// ---- style and perf ----

#[wasm_bindgen_test]
fn style_is_installed_once() {
    install_style();
    install_style();
    let styles = document().query_selector_all("#lablink-ui-style").unwrap();
    assert_eq!(styles.length(), 1);
    let style = document().get_element_by_id(STYLE_ELEMENT_ID).unwrap();
    assert!(text(&style).contains(".lablink-root"));
    assert_eq!(style.parent_element(), document().head().map(Element::from));
}

#[wasm_bindgen_test]
fn theme_properties_follow_the_host() {
    install_style();
    let host = document().create_element("div").unwrap();
    host.set_attribute("style", "--bs-body-color: rgb(1, 2, 3); --jp-brand-color1: rgb(4, 5, 6)").unwrap();
    let root = document().create_element("div").unwrap();
    root.set_class_name("lablink-root");
    host.append_child(&root).unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let style = web_sys::window().unwrap().get_computed_style(&root).unwrap().unwrap();
    assert_eq!(style.get_property_value("color").unwrap(), "rgb(1, 2, 3)");
    assert_eq!(style.get_property_value("--ll-accent").unwrap().trim(), "rgb(4, 5, 6)");
    // A --lablink-* property set on an ancestor (a host's dark theme on <body>) wins over
    // the host framework's variables.
    host.set_attribute("style", "--bs-body-color: rgb(1, 2, 3); --lablink-fg: rgb(7, 8, 9)").unwrap();
    let style = web_sys::window().unwrap().get_computed_style(&root).unwrap().unwrap();
    assert_eq!(style.get_property_value("color").unwrap(), "rgb(7, 8, 9)");
}

#[wasm_bindgen_test]
fn mark_records_a_performance_entry() {
    mark("lablink-test-mark");
    let performance = web_sys::window().unwrap().performance().unwrap();
    assert_eq!(performance.get_entries_by_name("lablink-test-mark").length(), 1);
}

// ---- DataTable ----

fn table_columns() -> Rc<Vec<Column>> {
    Rc::new(vec![Column::text("Student", "1fr"), Column::number("Score", "1fr")])
}

fn table_rows(n: usize) -> Rc<Vec<TableRow>> {
    Rc::new(
        (0..n)
            .map(|i| TableRow {
                key: format!("s{i:04}").into(),
                cells: vec![
                    TableCell::text(format!("s{i:04}")),
                    // Every third score is missing: it must sort last both ways.
                    TableCell::number(
                        format!("{}", (i * 7) % 10),
                        (i % 3 != 0).then(|| ((i * 7) % 10) as f64),
                    ),
                ],
            })
            .collect(),
    )
}

/// The first cells of the drawn rows, top to bottom.
fn table_keys(root: &Element) -> Vec<String> {
    let mut rows: Vec<(u32, String)> = find_all(root, ".lablink-spacer [role=row]")
        .iter()
        .map(|r| {
            let at = r.get_attribute("aria-rowindex").unwrap().parse().unwrap();
            (at, text(&find_all(r, "[role=gridcell]")[0]))
        })
        .collect();
    rows.sort();
    rows.into_iter().map(|(_, k)| k).collect()
}

#[wasm_bindgen_test]
async fn data_table_draws_a_window_sorts_and_moves_by_keyboard() {
    let root = mount_point();
    let props = yew::props!(DataTableProps {
        columns: table_columns(),
        rows: table_rows(2000),
        label: AttrValue::Static("Students"),
        empty: AttrValue::Static("None"),
    });
    let _app = yew::Renderer::<DataTable>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let grid = find(&root, "[role=grid]");
    assert_eq!(grid.get_attribute("aria-rowcount").as_deref(), Some("2001"));
    let drawn = table_keys(&root);
    assert!(drawn.len() < 30, "{} rows drawn", drawn.len());
    assert_eq!(drawn[0], "s0000");

    let headers = find_all(&root, "[role=columnheader]");
    assert_eq!(headers[1].get_attribute("aria-sort").as_deref(), Some("none"));
    click(&find(&headers[1], "button"));
    settle().await;
    assert_eq!(headers[1].get_attribute("aria-sort").as_deref(), Some("ascending"));
    // Score 0 first: rows 10, 20, 40 … (multiples of 10 that are not multiples of 3).
    assert_eq!(table_keys(&root)[..3], ["s0010", "s0020", "s0040"]);
    click(&find(&headers[1], "button"));
    settle().await;
    assert_eq!(headers[1].get_attribute("aria-sort").as_deref(), Some("descending"));
    let first = table_keys(&root)[0].clone();
    let score = |key: &str| key[1..].parse::<usize>().map(|i| (i * 7) % 10).unwrap();
    assert_eq!(score(&first), 9);

    // Keys move the cursor; End reaches a row with a missing score (sorted last).
    key(&grid, "ArrowDown");
    settle().await;
    assert_eq!(find(&root, "[aria-selected=true]").get_attribute("aria-rowindex").as_deref(), Some("3"));
    key(&grid, "PageDown");
    key(&grid, "End");
    settle().await;
    let last = find(&root, "[aria-selected=true]");
    assert_eq!(last.get_attribute("aria-rowindex").as_deref(), Some("2001"));
    assert_eq!(grid.get_attribute("aria-activedescendant"), Some(last.id()));
    assert!(grid.scroll_top() > 0, "scrolled to the cursor");
    let last_key = text(&find_all(&last, "[role=gridcell]")[0]);
    assert_eq!(last_key[1..].parse::<usize>().unwrap() % 3, 0, "missing scores sort last");
    key(&grid, "Home");
    settle().await;
    assert_eq!(find(&root, "[aria-selected=true]").get_attribute("aria-rowindex").as_deref(), Some("2"));
}

#[derive(Properties, PartialEq)]
struct TickedTableProps {
    toggles: Callback<AttrValue>,
}

/// A host keeping the ticks, as the grades panel's preview does.
#[function_component(TickedTable)]
fn ticked_table(props: &TickedTableProps) -> Html {
    let ticked = use_state(|| Rc::new(std::collections::BTreeSet::<AttrValue>::new()));
    let on_toggle = {
        let (ticked, toggles) = (ticked.clone(), props.toggles.clone());
        Callback::from(move |key: AttrValue| {
            toggles.emit(key.clone());
            let mut next = (**ticked).clone();
            if !next.remove(&key) {
                next.insert(key);
            }
            ticked.set(Rc::new(next));
        })
    };
    html! {
        <DataTable columns={table_columns()} rows={table_rows(3)} label="Changed" empty="None"
            checked={Some((*ticked).clone())} {on_toggle} check_label="Overwrite" />
    }
}

#[wasm_bindgen_test]
async fn data_table_ticks_rows_by_click_enter_and_space() {
    let root = mount_point();
    let toggles = Calls::<AttrValue>::default();
    let props = TickedTableProps { toggles: toggles.callback() };
    let _app = yew::Renderer::<TickedTable>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let boxes = || find_all(&root, ".lablink-spacer input[type=checkbox]");
    let ticked =
        || boxes().iter().map(|b| b.dyn_ref::<HtmlInputElement>().unwrap().checked()).collect::<Vec<_>>();
    assert_eq!(ticked(), [false, false, false]);
    assert_eq!(boxes()[1].get_attribute("aria-label").as_deref(), Some("Overwrite: s0001"));
    click(&boxes()[1]);
    settle().await;
    assert_eq!(ticked(), [false, true, false]);
    let grid = find(&root, "[role=grid]");
    // The click moved the cursor to that row; the keys go on from there.
    key(&grid, "ArrowDown");
    settle().await;
    key(&grid, " ");
    settle().await;
    assert_eq!(ticked(), [false, true, true]);
    key(&grid, "Enter");
    settle().await;
    assert_eq!(ticked(), [false, true, false]);
    // Enter on a header button sorts; it does not tick the cursor row.
    key(&find(&root, "[role=columnheader] button"), "Enter");
    settle().await;
    assert_eq!(toggles.all(), [AttrValue::from("s0001"), "s0002".into(), "s0002".into()]);
}

#[wasm_bindgen_test]
async fn histogram_draws_a_bar_per_bin_and_series() {
    let root = mount_point();
    let series = Rc::new(vec![
        Series {
            label: "nbgrader".into(),
            values: Rc::new(vec![0.0, 1.0, 9.5, 10.0]),
            class: "lablink-series-1".into(),
        },
        Series { label: "LMS".into(), values: Rc::new(vec![5.0]), class: "lablink-series-2".into() },
    ]);
    let props =
        yew::props!(HistogramProps { title: AttrValue::Static("Scores"), series, max: 10.0, bins: 5 });
    let _app = yew::Renderer::<Histogram>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let svg = find(&root, "svg");
    assert_eq!(svg.get_attribute("aria-label").as_deref(), Some("Scores"));
    let bars = find_all(&root, "rect.lablink-bar");
    assert_eq!(bars.len(), 10);
    let height = |el: &Element| el.get_attribute("height").unwrap().parse::<f64>().unwrap();
    // nbgrader: two in the first bin, two in the last; the count axis tops out at 2.
    assert_eq!(height(&bars[0]), height(&bars[4]));
    assert!(height(&bars[0]) > 0.0 && height(&bars[1]) == 0.0);
    assert!(text(&bars[0]).contains("nbgrader: 2"));
    assert!(text(&bars[7]).contains("LMS: 1"), "{}", text(&bars[7]));
    assert_eq!(text(&find(&root, ".lablink-legend")), "nbgraderLMS");
}
