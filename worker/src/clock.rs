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

/// Milliseconds, RFC 3339 or `YYYY-MM-DD`, between 1970 and 9999.
pub fn parse_time_ms(text: &str) -> Option<i64> {
    const MAX_MS: i64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
    let ms = if text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse::<i64>().ok()?
    } else if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
        time.timestamp_millis()
    } else {
        let date = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
        date.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis()
    };
    (0..=MAX_MS).contains(&ms).then_some(ms)
}

#[cfg(test)]
mod tests {
    use super::parse_time_ms;

    #[test]
    fn times_as_millis_rfc3339_or_dates() {
        assert_eq!(parse_time_ms("1704067200000"), Some(1_704_067_200_000));
        assert_eq!(parse_time_ms("2024-01-01T00:00:00Z"), Some(1_704_067_200_000));
        assert_eq!(parse_time_ms("2024-01-01T03:00:00+03:00"), Some(1_704_067_200_000));
        assert_eq!(parse_time_ms("2024-01-01"), Some(1_704_067_200_000));
        for bad in ["", "-5", "2024-13-01", "yesterday", "99999999999999999999", "1e12"] {
            assert_eq!(parse_time_ms(bad), None, "{bad}");
        }
    }
}
