//! Candle history over a time range, planned without I/O: which candles are complete, the
//! cache unit (a chunk of [`CHUNK_CANDLES`] candles aligned to the epoch), the venue pages
//! that cover a span, and the trimming of what the venue answered back to that span.
//! The Worker (`GET /api/market/history`) and the CLI (`auronex download-data`) share it.

use crate::model::{Candle, Timeframe};
use crate::request::UpstreamRequest;
use crate::venue::{HistoryPaging, Venue};

/// Candles per cached chunk: one Binance or Bybit page, a few of the others'.
pub const CHUNK_CANDLES: i64 = 1000;

/// The candles opening in `[start_ms, end_ms)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start_ms: i64,
    pub end_ms: i64,
}

impl Span {
    pub fn is_empty(&self) -> bool {
        self.end_ms <= self.start_ms
    }

    /// How many candles of `timeframe` open inside the span.
    pub fn candles(&self, timeframe: Timeframe) -> i64 {
        let first = align_up(timeframe, self.start_ms);
        if self.end_ms <= first {
            return 0;
        }
        (self.end_ms - first + timeframe.millis() - 1) / timeframe.millis()
    }
}

/// Candles opening before this instant have closed by `now_ms` (close time before now).
pub fn complete_end(timeframe: Timeframe, now_ms: i64) -> i64 {
    now_ms.div_euclid(timeframe.millis()) * timeframe.millis()
}

/// The first candle open at or after `ms`.
pub fn align_up(timeframe: Timeframe, ms: i64) -> i64 {
    let step = timeframe.millis();
    ms.div_euclid(step) * step + if ms.rem_euclid(step) == 0 { 0 } else { step }
}

/// The start of the chunk holding the candle that opens at or after `ms`.
fn chunk_of(timeframe: Timeframe, ms: i64) -> i64 {
    let length = CHUNK_CANDLES * timeframe.millis();
    ms.div_euclid(length) * length
}

/// The chunks (by start) holding the candles of `span`.
pub fn chunk_starts(timeframe: Timeframe, span: Span) -> Vec<i64> {
    if span.is_empty() {
        return Vec::new();
    }
    let length = CHUNK_CANDLES * timeframe.millis();
    let last = chunk_of(timeframe, span.end_ms - 1);
    let mut start = chunk_of(timeframe, span.start_ms);
    let mut starts = Vec::new();
    while start <= last {
        starts.push(start);
        start += length;
    }
    starts
}

/// The part of a chunk that is complete at `complete_end`.
pub fn chunk_span(timeframe: Timeframe, chunk_start: i64, complete_end: i64) -> Span {
    let end = (chunk_start + CHUNK_CANDLES * timeframe.millis()).min(complete_end);
    Span { start_ms: chunk_start, end_ms: end.max(chunk_start) }
}

/// The chunks `span` needs that the cache does not cover far enough, as the spans to fetch
/// (each whole chunk's complete part); `cached` holds `(chunk start, covered until)` pairs.
pub fn missing_chunks(timeframe: Timeframe, span: Span, complete_end: i64, cached: &[(i64, i64)]) -> Vec<Span> {
    chunk_starts(timeframe, span)
        .into_iter()
        .filter(|start| {
            let needed_until = (start + CHUNK_CANDLES * timeframe.millis()).min(span.end_ms);
            !cached.iter().any(|(cached_start, covered)| cached_start == start && *covered >= needed_until)
        })
        .map(|start| chunk_span(timeframe, start, complete_end))
        .collect()
}

/// Why a venue cannot serve a range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{venue} cannot page candle history by time: {why}")]
pub struct Unpageable {
    pub venue: &'static str,
    pub why: &'static str,
}

/// Whether the venue can serve history at all (asked before any request is made).
pub fn pageable(venue: &dyn Venue) -> Result<(), Unpageable> {
    match venue.quirks().history {
        HistoryPaging::Unavailable { why } => Err(Unpageable { venue: venue.quirks().exchange.name(), why }),
        HistoryPaging::ByTime { .. } => Ok(()),
    }
}

/// The venue's ranged requests covering `span`, oldest first, each at most one page.
pub fn page_requests(
    venue: &dyn Venue,
    venue_symbol: &str,
    timeframe: Timeframe,
    span: Span,
) -> Result<Vec<UpstreamRequest>, Unpageable> {
    pageable(venue)?;
    let unpageable = |why| Unpageable { venue: venue.quirks().exchange.name(), why };
    let page_ms = venue.history_page_ms(timeframe).ok_or_else(|| unpageable("no page size"))?;
    // Whole candles per page, so every page starts on a candle open.
    let page_ms = (page_ms / timeframe.millis()).max(1) * timeframe.millis();
    let mut requests = Vec::new();
    let mut start = align_up(timeframe, span.start_ms);
    while start < span.end_ms {
        let end = (start + page_ms).min(span.end_ms);
        requests
            .push(venue.history_request(venue_symbol, timeframe, start, end).ok_or_else(|| unpageable("no request"))?);
        start = end;
    }
    Ok(requests)
}

/// How many pages `span` costs on this venue (0 where it cannot page).
pub fn page_count(venue: &dyn Venue, timeframe: Timeframe, span: Span) -> i64 {
    let Some(page_ms) = venue.history_page_ms(timeframe) else { return 0 };
    let page_candles = (page_ms / timeframe.millis()).max(1);
    (span.candles(timeframe) + page_candles - 1) / page_candles
}

/// The candles of `span` from what pages answered (any order, overlaps and strays allowed):
/// oldest first, one per open time, only those opening inside the span.
pub fn trim(candles: impl IntoIterator<Item = Candle>, span: Span) -> Vec<Candle> {
    let mut kept: Vec<Candle> =
        candles.into_iter().filter(|c| c.open_time_ms >= span.start_ms && c.open_time_ms < span.end_ms).collect();
    kept.sort_by_key(|c| c.open_time_ms);
    kept.dedup_by_key(|c| c.open_time_ms);
    kept
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::venue::venue;
    use crate::ExchangeId;

    const HOUR: i64 = 3_600_000;

    fn candle(open_time_ms: i64) -> Candle {
        let one = Decimal::ONE;
        Candle { open_time_ms, open: one, high: one, low: one, close: one, volume: one }
    }

    #[test]
    fn complete_candles_end_at_the_current_candle() {
        assert_eq!(complete_end(Timeframe::H1, 10 * HOUR + 5), 10 * HOUR);
        assert_eq!(complete_end(Timeframe::H1, 10 * HOUR), 10 * HOUR, "a candle closing now is complete");
        assert_eq!(align_up(Timeframe::H1, HOUR + 1), 2 * HOUR);
        assert_eq!(align_up(Timeframe::H1, HOUR), HOUR);
    }

    #[test]
    fn spans_count_candles_opening_inside() {
        let span = Span { start_ms: HOUR / 2, end_ms: 3 * HOUR + 1 };
        assert_eq!(span.candles(Timeframe::H1), 3, "opens at 1h, 2h and 3h");
        assert_eq!(Span { start_ms: HOUR, end_ms: HOUR }.candles(Timeframe::H1), 0);
    }

    #[test]
    fn chunks_cover_a_span_aligned_to_the_epoch() {
        let chunk = CHUNK_CANDLES * HOUR;
        let span = Span { start_ms: chunk - HOUR, end_ms: 2 * chunk + HOUR };
        assert_eq!(chunk_starts(Timeframe::H1, span), vec![0, chunk, 2 * chunk]);
        assert_eq!(
            chunk_span(Timeframe::H1, chunk, chunk + 5 * HOUR),
            Span { start_ms: chunk, end_ms: chunk + 5 * HOUR }
        );
        assert!(chunk_starts(Timeframe::H1, Span { start_ms: 5, end_ms: 5 }).is_empty());
    }

    #[test]
    fn only_chunks_not_covered_far_enough_are_fetched() {
        let chunk = CHUNK_CANDLES * HOUR;
        let complete = 2 * chunk + 10 * HOUR;
        let span = Span { start_ms: chunk / 2, end_ms: complete };
        let all = missing_chunks(Timeframe::H1, span, complete, &[]);
        assert_eq!(all.len(), 3);
        assert_eq!(all[2], Span { start_ms: 2 * chunk, end_ms: complete }, "the last one ends at the complete candles");
        // The first chunk fully cached, the last cached only up to 5 hours in: only it is refetched.
        let cached = [(0, chunk), (chunk, 2 * chunk), (2 * chunk, 2 * chunk + 5 * HOUR)];
        assert_eq!(missing_chunks(Timeframe::H1, span, complete, &cached), vec![all[2]]);
        let shorter = Span { start_ms: chunk / 2, end_ms: 2 * chunk + 5 * HOUR };
        assert!(missing_chunks(Timeframe::H1, shorter, complete, &cached).is_empty(), "covered far enough");
    }

    #[test]
    fn pages_follow_each_venue_page_size() {
        let span = Span { start_ms: 0, end_ms: 2500 * HOUR };
        let binance = page_requests(venue(ExchangeId::Binance), "BTCUSDT", Timeframe::H1, span).unwrap();
        assert_eq!(binance.len(), 3);
        assert_eq!(
            binance[1].path_and_query,
            format!(
                "/api/v3/klines?symbol=BTCUSDT&interval=1h&startTime={}&endTime={}&limit=1000",
                1000 * HOUR,
                2000 * HOUR - 1
            )
        );
        assert_eq!(page_count(venue(ExchangeId::Binance), Timeframe::H1, span), 3);
        let okx = page_requests(venue(ExchangeId::Okx), "BTC-USDT", Timeframe::H1, span).unwrap();
        assert_eq!(okx.len(), 25);
        assert_eq!(page_count(venue(ExchangeId::Okx), Timeframe::H1, span), 25);
        let coinbase = page_requests(venue(ExchangeId::Coinbase), "BTC-USD", Timeframe::H4, span).unwrap();
        assert_eq!(coinbase.len(), 9, "300 hourly candles (75 four-hour ones) a page");
    }

    #[test]
    fn venues_that_cannot_page_by_time_are_named() {
        let span = Span { start_ms: 0, end_ms: HOUR };
        for exchange in [ExchangeId::Kraken, ExchangeId::Htx] {
            let error = page_requests(venue(exchange), "X", Timeframe::H1, span).unwrap_err();
            assert!(error.to_string().starts_with(exchange.name()), "{error}");
            assert_eq!(page_count(venue(exchange), Timeframe::H1, span), 0);
        }
    }

    #[test]
    fn trimming_sorts_dedups_and_drops_strays() {
        let span = Span { start_ms: HOUR, end_ms: 3 * HOUR };
        let kept = trim([candle(2 * HOUR), candle(0), candle(HOUR), candle(2 * HOUR), candle(3 * HOUR)], span);
        let times: Vec<i64> = kept.iter().map(|c| c.open_time_ms).collect();
        assert_eq!(times, vec![HOUR, 2 * HOUR]);
    }
}
