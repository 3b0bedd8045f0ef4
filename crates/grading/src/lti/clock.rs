//! Score timestamps. AGS orders a user's scores by their `timestamp`, and Moodle answers 409 to
//! one not later than the score it holds, so every score this process sends carries a
//! strictly later timestamp than the one before, even within a microsecond, and even if the
//! system clock steps back.

use std::sync::Mutex;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[derive(Default)]
pub struct ScoreClock {
    /// Last timestamp handed out, in microseconds since the epoch.
    last: Mutex<i128>,
}

impl ScoreClock {
    pub fn new() -> Self {
        Self::default()
    }

    /// A timestamp strictly after every earlier one from this clock, and after `not_before`
    /// (microseconds; e.g. the timestamp an LMS said it already holds).
    pub fn next_after(&self, not_before: i128) -> OffsetDateTime {
        let now = OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000;
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        *last = now.max(*last + 1).max(not_before + 1);
        OffsetDateTime::from_unix_timestamp_nanos(*last * 1000).expect("a time within range")
    }

    pub fn next(&self) -> OffsetDateTime {
        self.next_after(i128::MIN / 2)
    }
}

/// RFC 3339 with microseconds, in UTC: `2026-11-22T03:04:05.123456Z`.
pub fn format(at: OffsetDateTime) -> String {
    let at = at.replace_nanosecond(at.microsecond() * 1000).expect("valid");
    at.format(&Rfc3339).expect("UTC times format")
}

/// Microseconds since the epoch of an RFC 3339 timestamp (as an LMS reports it back).
pub fn parse_micros(text: &str) -> Option<i128> {
    OffsetDateTime::parse(text, &Rfc3339).ok().map(|t| t.unix_timestamp_nanos() / 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strictly_increasing_even_when_called_in_a_burst() {
        let clock = ScoreClock::new();
        let stamps: Vec<_> = (0..10_000).map(|_| clock.next()).collect();
        assert!(stamps.windows(2).all(|w| w[0] < w[1]));
        let texts: Vec<_> = stamps.iter().map(|t| format(*t)).collect();
        assert!(
            texts.windows(2).all(|w| parse_micros(&w[0]) < parse_micros(&w[1])),
            "microsecond text keeps the order"
        );
    }

    #[test]
    fn later_than_what_the_lms_holds() {
        let clock = ScoreClock::new();
        let future = OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000 + 3_600_000_000;
        let t = clock.next_after(future);
        assert_eq!(t.unix_timestamp_nanos() / 1000, future + 1);
        assert!(clock.next().unix_timestamp_nanos() / 1000 > future + 1, "and stays after it");
    }

    #[test]
    fn formats_with_microseconds_in_utc() {
        let t = OffsetDateTime::from_unix_timestamp_nanos(1_795_000_000_123_456_789).unwrap();
        assert_eq!(format(t), "2026-11-18T11:06:40.123456Z");
        assert_eq!(parse_micros("2026-11-18T11:06:40.123456Z"), Some(1_795_000_000_123_456));
        assert_eq!(parse_micros("2026-11-18T12:06:40.123456+01:00"), Some(1_795_000_000_123_456));
        assert_eq!(parse_micros("yesterday"), None);
    }
}
