//! Binance's public spot endpoints over the simulated markets, in Binance's formats
//! (binance-spot-api-docs rest-api.md): exchangeInfo, klines, bookTicker, ticker/price,
//! ticker/24hr (FULL and MINI) and depth, with Binance's error bodies for bad parameters.

use serde_json::{json, Value};

use super::market::Track;
use super::query::{fmt8, Query, Reply};

const DAY_MS: i64 = 86_400_000;

/// Interval lengths Binance accepts (`1M` has no fixed length and is refused here).
fn interval_ms(interval: &str) -> Option<i64> {
    let minute = 60_000;
    Some(match interval {
        "1m" => minute,
        "3m" => 3 * minute,
        "5m" => 5 * minute,
        "15m" => 15 * minute,
        "30m" => 30 * minute,
        "1h" => 60 * minute,
        "2h" => 120 * minute,
        "4h" => 240 * minute,
        "6h" => 360 * minute,
        "8h" => 480 * minute,
        "12h" => 720 * minute,
        "1d" => DAY_MS,
        "3d" => 3 * DAY_MS,
        "1w" => 7 * DAY_MS,
        _ => return None,
    })
}

/// Start of the bucket holding `t`; weeks start on Monday (1970-01-05 was one).
fn bucket_start(t: i64, length: i64) -> i64 {
    let shift = if length == 7 * DAY_MS { 4 * DAY_MS } else { 0 };
    (t - shift).div_euclid(length) * length + shift
}

/// A deterministic quantity in [0.1, 10) for a symbol at an instant.
fn quantity(seed: &str, at_ms: i64) -> f64 {
    let mut x = at_ms as u64 ^ 0x9E37_79B9_7F4A_7C15;
    for byte in seed.bytes() {
        x = (x ^ u64::from(byte)).wrapping_mul(0x100_0000_01B3);
    }
    x ^= x >> 33;
    0.1 + (x % 9_900) as f64 / 1_000.0
}

fn lot_step(price: f64) -> f64 {
    if price >= 1_000.0 {
        0.00001
    } else if price >= 10.0 {
        0.0001
    } else {
        0.1
    }
}

/// The markets a request names through `symbol` or `symbols`, or all of them.
pub fn select<'a>(tracks: &'a [Track], query: &Query) -> Result<Vec<&'a Track>, Reply> {
    let find = |name: &str| {
        tracks.iter().find(|t| t.symbol() == name).ok_or_else(|| Reply::binance_error(400, -1121, "Invalid symbol."))
    };
    if let Some(symbol) = query.get("symbol") {
        return Ok(vec![find(symbol)?]);
    }
    if let Some(list) = query.get("symbols") {
        let names: Vec<String> = serde_json::from_str(list)
            .map_err(|_| Reply::binance_error(400, -1100, "Illegal characters found in parameter 'symbols'."))?;
        return names.iter().map(|name| find(name)).collect();
    }
    Ok(tracks.iter().collect())
}

/// One object for `symbol=`, an array otherwise, as Binance answers.
fn one_or_many(query: &Query, items: Vec<Value>) -> Value {
    match (query.get("symbol"), items.len()) {
        (Some(_), 1) => items.into_iter().next().unwrap_or(Value::Null),
        _ => Value::Array(items),
    }
}

pub fn exchange_info(tracks: &[Track], query: &Query, now: i64) -> Reply {
    let selected = match select(tracks, query) {
        Ok(selected) => selected,
        Err(reply) => return reply,
    };
    let symbols: Vec<Value> = selected
        .iter()
        .map(|track| {
            let tick = track.tick(now);
            let step = lot_step(track.price(now));
            json!({
                "symbol": track.symbol(), "status": "TRADING",
                "baseAsset": track.base, "baseAssetPrecision": 8,
                "quoteAsset": track.quote, "quotePrecision": 8, "quoteAssetPrecision": 8,
                "baseCommissionPrecision": 8, "quoteCommissionPrecision": 8,
                "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"],
                "icebergAllowed": true, "ocoAllowed": true, "otoAllowed": true, "opoAllowed": true,
                "quoteOrderQtyMarketAllowed": true, "allowTrailingStop": true,
                "cancelReplaceAllowed": true, "amendAllowed": true, "pegInstructionsAllowed": true,
                "isSpotTradingAllowed": true, "isMarginTradingAllowed": false,
                "filters": [
                    {"filterType": "PRICE_FILTER", "minPrice": fmt8(tick), "maxPrice": "1000000.00000000", "tickSize": fmt8(tick)},
                    {"filterType": "LOT_SIZE", "minQty": fmt8(step), "maxQty": "9000.00000000", "stepSize": fmt8(step)},
                    {"filterType": "NOTIONAL", "minNotional": "5.00000000", "applyMinToMarket": true, "maxNotional": "9000000.00000000", "applyMaxToMarket": false, "avgPriceMins": 5}
                ],
                "permissions": [], "permissionSets": [["SPOT"]],
                "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
                "allowedSelfTradePreventionModes": ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"]
            })
        })
        .collect();
    Reply::ok(json!({
        "timezone": "UTC",
        "serverTime": now,
        "rateLimits": [
            {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 100},
            {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 61000}
        ],
        "exchangeFilters": [],
        "symbols": symbols
    }))
}

pub fn klines(tracks: &[Track], query: &Query, now: i64) -> Reply {
    let Some(symbol) = query.get("symbol") else {
        return Reply::mandatory("symbol");
    };
    let Some(interval) = query.get("interval") else {
        return Reply::mandatory("interval");
    };
    let Some(track) = tracks.iter().find(|t| t.symbol() == symbol) else {
        return Reply::binance_error(400, -1121, "Invalid symbol.");
    };
    let Some(length) = interval_ms(interval) else {
        return Reply::binance_error(400, -1120, "Invalid interval.");
    };
    let limit = match query.get("limit").map(str::parse::<i64>) {
        None => 500,
        Some(Ok(limit)) if limit > 0 => limit.min(1000),
        Some(_) => {
            return Reply::binance_error(
                400,
                -1100,
                "Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'.",
            )
        }
    };
    let time = |name: &str| query.get(name).and_then(|v| v.parse::<i64>().ok());
    let last_bucket = bucket_start(time("endTime").unwrap_or(now).min(now), length);
    // A ranged page (`startTime`, as candle history pages) starts at the first open at or
    // after startTime and stops at endTime (inclusive) or after `limit` candles.
    let first_bucket = match time("startTime") {
        Some(start) if bucket_start(start, length) == start => start,
        Some(start) => bucket_start(start, length) + length,
        None => last_bucket - (limit - 1) * length,
    };
    let rows: Vec<Value> = (0..limit)
        .map(|i| first_bucket + i * length)
        .filter(|open| *open <= last_bucket)
        .map(|open| {
            let close_time = open + length - 1;
            let [o, h, l, c, v] = track.ohlcv(open, (open + length).min(now + 1));
            let trades = (v * 10.0).round() as i64 + 1;
            let quote = v * (o + c) / 2.0;
            json!([
                open,
                fmt8(o),
                fmt8(h),
                fmt8(l),
                fmt8(c),
                fmt8(v),
                close_time,
                fmt8(quote),
                trades,
                fmt8(v / 2.0),
                fmt8(quote / 2.0),
                "0"
            ])
        })
        .collect();
    Reply::ok(Value::Array(rows))
}

pub fn book_ticker(tracks: &[Track], query: &Query, now: i64) -> Reply {
    match select(tracks, query) {
        Err(reply) => reply,
        Ok(selected) => {
            let items = selected.iter().map(|track| {
                let (bid, ask) = track.bid_ask(now);
                json!({"symbol": track.symbol(), "bidPrice": fmt8(bid), "bidQty": fmt8(quantity(&track.base, now)),
                       "askPrice": fmt8(ask), "askQty": fmt8(quantity(&track.quote, now))})
            });
            Reply::ok(one_or_many(query, items.collect()))
        }
    }
}

pub fn price(tracks: &[Track], query: &Query, now: i64) -> Reply {
    match select(tracks, query) {
        Err(reply) => reply,
        Ok(selected) => {
            let items = selected.iter().map(|track| json!({"symbol": track.symbol(), "price": fmt8(track.price(now))}));
            Reply::ok(one_or_many(query, items.collect()))
        }
    }
}

pub fn ticker_24hr(tracks: &[Track], query: &Query, now: i64) -> Reply {
    let mini = match query.get("type") {
        None | Some("FULL") => false,
        Some("MINI") => true,
        Some(_) => return Reply::binance_error(400, -1139, "Invalid ticker type."),
    };
    let selected = match select(tracks, query) {
        Ok(selected) => selected,
        Err(reply) => return reply,
    };
    let open_time = now - DAY_MS;
    let items = selected.iter().map(|track| {
        let [open, high, low, last, volume] = track.ohlcv(open_time, now + 1);
        let quote_volume = volume * (open + last) / 2.0;
        let count = (volume * 10.0).round() as i64 + 1;
        let first_id = open_time / 1000;
        let mut item = json!({
            "symbol": track.symbol(), "openPrice": fmt8(open), "highPrice": fmt8(high),
            "lowPrice": fmt8(low), "lastPrice": fmt8(last), "volume": fmt8(volume),
            "quoteVolume": fmt8(quote_volume), "openTime": open_time, "closeTime": now,
            "firstId": first_id, "lastId": first_id + count - 1, "count": count
        });
        if !mini {
            let (bid, ask) = track.bid_ask(now);
            let change = last - open;
            let extra = json!({
                "priceChange": fmt8(change),
                "priceChangePercent": format!("{:.3}", if open > 0.0 { change / open * 100.0 } else { 0.0 }),
                "weightedAvgPrice": fmt8(if volume > 0.0 { quote_volume / volume } else { last }),
                "prevClosePrice": fmt8(open), "lastQty": fmt8(quantity(&track.symbol(), now)),
                "bidPrice": fmt8(bid), "bidQty": fmt8(quantity(&track.base, now)),
                "askPrice": fmt8(ask), "askQty": fmt8(quantity(&track.quote, now))
            });
            if let (Some(item), Value::Object(extra)) = (item.as_object_mut(), extra) {
                item.extend(extra);
            }
        }
        item
    });
    Reply::ok(one_or_many(query, items.collect()))
}

pub fn depth(tracks: &[Track], query: &Query, now: i64) -> Reply {
    let Some(symbol) = query.get("symbol") else {
        return Reply::mandatory("symbol");
    };
    let Some(track) = tracks.iter().find(|t| t.symbol() == symbol) else {
        return Reply::binance_error(400, -1121, "Invalid symbol.");
    };
    let limit = query.get("limit").and_then(|l| l.parse::<i64>().ok()).unwrap_or(100).clamp(1, 5000);
    let (bid, ask) = track.bid_ask(now);
    let tick = track.tick(now);
    let level = |price: f64, i: i64| json!([fmt8(price), fmt8(quantity(symbol, now + i))]);
    let bids: Vec<Value> = (0..limit).map(|i| level(bid - i as f64 * tick, i)).filter(|_| bid > 0.0).collect();
    let asks: Vec<Value> = (0..limit).map(|i| level(ask + i as f64 * tick, -i - 1)).collect();
    Reply::ok(json!({"lastUpdateId": now, "bids": bids, "asks": asks}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exchange_sim::market::PricePath;

    fn tracks() -> Vec<Track> {
        vec![Track {
            base: "BTC".into(),
            quote: "USDT".into(),
            path: PricePath::Scripted { points: vec![(0, 100.0), (600_000, 110.0)] },
        }]
    }

    #[test]
    fn klines_end_with_the_current_candle() {
        let now = 610_000;
        let reply = klines(&tracks(), &Query::parse("symbol=BTCUSDT&interval=5m&limit=3"), now);
        let rows = reply.body.as_array().unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[2][0], 600_000);
        assert_eq!(rows[1][0], 300_000);
        assert_eq!(rows[2][4], "110.00000000");
        assert_eq!(rows[0][6], 299_999);
    }

    #[test]
    fn ranged_pages_follow_start_end_and_limit() {
        let now = 3_000_000;
        let page = |query: &str| {
            let reply = klines(&tracks(), &Query::parse(query), now);
            reply.body.as_array().unwrap().iter().map(|row| row[0].as_i64().unwrap()).collect::<Vec<_>>()
        };
        assert_eq!(page("symbol=BTCUSDT&interval=5m&startTime=0&endTime=899999&limit=1000"), [0, 300_000, 600_000]);
        assert_eq!(
            page("symbol=BTCUSDT&interval=5m&startTime=1&endTime=900000&limit=1000"),
            [300_000, 600_000, 900_000]
        );
        assert_eq!(page("symbol=BTCUSDT&interval=5m&startTime=0&limit=2"), [0, 300_000]);
    }

    #[test]
    fn bad_parameters_get_binance_errors() {
        let now = 0;
        let unknown = klines(&tracks(), &Query::parse("symbol=NOPE&interval=1m"), now);
        assert_eq!((unknown.status, unknown.body["code"].as_i64()), (400, Some(-1121)));
        let interval = klines(&tracks(), &Query::parse("symbol=BTCUSDT&interval=2m"), now);
        assert_eq!(interval.body["code"], -1120);
        assert_eq!(klines(&tracks(), &Query::parse("interval=1m"), now).body["code"], -1102);
    }

    #[test]
    fn single_symbol_answers_an_object() {
        let one = book_ticker(&tracks(), &Query::parse("symbol=BTCUSDT"), 0);
        assert_eq!(one.body["symbol"], "BTCUSDT");
        let list = book_ticker(&tracks(), &Query::parse("symbols=%5B%22BTCUSDT%22%5D"), 0);
        assert_eq!(list.body[0]["symbol"], "BTCUSDT");
        let full = ticker_24hr(&tracks(), &Query::parse(""), 700_000);
        assert_eq!(full.body[0]["priceChangePercent"], "10.000");
    }
}
