//! Geometry of the virtualised list: which rows to draw for a scroll position, and where to
//! scroll so that a row is visible. Rows all have the same height, which keeps both O(1).

use std::ops::Range;

/// Rows drawn beyond each edge of the viewport, so that fast scrolling rarely shows a gap.
pub const OVERSCAN: usize = 4;

/// The rows to draw for `total` rows of `row_height` px seen through a `viewport` px tall
/// window scrolled to `scroll_top`, plus `overscan` rows on each side.
pub fn visible_range(
    scroll_top: f64,
    viewport: u32,
    row_height: u32,
    total: usize,
    overscan: usize,
) -> Range<usize> {
    if total == 0 {
        return 0..0;
    }
    let row = f64::from(row_height.max(1));
    let top = scroll_top.max(0.0);
    let first = ((top / row).floor() as usize).min(total - 1);
    let last = (((top + f64::from(viewport)) / row).ceil() as usize).min(total);
    first.saturating_sub(overscan)..(last + overscan).min(total).max(first + 1)
}

/// How many whole rows fit in the viewport: the step of PageUp/PageDown.
pub fn rows_per_page(viewport: u32, row_height: u32) -> usize {
    (viewport / row_height.max(1)).max(1) as usize
}

/// The scroll position that brings row `index` fully into view with the least movement, or
/// `None` when it is already fully visible.
pub fn reveal(scroll_top: f64, viewport: u32, row_height: u32, index: usize) -> Option<f64> {
    let row = f64::from(row_height);
    let row_top = index as f64 * row;
    let row_bottom = row_top + row;
    let target = if row_top < scroll_top {
        row_top
    } else if row_bottom > scroll_top + f64::from(viewport) {
        // Never past the row's top, for viewports shorter than a row.
        (row_bottom - f64::from(viewport)).min(row_top)
    } else {
        return None;
    };
    (target != scroll_top).then_some(target)
}

/// A cursor movement within the (filtered) rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
}

/// Where the cursor lands after `step` among `len` rows, `page` rows per page. Movement stops
/// at the ends rather than wrapping, as in a native listbox.
pub fn move_cursor(cursor: usize, len: usize, step: Move, page: usize) -> usize {
    if len == 0 {
        return 0;
    }
    let cursor = cursor.min(len - 1);
    match step {
        Move::Up => cursor.saturating_sub(1),
        Move::Down => (cursor + 1).min(len - 1),
        Move::PageUp => cursor.saturating_sub(page.max(1)),
        Move::PageDown => (cursor + page.max(1)).min(len - 1),
        Move::First => 0,
        Move::Last => len - 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_at_top() {
        // 320 px / 32 px = 10 rows visible, plus overscan below only.
        assert_eq!(visible_range(0.0, 320, 32, 10_000, 4), 0..14);
        assert_eq!(visible_range(0.0, 320, 32, 3, 4), 0..3);
        assert_eq!(visible_range(0.0, 320, 32, 0, 4), 0..0);
    }

    #[test]
    fn range_in_the_middle_is_bounded() {
        let r = visible_range(32.0 * 5000.0, 320, 32, 10_000, 4);
        assert_eq!(r, 4996..5014);
        // Half a row scrolled: the partly shown rows at both edges are drawn.
        let r = visible_range(32.0 * 5000.0 + 16.0, 320, 32, 10_000, 0);
        assert_eq!(r, 5000..5011);
    }

    #[test]
    fn range_at_and_past_the_end() {
        let max = 32.0 * 10_000.0 - 320.0;
        assert_eq!(visible_range(max, 320, 32, 10_000, 4), 9986..10_000);
        // A stale scroll position after the list shrank still yields a non-empty range.
        assert_eq!(visible_range(1e9, 320, 32, 5, 2), 2..5);
        assert_eq!(visible_range(-50.0, 320, 32, 5, 2), 0..5);
        assert_eq!(visible_range(0.0, 320, 0, 5, 0), 0..5);
    }

    #[test]
    fn pages() {
        assert_eq!(rows_per_page(320, 32), 10);
        assert_eq!(rows_per_page(330, 32), 10);
        assert_eq!(rows_per_page(10, 32), 1);
        assert_eq!(rows_per_page(10, 0), 10);
    }

    #[test]
    fn reveal_scrolls_minimally() {
        assert_eq!(reveal(0.0, 320, 32, 0), None);
        assert_eq!(reveal(0.0, 320, 32, 9), None);
        // Row 10 spans 320..352: scroll so its bottom meets the viewport's bottom.
        assert_eq!(reveal(0.0, 320, 32, 10), Some(32.0));
        assert_eq!(reveal(3200.0, 320, 32, 50), Some(1600.0));
        assert_eq!(reveal(3200.0, 320, 32, 100), None);
        assert_eq!(reveal(3210.0, 320, 32, 100), Some(3200.0));
        assert_eq!(reveal(0.0, 320, 32, 9999), Some(319_680.0));
        // A viewport shorter than a row shows the row's top.
        assert_eq!(reveal(0.0, 10, 32, 0), None);
        assert_eq!(reveal(0.0, 10, 32, 1), Some(32.0));
    }

    #[test]
    fn cursor_moves_and_stops_at_ends() {
        assert_eq!(move_cursor(0, 10, Move::Up, 4), 0);
        assert_eq!(move_cursor(0, 10, Move::Down, 4), 1);
        assert_eq!(move_cursor(9, 10, Move::Down, 4), 9);
        assert_eq!(move_cursor(5, 10, Move::PageDown, 4), 9);
        assert_eq!(move_cursor(9, 10, Move::PageUp, 4), 5);
        assert_eq!(move_cursor(2, 10, Move::PageUp, 4), 0);
        assert_eq!(move_cursor(5, 10, Move::First, 4), 0);
        assert_eq!(move_cursor(5, 10, Move::Last, 4), 9);
        assert_eq!(move_cursor(3, 0, Move::Down, 4), 0);
        // A cursor left beyond a shrunken list is pulled back first.
        assert_eq!(move_cursor(50, 10, Move::Up, 4), 8);
        assert_eq!(move_cursor(0, 10, Move::PageDown, 0), 1);
    }
}
