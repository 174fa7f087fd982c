//! Wall-clock time for the edges (the core takes time as an argument): RFC 3339 UTC strings.

use worker::js_sys;

pub fn now_rfc3339() -> String {
    String::from(js_sys::Date::new_0().to_iso_string())
}

/// Milliseconds since the Unix epoch. In Workers the clock advances only across I/O.
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// `2026-01-01T00:00:00.000Z` (pure: no JS clock, so it also runs in native tests).
pub fn rfc3339_from_ms(ms: i64) -> String {
    use chrono::{DateTime, SecondsFormat};
    DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true)).unwrap_or_default()
}
