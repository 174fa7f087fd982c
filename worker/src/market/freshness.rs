//! How long each kind of market data stays fresh, and how old a value may be served as
//! `stale` when the venue is down (only where a stale value cannot mislead a trade).

use auronex_exchanges::Timeframe;

/// A cached value's age limits, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub fresh_ms: i64,
    /// Oldest value that may be served, marked stale, when the venue fails; 0 = never.
    pub stale_ms: i64,
}

const SECOND: i64 = 1000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;

/// Tradable markets and their rules change rarely; a day-old list is still right.
pub const MARKETS: Window = Window { fresh_ms: HOUR, stale_ms: 24 * HOUR };

/// Best bid/ask: fresh for one tick's worth of evaluation, never served stale.
pub const BOOK_TICKER: Window = Window { fresh_ms: 5 * SECOND, stale_ms: 0 };

/// The oldest quote a bot running every `interval_secs` may act on: younger than its interval,
/// so each run of a 1, 3 or 5-second bot sees a quote fetched since its previous run.
pub fn quote_max_age_ms(interval_secs: u32) -> i64 {
    (i64::from(interval_secs) * SECOND * 3 / 4).clamp(1, BOOK_TICKER.fresh_ms)
}

/// Top gainers over 24 hours move slowly.
pub const TOP_GAINERS: Window = Window { fresh_ms: MINUTE, stale_ms: 0 };

/// USD-BRL for display: AwesomeAPI is asked at most every five minutes.
pub const USD_BRL: Window = Window { fresh_ms: 5 * MINUTE, stale_ms: 24 * HOUR };

/// Candles: the current candle changes; refresh at a sixth of the interval, 10 s to 5 min.
pub fn candles(timeframe: Timeframe) -> Window {
    Window { fresh_ms: (timeframe.millis() / 6).clamp(10 * SECOND, 5 * MINUTE), stale_ms: 0 }
}

/// How many candles to fetch (and cache) for a request of `limit`: a few fixed sizes, so
/// different limits share one upstream request.
pub fn candle_batch(limit: u16, venue_max: u16) -> u16 {
    [100, 300, 1000].into_iter().find(|size| *size >= limit).unwrap_or(limit).min(venue_max)
}

impl Window {
    pub fn is_fresh(&self, fetched_at_ms: i64, now_ms: i64) -> bool {
        now_ms - fetched_at_ms < self.fresh_ms
    }

    pub fn may_serve_stale(&self, fetched_at_ms: i64, now_ms: i64) -> bool {
        now_ms - fetched_at_ms < self.stale_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candle_windows_scale_with_the_interval() {
        assert_eq!(candles(Timeframe::M1).fresh_ms, 10 * SECOND);
        assert_eq!(candles(Timeframe::M15).fresh_ms, 150 * SECOND);
        assert_eq!(candles(Timeframe::D1).fresh_ms, 5 * MINUTE);
    }

    #[test]
    fn batches_round_up_and_respect_the_venue() {
        assert_eq!(candle_batch(1, 1000), 100);
        assert_eq!(candle_batch(101, 1000), 300);
        assert_eq!(candle_batch(500, 1000), 1000);
        assert_eq!(candle_batch(250, 200), 200);
    }

    #[test]
    fn quotes_are_younger_than_the_bot_interval() {
        assert_eq!(quote_max_age_ms(1), 750);
        assert_eq!(quote_max_age_ms(5), 3750);
        assert_eq!(quote_max_age_ms(60), BOOK_TICKER.fresh_ms);
    }

    #[test]
    fn freshness_and_staleness() {
        assert!(USD_BRL.is_fresh(0, 299_999));
        assert!(!USD_BRL.is_fresh(0, 300_000));
        assert!(USD_BRL.may_serve_stale(0, 300_000));
        assert!(!BOOK_TICKER.may_serve_stale(0, 1));
    }
}
