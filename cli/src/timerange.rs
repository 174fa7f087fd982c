//! freqtrade's `--timerange` (`20240101-20240301`, `20240101-`, `-20240301`, or Unix seconds
//! `1704067200-1709251200`): a start (inclusive) and an end (exclusive), either may be open.

use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
}

impl TimeRange {
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = |why: &str| format!("--timerange `{text}`: {why}; use YYYYMMDD-YYYYMMDD (either side may be empty)");
        let (start, end) = text.trim().split_once('-').ok_or_else(|| bad("no `-`"))?;
        let range =
            Self { start_ms: bound(start).map_err(|why| bad(&why))?, end_ms: bound(end).map_err(|why| bad(&why))? };
        match range {
            Self { start_ms: None, end_ms: None } => Err(bad("give a start, an end or both")),
            Self { start_ms: Some(s), end_ms: Some(e) } if e <= s => Err(bad("the end must be after the start")),
            range => Ok(range),
        }
    }

    pub fn contains(&self, time_ms: i64) -> bool {
        self.start_ms.is_none_or(|s| time_ms >= s) && self.end_ms.is_none_or(|e| time_ms < e)
    }
}

/// `YYYYMMDD` (00:00 UTC) or Unix seconds (10 digits); empty is an open end.
fn bound(text: &str) -> Result<Option<i64>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{text}` is not a date or a timestamp"));
    }
    match text.len() {
        8 => {
            let date = NaiveDate::parse_from_str(text, "%Y%m%d").map_err(|_| format!("`{text}` is not a date"))?;
            Ok(date.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp_millis()))
        }
        10 => text.parse::<i64>().map(|secs| Some(secs * 1000)).map_err(|e| e.to_string()),
        _ => Err(format!("`{text}` is neither YYYYMMDD nor Unix seconds")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JAN_1: i64 = 1_704_067_200_000;
    const MAR_1: i64 = 1_709_251_200_000;

    #[test]
    fn dates_and_seconds_on_either_side() {
        assert_eq!(TimeRange::parse("20240101-20240301"), Ok(TimeRange { start_ms: Some(JAN_1), end_ms: Some(MAR_1) }));
        assert_eq!(TimeRange::parse("20240101-"), Ok(TimeRange { start_ms: Some(JAN_1), end_ms: None }));
        assert_eq!(TimeRange::parse("-20240301"), Ok(TimeRange { start_ms: None, end_ms: Some(MAR_1) }));
        assert_eq!(
            TimeRange::parse("1704067200-1709251200"),
            Ok(TimeRange { start_ms: Some(JAN_1), end_ms: Some(MAR_1) })
        );
    }

    #[test]
    fn start_inclusive_end_exclusive() {
        let range = TimeRange::parse("20240101-20240301").unwrap();
        assert!(range.contains(JAN_1));
        assert!(!range.contains(JAN_1 - 1));
        assert!(range.contains(MAR_1 - 1));
        assert!(!range.contains(MAR_1));
    }

    #[test]
    fn mistakes_are_named() {
        for bad in ["", "-", "20240101", "20241301-", "2024-01-01", "20240301-20240101", "abc-def", "123-"] {
            let error = TimeRange::parse(bad).unwrap_err();
            assert!(error.contains("--timerange"), "{bad}: {error}");
        }
    }
}
