//! The histogram's arithmetic: scores into equal-width bins from 0 to the maximum, and a
//! round top for the count axis.

/// How many of `values` fall in each of `bins` equal bins over `0..=max`. The last bin holds
/// `max` itself; values outside the range go to the nearest end bin, NaN nowhere.
pub fn bin_counts(values: impl IntoIterator<Item = f64>, max: f64, bins: usize) -> Vec<u64> {
    let bins = bins.max(1);
    let mut counts = vec![0u64; bins];
    for v in values {
        if v.is_nan() {
            continue;
        }
        let at = if max > 0.0 { (v / max * bins as f64).floor() } else { 0.0 };
        let at = if at.is_finite() { at.clamp(0.0, (bins - 1) as f64) as usize } else { bins - 1 };
        counts[at] += 1;
    }
    counts
}

/// The lower edge of each bin and the maximum: `bins + 1` numbers.
pub fn bin_edges(max: f64, bins: usize) -> Vec<f64> {
    let bins = bins.max(1);
    (0..=bins).map(|i| max.max(0.0) * i as f64 / bins as f64).collect()
}

/// The smallest of 1, 2, 5, 10, 20, 50 … at or above `n` (at least 1): the count axis's top.
pub fn nice_top(n: u64) -> u64 {
    let mut step = 1u64;
    loop {
        for m in [1, 2, 5] {
            if step.saturating_mul(m) >= n {
                return step.saturating_mul(m);
            }
        }
        step = step.saturating_mul(10);
    }
}

/// A number for an axis or a cell: at most two decimals, without trailing zeros. Written with
/// integer arithmetic: a table formats thousands of scores at once, and the float formatter's
/// exact rounding showed in its profile.
pub fn short_number(n: f64) -> String {
    // `as` saturates: absurd inputs print as the largest integer rather than panicking.
    let hundredths = (n * 100.0).round() as i64;
    let (whole, cents) = (hundredths.unsigned_abs() / 100, hundredths.unsigned_abs() % 100);
    let sign = if hundredths < 0 { "-" } else { "" };
    match cents {
        0 => format!("{sign}{whole}"),
        c if c % 10 == 0 => format!("{sign}{whole}.{}", c / 10),
        c => format!("{sign}{whole}.{c:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_land_in_their_bins() {
        let values = [0.0, 0.9, 1.0, 5.0, 9.99, 10.0, 12.0, -3.0, f64::NAN];
        assert_eq!(bin_counts(values, 10.0, 10), [3, 1, 0, 0, 0, 1, 0, 0, 0, 3]);
        assert_eq!(bin_counts(values, 10.0, 2), [4, 4]);
        assert_eq!(bin_counts([3.0, 0.0], 0.0, 4), [2, 0, 0, 0]);
        assert_eq!(bin_counts([], 10.0, 0), [0]);
    }

    #[test]
    fn edges_and_tops() {
        assert_eq!(bin_edges(10.0, 4), [0.0, 2.5, 5.0, 7.5, 10.0]);
        assert_eq!([0, 1, 2, 3, 6, 11, 49, 51, 2000].map(nice_top), [1, 1, 2, 5, 10, 20, 50, 100, 2000]);
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short_number(7.0), "7");
        assert_eq!(short_number(7.5), "7.5");
        assert_eq!(short_number(2.0 / 3.0), "0.67");
        assert_eq!(short_number(-0.001), "0");
        assert_eq!(short_number(10.10), "10.1");
        assert_eq!(short_number(-2.5), "-2.5");
        assert_eq!(short_number(100.0), "100");
        assert_eq!(short_number(0.05), "0.05");
        assert_eq!(short_number(9.999), "10");
    }
}
