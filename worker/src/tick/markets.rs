//! Market data for one tick: every distinct (exchange, symbol) the due bots trade is fetched
//! once (quotes in as few requests as the venue batches, the latest 1m candles per market),
//! and each market's failure stays that market's.

use std::collections::HashMap;

use auronex_core::market::{Candle, Quote};
use auronex_exchanges::{ExchangeId, Symbol, Timeframe};

use super::evaluate::Feed;
use crate::market::{freshness, CandleRequest, MarketData};

/// Candles fetched per market: enough to warm up every strategy's defaults.
const CANDLES: u16 = 100;
const MINUTE_MS: i64 = 60_000;

pub type Feeds = HashMap<(ExchangeId, Symbol), Result<Feed, String>>;

/// `pairs` are distinct; `interval_secs` is the bots' speed (how fresh their quotes must be).
pub async fn fetch(md: &MarketData, pairs: &[(ExchangeId, Symbol)], now_ms: i64, interval_secs: u32) -> Feeds {
    let list: Vec<(ExchangeId, Symbol)> = pairs.to_vec();
    let mut quotes = md.quotes_within(&list, freshness::quote_max_age_ms(interval_secs)).await;
    let candle_start = now_ms - now_ms.rem_euclid(MINUTE_MS);
    let requests: Vec<CandleRequest> = list
        .iter()
        .map(|(exchange, symbol)| CandleRequest {
            exchange: *exchange,
            symbol: symbol.clone(),
            timeframe: Timeframe::M1,
            limit: CANDLES,
        })
        .collect();
    let candles = md.candles_many(&requests, candle_start).await;
    list.into_iter()
        .zip(candles)
        .map(|(pair, candles)| {
            let quote =
                quotes.remove(&pair).unwrap_or_else(|| Err(crate::market::MarketError::Storage("no quote".into())));
            let feed = match (quote, candles) {
                (Ok(quote), Ok(candles)) => {
                    Ok(Feed { candles: closed(candles, now_ms), quote: Quote { bid: quote.bid, ask: quote.ask } })
                }
                (Err(error), _) | (_, Err(error)) => Err(error.to_api_error().message),
            };
            (pair, feed)
        })
        .collect()
}

/// The candles that have closed by `now_ms`, as the core's type.
fn closed(candles: Vec<auronex_exchanges::Candle>, now_ms: i64) -> Vec<Candle> {
    candles
        .into_iter()
        .filter(|c| c.open_time_ms + MINUTE_MS <= now_ms)
        .map(|c| Candle {
            open_time_ms: c.open_time_ms,
            open: c.open,
            high: c.high,
            low: c.low,
            close: c.close,
            volume: c.volume,
        })
        .collect()
}
