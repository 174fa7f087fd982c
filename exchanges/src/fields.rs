//! Venue payload field names declared as data, for the many venues whose book and 24h tickers
//! are flat objects: one reader each instead of one hand-written loop per venue.

use serde_json::Value;

use crate::json;
use crate::model::{BookTicker, Ticker24h};

/// Where a flat book-ticker object keeps its fields.
pub struct BookFields {
    pub symbol: &'static str,
    pub bid: &'static str,
    pub ask: &'static str,
    pub bid_qty: &'static str,
    pub ask_qty: &'static str,
}

/// Where a flat 24h-ticker object keeps its fields (`quote_volume` may be absent).
pub struct TickerFields {
    pub symbol: &'static str,
    pub last: &'static str,
    pub open: &'static str,
    pub quote_volume: &'static str,
}

/// Book tickers of `items`; markets with an empty side (no bid or no ask) are left out.
pub fn book_tickers<'a>(items: impl IntoIterator<Item = &'a Value>, f: &BookFields) -> Vec<BookTicker> {
    items
        .into_iter()
        .filter_map(|item| {
            Some(BookTicker {
                venue_symbol: item[f.symbol].as_str()?.to_string(),
                bid: json::positive(&item[f.bid])?,
                ask: json::positive(&item[f.ask])?,
                bid_qty: json::decimal(&item[f.bid_qty]),
                ask_qty: json::decimal(&item[f.ask_qty]),
            })
        })
        .collect()
}

/// 24h tickers of `items`; markets without a last or open price are left out.
pub fn tickers<'a>(items: impl IntoIterator<Item = &'a Value>, f: &TickerFields) -> Vec<Ticker24h> {
    items
        .into_iter()
        .filter_map(|item| {
            Some(Ticker24h {
                venue_symbol: item[f.symbol].as_str()?.to_string(),
                last: json::decimal(&item[f.last])?,
                open: json::decimal(&item[f.open])?,
                quote_volume: json::decimal(&item[f.quote_volume]),
            })
        })
        .collect()
}
