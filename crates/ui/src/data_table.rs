//! A virtualised, sortable data table: header buttons sort by any column (`aria-sort` says
//! how), arrows/PageUp/PageDown/Home/End move the row cursor, and Enter or Space ticks the row
//! where the table has tick boxes. Only the rows in view exist in the DOM, so 2,000 rows cost
//! what 20 do. The host filters; the table sorts.

use std::collections::BTreeSet;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

use crate::by_ptr::ByPtr;
use crate::keys::{GridKey, Modifiers, grid_key};
use crate::table_sort::{SortDir, SortKey, next_sort, sort_order};
use crate::window::{Move, OVERSCAN, move_cursor, reveal, rows_per_page, visible_range};

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub title: AttrValue,
    /// Right-aligned, tabular figures.
    pub numeric: bool,
    /// Its CSS grid track, e.g. `minmax(8rem, 1fr)` or `6rem`.
    pub width: AttrValue,
}

impl Column {
    /// A column of text, on the grid track `width`.
    pub fn text(title: impl Into<AttrValue>, width: &'static str) -> Self {
        Self { title: title.into(), numeric: false, width: AttrValue::Static(width) }
    }

    /// A column of figures (right-aligned), on the grid track `width`.
    pub fn number(title: impl Into<AttrValue>, width: &'static str) -> Self {
        Self { numeric: true, ..Self::text(title, width) }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableCell {
    pub text: AttrValue,
    pub sort: SortKey,
    /// Extra class on the cell (an outcome's colour, say).
    pub class: Option<AttrValue>,
}

impl TableCell {
    pub fn text(text: impl Into<AttrValue>) -> Self {
        let text = text.into();
        Self { sort: SortKey::text(&text), text, class: None }
    }

    pub fn number(text: impl Into<AttrValue>, value: Option<f64>) -> Self {
        Self { text: text.into(), sort: SortKey::number(value), class: None }
    }

    pub fn with_class(mut self, class: impl Into<AttrValue>) -> Self {
        self.class = Some(class.into());
        self
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    /// Identifies the row to the host (a student id): what `on_toggle` and `checked` speak.
    pub key: AttrValue,
    pub cells: Vec<TableCell>,
}

#[derive(Properties)]
pub struct DataTableProps {
    pub columns: Rc<Vec<Column>>,
    pub rows: Rc<Vec<TableRow>>,
    /// Accessible name of the table.
    pub label: AttrValue,
    /// Shown when there are no rows.
    pub empty: AttrValue,
    /// With tick boxes: the ticked rows' keys.
    #[prop_or_default]
    pub checked: Option<Rc<BTreeSet<AttrValue>>>,
    #[prop_or_default]
    pub on_toggle: Callback<AttrValue>,
    /// Header of the tick box column and the start of each box's accessible name.
    #[prop_or_default]
    pub check_label: AttrValue,
    /// The sort shown first (column index, direction); unsorted by default.
    #[prop_or_default]
    pub initial_sort: Option<(usize, SortDir)>,
    #[prop_or(32)]
    pub row_height: u32,
    /// Height of the scrolling area, header included, px.
    #[prop_or(360)]
    pub height: u32,
}

/// The rows, columns and ticks compare by address: a host passes the same `Rc` while they are
/// unchanged, and walking 2,000 rows on every render of its own would cost more than drawing.
impl PartialEq for DataTableProps {
    fn eq(&self, other: &Self) -> bool {
        let same_ticks = match (&self.checked, &other.checked) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        Rc::ptr_eq(&self.columns, &other.columns)
            && Rc::ptr_eq(&self.rows, &other.rows)
            && same_ticks
            && self.label == other.label
            && self.empty == other.empty
            && self.on_toggle == other.on_toggle
            && self.check_label == other.check_label
            && self.initial_sort == other.initial_sort
            && self.row_height == other.row_height
            && self.height == other.height
    }
}

static NEXT_INSTANCE: AtomicU32 = AtomicU32::new(0);

#[derive(Clone, Debug, PartialEq, Default)]
struct Cursor {
    /// Position among the displayed (sorted) rows.
    at: usize,
    scroll_top: f64,
}

enum CursorAction {
    Set(usize),
    Move { step: Move, len: usize, page: usize },
    Scrolled(f64),
}

impl Reducible for Cursor {
    type Action = CursorAction;

    fn reduce(self: Rc<Self>, action: CursorAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            CursorAction::Set(at) => next.at = at,
            CursorAction::Move { step, len, page } => next.at = move_cursor(next.at, len, step, page),
            CursorAction::Scrolled(top) => next.scroll_top = top,
        }
        // The same Rc skips a render, which matters for scroll events.
        if next == *self { self } else { Rc::new(next) }
    }
}

#[function_component(DataTable)]
pub fn data_table(props: &DataTableProps) -> Html {
    let instance = use_memo((), |_| NEXT_INSTANCE.fetch_add(1, Ordering::Relaxed));
    let sort = use_state(|| props.initial_sort);
    let cursor = use_reducer(Cursor::default);
    let grid_ref = use_node_ref();

    let order = use_memo((ByPtr(props.rows.clone()), *sort), |(rows, sort)| match sort {
        Some((column, dir)) => {
            let missing = SortKey::Missing;
            let keys: Vec<&SortKey> =
                rows.iter().map(|r| r.cells.get(*column).map(|c| &c.sort).unwrap_or(&missing)).collect();
            sort_order(&keys, *dir)
        }
        None => (0..rows.len()).collect(),
    });
    let len = order.len();
    let at = (len > 0).then(|| cursor.at.min(len - 1));
    let row_height = props.row_height.max(1);
    // The header row is sticky at the top of the scrolling area and covers one row's height.
    let viewport = props.height.saturating_sub(row_height).max(row_height);
    let page = rows_per_page(viewport, row_height);
    let row_id = |index: usize| format!("lablink-table{}-row{}", *instance, index);
    let ticks = props.checked.clone();

    // Keep the cursor row in view whenever it moves.
    {
        let (grid_ref, dispatcher) = (grid_ref.clone(), cursor.dispatcher());
        use_effect_with((at, order.clone()), move |(at, _)| {
            let (Some(grid), Some(at)) = (grid_ref.cast::<Element>(), *at) else { return };
            let top = f64::from(grid.scroll_top());
            if let Some(target) = reveal(top, viewport, row_height, at) {
                grid.set_scroll_top(target as i32);
                dispatcher.dispatch(CursorAction::Scrolled(target));
            }
        });
    }

    let toggle_at = {
        let (on_toggle, rows, order) = (props.on_toggle.clone(), props.rows.clone(), order.clone());
        let has_ticks = ticks.is_some();
        move |pos: usize| {
            if has_ticks && let Some(row) = order.get(pos).and_then(|&i| rows.get(i)) {
                on_toggle.emit(row.key.clone());
            }
        }
    };

    let onscroll = {
        let dispatcher = cursor.dispatcher();
        Callback::from(move |e: Event| {
            if let Some(grid) = e.target().and_then(|t| t.dyn_into::<Element>().ok()) {
                dispatcher.dispatch(CursorAction::Scrolled(f64::from(grid.scroll_top())));
            }
        })
    };

    let onkeydown = {
        let (dispatcher, grid_ref, toggle_at) = (cursor.dispatcher(), grid_ref.clone(), toggle_at.clone());
        Callback::from(move |e: KeyboardEvent| {
            // Keys on a header button or a tick box are theirs (Enter on a header sorts).
            let on_grid = e.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok()) == grid_ref.get();
            if !on_grid {
                return;
            }
            let modifiers = Modifiers { ctrl: e.ctrl_key(), alt: e.alt_key(), meta: e.meta_key() };
            let Some(action) = grid_key(&e.key(), modifiers) else { return };
            e.prevent_default();
            match action {
                GridKey::Move(step) => dispatcher.dispatch(CursorAction::Move { step, len, page }),
                GridKey::Toggle => {
                    if let Some(at) = at {
                        toggle_at(at);
                    }
                }
            }
        })
    };

    let check_track = ticks.as_ref().map(|_| "2.5rem ").unwrap_or_default();
    let tracks = format!(
        "grid-template-columns: {check_track}{}",
        props.columns.iter().map(|c| c.width.as_str()).collect::<Vec<_>>().join(" ")
    );

    let headers = props.columns.iter().enumerate().map(|(index, column)| {
        let state = sort.filter(|(c, _)| *c == index).map(|(_, dir)| dir);
        let onclick = {
            let sort = sort.clone();
            Callback::from(move |_: MouseEvent| sort.set(Some(next_sort(*sort, index))))
        };
        let mark = match state {
            Some(SortDir::Ascending) => "\u{25B2}",
            Some(SortDir::Descending) => "\u{25BC}",
            None => "",
        };
        html! {
            <div role="columnheader" class={classes!("lablink-table-cell", column.numeric.then_some("lablink-numeric"))}
                aria-sort={state.map(SortDir::aria).unwrap_or("none")}>
                <button type="button" class="lablink-sort" {onclick}>
                    { column.title.clone() }
                    <span class="lablink-sort-mark" aria-hidden="true">{ mark }</span>
                </button>
            </div>
        }
    });

    let range = visible_range(cursor.scroll_top, viewport, row_height, len, OVERSCAN);
    let extra = at.filter(|a| !range.contains(a));
    let rows = range.chain(extra).map(|pos| {
        let index = order[pos];
        let row = &props.rows[index];
        let selected = at == Some(pos);
        let style = format!("top: {}px; height: {row_height}px; {tracks}", pos as u64 * u64::from(row_height));
        let onclick = {
            let (dispatcher, grid_ref) = (cursor.dispatcher(), grid_ref.clone());
            Callback::from(move |_: MouseEvent| {
                dispatcher.dispatch(CursorAction::Set(pos));
                if let Some(grid) = grid_ref.cast::<HtmlElement>() {
                    let _ = grid.focus();
                }
            })
        };
        let check = ticks.as_ref().map(|ticked| {
            let is_ticked = ticked.contains(&row.key);
            let name = row.cells.first().map(|c| c.text.as_str()).unwrap_or(row.key.as_str());
            let onclick = {
                let toggle_at = toggle_at.clone();
                // The click goes on to the row, which moves the cursor here.
                Callback::from(move |_: MouseEvent| toggle_at(pos))
            };
            html! {
                <div role="gridcell" class="lablink-table-cell lablink-table-check">
                    <input type="checkbox" tabindex="-1" checked={is_ticked}
                        aria-label={format!("{}: {name}", props.check_label)} {onclick} />
                </div>
            }
        });
        let cells = row.cells.iter().zip(props.columns.iter()).map(|(cell, column)| {
            html! {
                <div role="gridcell" title={cell.text.clone()}
                    class={classes!("lablink-table-cell", column.numeric.then_some("lablink-numeric"), cell.class.clone())}>
                    { cell.text.clone() }
                </div>
            }
        });
        html! {
            <div key={row.key.as_str()} id={row_id(index)} role="row"
                class={classes!("lablink-table-row", selected.then_some("lablink-table-cursor"))}
                aria-rowindex={(pos + 2).to_string()} aria-selected={if selected { "true" } else { "false" }}
                {style} {onclick}>
                { for check }
                { for cells }
            </div>
        }
    });

    let total_height = len as u64 * u64::from(row_height);
    html! {
        <div class="lablink-data-table">
            <div ref={grid_ref.clone()} class="lablink-table" role="grid" tabindex="0"
                aria-label={props.label.clone()}
                aria-rowcount={(len + 1).to_string()}
                aria-colcount={(props.columns.len() + usize::from(ticks.is_some())).to_string()}
                aria-activedescendant={at.map(|a| row_id(order[a]))}
                style={format!("height: {}px; --lablink-row-height: {row_height}px", props.height)}
                {onscroll} {onkeydown}>
                <div role="row" class="lablink-table-row lablink-table-header" aria-rowindex="1"
                    style={format!("height: {row_height}px; {tracks}")}>
                    if ticks.is_some() {
                        <div role="columnheader" class="lablink-table-cell lablink-table-check">
                            <span class="lablink-visually-hidden">{ props.check_label.clone() }</span>
                        </div>
                    }
                    { for headers }
                </div>
                <div class="lablink-spacer" role="presentation" style={format!("height: {total_height}px")}>
                    { for rows }
                </div>
            </div>
            if len == 0 {
                <div class="lablink-list-message">{ props.empty.clone() }</div>
            }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_moves_and_unchanged_state_is_kept() {
        let c = Rc::new(Cursor::default());
        let c = c.reduce(CursorAction::Move { step: Move::PageDown, len: 100, page: 10 });
        assert_eq!(c.at, 10);
        let c = c.reduce(CursorAction::Move { step: Move::Last, len: 100, page: 10 });
        assert_eq!(c.at, 99);
        let same = c.clone().reduce(CursorAction::Set(99));
        assert!(Rc::ptr_eq(&c, &same));
        let c = c.reduce(CursorAction::Scrolled(64.0));
        assert_eq!(c.scroll_top, 64.0);
    }

    #[test]
    fn cells_sort_by_what_they_show_or_their_number() {
        assert_eq!(TableCell::text("Ada").sort, SortKey::Text("ada".into()));
        assert_eq!(TableCell::number("–", None).sort, SortKey::Missing);
        assert_eq!(TableCell::number("7.5", Some(7.5)).with_class("x").class.as_deref(), Some("x"));
    }
}
