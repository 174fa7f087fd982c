//! The one trait every venue implements, and the quirks each declares as data: symbol
//! format, quote currencies, how requests batch, candle limits, rate limit, taker fee.

use rust_decimal::Decimal;

use crate::catalog::ExchangeId;
use crate::error::VenueError;
use crate::model::{BookTicker, Candle, Market, Ticker24h, Timeframe};
use crate::request::UpstreamRequest;
use crate::venues;

/// How many markets one request can cover for an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batching {
    /// One request answers for every market of the venue.
    All,
    /// One request names up to `max` markets.
    List { max: usize },
    /// One request per market.
    PerSymbol,
}

/// What the venue's "24h" ticker covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TickerWindow {
    /// A rolling 24-hour window ending now.
    Rolling24h,
    /// Since 00:00 UTC today (the venue publishes no rolling open).
    SinceMidnightUtc,
}

/// A venue's differences from the others, declared as data.
#[derive(Debug, Clone, Copy)]
pub struct Quirks {
    pub exchange: ExchangeId,
    /// How the venue spells `BTC/USDT` in requests (documentation only).
    pub symbol_format: &'static str,
    /// Quote currencies the product offers on this venue.
    pub quote_currencies: &'static [&'static str],
    pub book_ticker_batching: Batching,
    pub ticker_24h_batching: Batching,
    pub ticker_window: TickerWindow,
    /// Most candles one request returns.
    pub max_candles: u16,
    /// Public rate limit: `weight` units per `per_seconds` (per IP, as published).
    pub rate_limit_weight: u32,
    pub rate_limit_per_seconds: u32,
    /// Default (lowest-tier, no discount) spot taker fee in basis points.
    pub taker_fee_bps: u32,
    /// Whether and how the venue pages through candle history by time.
    pub history: HistoryPaging,
}

/// How a venue serves candle history for a time range (`GET /api/market/history`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryPaging {
    /// Ranged requests of at most `per_page` of the candles the venue is asked for (finer
    /// ones where it groups, see `Venue::history_page_ms`).
    ByTime { per_page: u16 },
    /// The public API cannot page candles by time; `why` says what it offers instead.
    Unavailable { why: &'static str },
}

impl Quirks {
    /// The taker fee as a fraction, e.g. 0.001 for 10 bps.
    pub fn taker_fee(&self) -> Decimal {
        Decimal::new(i64::from(self.taker_fee_bps), 4)
    }
}

/// Request builders and parsers of one venue's public spot market data. Pure: no I/O.
///
/// Parsers take the request that produced the payload (for venues whose answer does not name
/// the market) and return the unified types; any error envelope inside a 2xx answer is turned
/// into a classified [`VenueError`] there.
pub trait Venue: Sync {
    fn quirks(&self) -> &'static Quirks;

    /// (a) Every tradable spot market with its trading rules.
    fn markets_request(&self) -> UpstreamRequest;
    fn parse_markets(&self, body: &str) -> Result<Vec<Market>, VenueError>;

    /// (b) Best bid/ask for these markets, batched as `book_ticker_batching` allows.
    fn book_ticker_requests(&self, venue_symbols: &[&str]) -> Vec<UpstreamRequest>;
    fn parse_book_tickers(&self, request: &UpstreamRequest, body: &str) -> Result<Vec<BookTicker>, VenueError>;

    /// (c) 24-hour tickers for these markets; an empty slice asks for every market where one
    /// request can (and gives no request where it cannot).
    fn ticker_24h_requests(&self, venue_symbols: &[&str]) -> Vec<UpstreamRequest>;
    fn parse_tickers_24h(&self, request: &UpstreamRequest, body: &str) -> Result<Vec<Ticker24h>, VenueError>;

    /// (d) The latest `limit` candles (at most `max_candles`), oldest first once parsed.
    /// `now_ms` is for venues whose candle endpoint wants an explicit time range.
    fn candles_request(&self, venue_symbol: &str, timeframe: Timeframe, limit: u16, now_ms: i64) -> UpstreamRequest;
    fn parse_candles(&self, request: &UpstreamRequest, body: &str) -> Result<Vec<Candle>, VenueError>;

    /// (e) One page of candle history: the candles opening in `[start_ms, end_ms)`, a span of
    /// at most [`Venue::history_page_ms`], parsed by `parse_candles` (the caller trims to the
    /// span). `None` where `quirks().history` is `Unavailable`.
    fn history_request(
        &self,
        venue_symbol: &str,
        timeframe: Timeframe,
        start_ms: i64,
        end_ms: i64,
    ) -> Option<UpstreamRequest>;

    /// The time one history page covers at `timeframe`: `per_page` candles of that length,
    /// or of the finer length the venue groups from (Coinbase's 4h, Mercado Bitcoin's 5m/4h).
    fn history_page_ms(&self, timeframe: Timeframe) -> Option<i64> {
        match self.quirks().history {
            HistoryPaging::ByTime { per_page } => Some(i64::from(per_page) * timeframe.millis()),
            HistoryPaging::Unavailable { .. } => None,
        }
    }

    /// Classifies a non-2xx answer from its status and body.
    fn classify_error(&self, status: u16, body: &str) -> VenueError;
}

/// The venue module for an exchange.
pub fn venue(exchange: ExchangeId) -> &'static dyn Venue {
    match exchange {
        ExchangeId::Binance => &venues::binance::Binance,
        ExchangeId::Bybit => &venues::bybit::Bybit,
        ExchangeId::Okx => &venues::okx::Okx,
        ExchangeId::Kraken => &venues::kraken::Kraken,
        ExchangeId::Coinbase => &venues::coinbase::Coinbase,
        ExchangeId::Gateio => &venues::gateio::Gateio,
        ExchangeId::Htx => &venues::htx::Htx,
        ExchangeId::Kucoin => &venues::kucoin::Kucoin,
        ExchangeId::Mercadobitcoin => &venues::mercadobitcoin::MercadoBitcoin,
        ExchangeId::Foxbit => &venues::foxbit::Foxbit,
    }
}

/// Splits `items` into the request-sized chunks a batching rule allows.
pub fn chunks<'a>(batching: Batching, items: &'a [&'a str]) -> Vec<&'a [&'a str]> {
    match batching {
        Batching::All => vec![items],
        Batching::List { max } => items.chunks(max.max(1)).collect(),
        Batching::PerSymbol => items.chunks(1).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_exchange_has_a_venue_with_matching_quirks() {
        for exchange in ExchangeId::ALL {
            let quirks = venue(exchange).quirks();
            assert_eq!(quirks.exchange, exchange);
            assert!(!quirks.quote_currencies.is_empty());
            assert!(quirks.max_candles >= 100, "{exchange}");
            assert!(quirks.taker_fee() > Decimal::ZERO && quirks.taker_fee() < Decimal::new(1, 2));
        }
    }

    #[test]
    fn chunking_follows_the_batching_rule() {
        let items = ["a", "b", "c"];
        assert_eq!(chunks(Batching::List { max: 2 }, &items).len(), 2);
        assert_eq!(chunks(Batching::PerSymbol, &items).len(), 3);
        assert_eq!(chunks(Batching::All, &items).len(), 1);
    }
}
