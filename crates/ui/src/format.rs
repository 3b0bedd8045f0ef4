//! Turning names, sizes and times into text for display. Pure, so the host tests cover it.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a character would be invisible or would reorder the text around it. Such characters
/// in a file name can disguise it (`evil\u{202E}txt.exe` reads as `evilexe.txt`), so they are
/// shown as a visible code instead.
fn is_hidden_or_reordering(c: char) -> bool {
    matches!(c,
        '\u{061C}'                 // Arabic letter mark
        | '\u{200B}'..='\u{200F}'  // zero-width space/joiners, LRM, RLM
        | '\u{2028}'..='\u{2029}'  // line and paragraph separators
        | '\u{202A}'..='\u{202E}'  // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}'  // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}'  // bidi isolates
        | '\u{FEFF}'               // zero-width no-break space / BOM
    ) || c.is_control()
}

/// The name as it should be shown: unchanged unless it holds invisible, control or bidi
/// characters, each of which becomes a visible marker such as `⟨U+202E⟩`.
pub fn display_name(name: &str) -> Cow<'_, str> {
    if !name.chars().any(is_hidden_or_reordering) {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 16);
    for c in name.chars() {
        if is_hidden_or_reordering(c) {
            let _ = write!(out, "⟨U+{:04X}⟩", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A byte count in decimal units (`1.5 MB`), as desktop file managers show it. Integer
/// arithmetic only: float formatting would add its tables to every Wasm bundle.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["kB", "MB", "GB", "TB", "PB", "EB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let b = u128::from(bytes);
    let mut div: u128 = 1000;
    for (i, unit) in UNITS.iter().enumerate() {
        let rounded = |scale: u128| (b * scale + div / 2) / div;
        let hundredths = rounded(100);
        if hundredths < 1000 {
            return format!("{}.{:02} {unit}", hundredths / 100, hundredths % 100);
        }
        let tenths = rounded(10);
        if tenths < 1000 {
            return format!("{}.{} {unit}", tenths / 10, tenths % 10);
        }
        let whole = rounded(1);
        if whole < 1000 || i + 1 == UNITS.len() {
            return format!("{whole} {unit}");
        }
        div *= 1000;
    }
    unreachable!("the last unit always returns")
}

/// `YYYY-MM-DD HH:MM` for a Unix time, shifted by `offset_minutes` east of UTC (the browser
/// supplies its local offset; tests pass 0).
pub fn format_time(unix_secs: i64, offset_minutes: i32) -> String {
    let secs = unix_secs.saturating_add(i64::from(offset_minutes) * 60);
    let days = secs.div_euclid(86_400);
    let of_day = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}", of_day / 3600, of_day % 3600 / 60)
}

/// Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm), avoiding a
/// date crate in the Wasm bundle.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// A time as nbgrader stores it (`2026-10-05 23:59:00.000000`), to the minute; any other text
/// as it is.
pub fn nbgrader_time(text: &str) -> &str {
    let b = text.as_bytes();
    let shaped = b.len() >= 16
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[..16].iter().enumerate().all(|(i, c)| [4, 7, 10, 13].contains(&i) || c.is_ascii_digit());
    if shaped { &text[..16] } else { text }
}

#[cfg(test)]
mod tests {
    #[test]
    fn nbgrader_times_are_shown_to_the_minute() {
        assert_eq!(super::nbgrader_time("2026-10-05 23:59:00.000000"), "2026-10-05 23:59");
        assert_eq!(super::nbgrader_time("2026-10-05 23:59"), "2026-10-05 23:59");
        assert_eq!(super::nbgrader_time("next Friday"), "next Friday");
        assert_eq!(super::nbgrader_time("2026-10-05é23:59:00"), "2026-10-05é23:59:00");
    }

    use super::*;

    #[test]
    fn plain_names_are_borrowed() {
        assert!(matches!(display_name("report.ipynb"), Cow::Borrowed("report.ipynb")));
        assert!(matches!(display_name("日本語 ü.txt"), Cow::Borrowed(_)));
        // Markup is not special here: it is rendered as text, never parsed.
        assert_eq!(display_name("<img src=x>"), "<img src=x>");
    }

    #[test]
    fn reordering_and_invisible_characters_are_made_visible() {
        assert_eq!(display_name("evil\u{202E}txt.exe"), "evil⟨U+202E⟩txt.exe");
        assert_eq!(display_name("a\u{2066}b\u{2069}"), "a⟨U+2066⟩b⟨U+2069⟩");
        assert_eq!(display_name("\u{FEFF}x"), "⟨U+FEFF⟩x");
        assert_eq!(display_name("zero\u{200B}width"), "zero⟨U+200B⟩width");
        assert_eq!(display_name("rlm\u{200F}"), "rlm⟨U+200F⟩");
        assert_eq!(display_name("tab\there"), "tab⟨U+0009⟩here");
        assert_eq!(display_name("nul\0"), "nul⟨U+0000⟩");
        assert_eq!(display_name("c1\u{0085}"), "c1⟨U+0085⟩");
        for c in ['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{2067}', '\u{2068}'] {
            assert!(display_name(&c.to_string()).starts_with("⟨U+"), "{c:?}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(1000), "1.00 kB");
        assert_eq!(human_size(1536), "1.54 kB");
        assert_eq!(human_size(12_345), "12.3 kB");
        assert_eq!(human_size(999_499), "999 kB");
        assert_eq!(human_size(999_960), "1.00 MB");
        assert_eq!(human_size(5_000_000_000), "5.00 GB");
        assert_eq!(human_size(u64::MAX), "18.4 EB");
    }

    #[test]
    fn times() {
        assert_eq!(format_time(0, 0), "1970-01-01 00:00");
        assert_eq!(format_time(951_782_400, 0), "2000-02-29 00:00");
        assert_eq!(format_time(1_700_000_000, 0), "2023-11-14 22:13");
        assert_eq!(format_time(1_700_000_000, 120), "2023-11-15 00:13");
        assert_eq!(format_time(-1, 0), "1969-12-31 23:59");
        // Absurd values from a broken server must not panic.
        let _ = format_time(i64::MAX, 0);
        let _ = format_time(i64::MIN, -720);
    }
}
