//! The data table's order: which row comes where for a column and direction, apart from the
//! DOM so it can be tested. Rows with no value sort last either way, as spreadsheets do.

use std::cmp::Ordering;

/// What a cell sorts by.
#[derive(Debug, Clone, PartialEq)]
pub enum SortKey {
    Missing,
    Number(f64),
    /// Lower-cased once, when the row is built.
    Text(String),
}

impl SortKey {
    pub fn text(text: &str) -> Self {
        SortKey::Text(text.to_lowercase())
    }

    pub fn number(value: Option<f64>) -> Self {
        match value {
            Some(n) if !n.is_nan() => SortKey::Number(n),
            _ => SortKey::Missing,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortDir {
    #[default]
    Ascending,
    Descending,
}

impl SortDir {
    pub fn flipped(self) -> Self {
        match self {
            SortDir::Ascending => SortDir::Descending,
            SortDir::Descending => SortDir::Ascending,
        }
    }

    /// The `aria-sort` value.
    pub fn aria(self) -> &'static str {
        match self {
            SortDir::Ascending => "ascending",
            SortDir::Descending => "descending",
        }
    }
}

/// Compares two present keys; numbers come before texts.
fn compare(a: &SortKey, b: &SortKey) -> Ordering {
    match (a, b) {
        (SortKey::Number(x), SortKey::Number(y)) => x.total_cmp(y),
        (SortKey::Text(x), SortKey::Text(y)) => x.cmp(y),
        (SortKey::Number(_), SortKey::Text(_)) => Ordering::Less,
        (SortKey::Text(_), SortKey::Number(_)) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

/// Indices of `keys` (one key per row, of the sorted column) in display order. Stable: rows
/// with equal keys keep their given order, so sorting by one column then another nests.
pub fn sort_order(keys: &[&SortKey], dir: SortDir) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&i, &j| {
        let (a, b) = (keys[i], keys[j]);
        match (a == &SortKey::Missing, b == &SortKey::Missing) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => match dir {
                SortDir::Ascending => compare(a, b),
                SortDir::Descending => compare(b, a),
            },
        }
    });
    order
}

/// The sort after a click on column `column`'s header: the same column flips, another starts
/// ascending.
pub fn next_sort(current: Option<(usize, SortDir)>, column: usize) -> (usize, SortDir) {
    match current {
        Some((c, dir)) if c == column => (c, dir.flipped()),
        _ => (column, SortDir::Ascending),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(keys: &[SortKey], dir: SortDir) -> Vec<usize> {
        sort_order(&keys.iter().collect::<Vec<_>>(), dir)
    }

    #[test]
    fn numbers_sort_numerically_and_missing_last() {
        let keys = [
            SortKey::number(Some(10.0)),
            SortKey::number(None),
            SortKey::number(Some(2.0)),
            SortKey::number(Some(-1.5)),
            SortKey::number(Some(f64::NAN)),
        ];
        assert_eq!(order(&keys, SortDir::Ascending), [3, 2, 0, 1, 4]);
        assert_eq!(order(&keys, SortDir::Descending), [0, 2, 3, 1, 4]);
    }

    #[test]
    fn texts_ignore_case_and_ties_keep_their_order() {
        let keys =
            [SortKey::text("beta"), SortKey::text("Alpha"), SortKey::text("BETA"), SortKey::text("alpha")];
        assert_eq!(order(&keys, SortDir::Ascending), [1, 3, 0, 2]);
        assert_eq!(order(&keys, SortDir::Descending), [0, 2, 1, 3]);
    }

    #[test]
    fn header_clicks_flip_or_restart() {
        assert_eq!(next_sort(None, 2), (2, SortDir::Ascending));
        assert_eq!(next_sort(Some((2, SortDir::Ascending)), 2), (2, SortDir::Descending));
        assert_eq!(next_sort(Some((2, SortDir::Descending)), 2), (2, SortDir::Ascending));
        assert_eq!(next_sort(Some((2, SortDir::Descending)), 0), (0, SortDir::Ascending));
        assert_eq!(SortDir::Descending.aria(), "descending");
    }
}
