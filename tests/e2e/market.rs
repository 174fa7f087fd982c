//! Market data against the exchange simulator: every endpoint's shape, validation (422 with
//! the field), caching proven by counting upstream requests at the simulator, batching, and a
//! transient upstream failure retried.

use auronex_e2e::{Server, SimClient};
use serde_json::{json, Value};

pub const TESTS: &[crate::Test] = &[
    ("market::exchanges_lists_ten_venues", exchanges_lists_ten_venues),
    ("market::symbols_come_from_the_venue", symbols_come_from_the_venue),
    ("market::symbols_need_a_known_exchange", symbols_need_a_known_exchange),
    ("market::candles_are_oldest_first_with_ohlcv", candles_are_oldest_first_with_ohlcv),
    ("market::candles_refuse_bad_input_with_422", candles_refuse_bad_input_with_422),
    ("market::candles_are_cached_within_the_window", candles_are_cached_within_the_window),
    ("market::transient_upstream_errors_are_retried", transient_upstream_errors_are_retried),
    ("market::top_gainers_lists_five_by_change", top_gainers_lists_five_by_change),
    ("market::usd_brl_is_fetched_once_per_window", usd_brl_is_fetched_once_per_window),
    ("market::quotes_batch_distinct_markets", quotes_batch_distinct_markets),
    ("market::unreachable_venues_answer_a_clear_error", unreachable_venues_answer_a_clear_error),
];

fn sim() -> &'static SimClient {
    SimClient::shared()
}

fn ok_json(server: &Server, path: &str) -> Value {
    let reply = server.client().get(path);
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    reply.json()
}

fn assert_422(server: &Server, path: &str, field: &str) {
    let reply = server.client().get(path);
    assert_eq!(reply.status, 422, "{path}: {}", reply.body);
    assert_eq!(reply.error_code(), "validation_error", "{path}");
    assert_eq!(reply.json()["error"]["field"], field, "{path}");
}

fn exchanges_lists_ten_venues(server: &Server) {
    let body = ok_json(server, "/api/exchanges");
    let ids: Vec<&str> = body.as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["binance", "bybit", "okx", "kraken", "coinbase", "gateio", "htx", "kucoin", "mercadobitcoin", "foxbit"]
    );
    for exchange in body.as_array().unwrap() {
        assert!(exchange["name"].is_string());
        assert!(!exchange["quote_currencies"].as_array().unwrap().is_empty(), "{exchange}");
        assert!(exchange["taker_fee"].as_f64().unwrap() > 0.0);
    }
    let mb = &body[8];
    assert_eq!(mb["quote_currencies"], json!(["BRL"]));
}

fn symbols_come_from_the_venue(server: &Server) {
    let body = ok_json(server, "/api/exchange/symbols?exchange=binance");
    assert_eq!(body["exchange"], "binance");
    let symbols: Vec<&str> = body["symbols"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    for expected in ["BTC/USDT", "ETH/USDT", "LTC/USDT", "ALPHA/USDT"] {
        assert!(symbols.contains(&expected), "{expected} missing from {symbols:?}");
    }
    assert!(body.get("stale").is_none());
    ok_json(server, "/api/exchange/symbols/?exchange=binance");
    assert!(
        sim().count_path("/api/v3/exchangeInfo") <= 1,
        "the market list is fetched once per hour, however many ask"
    );
}

fn symbols_need_a_known_exchange(server: &Server) {
    assert_422(server, "/api/exchange/symbols?exchange=nope", "exchange");
    assert_422(server, "/api/exchange/symbols?exchange=Binance", "exchange");
    assert_422(server, "/api/exchange/symbols", "exchange");
}

fn candles_are_oldest_first_with_ohlcv(server: &Server) {
    let body = ok_json(server, "/api/market/candles?exchange=binance&symbol=BTC/USDT&timeframe=1h&limit=5");
    let candles = body.as_array().unwrap();
    assert_eq!(candles.len(), 5);
    let mut previous = 0;
    for candle in candles {
        let time = candle["timestamp_ms"].as_i64().unwrap();
        assert!(time > previous && time % 3_600_000 == 0, "{candle}");
        previous = time;
        assert!(candle["time"].as_str().unwrap().ends_with(":00:00.000Z"), "{candle}");
        let [open, high, low, close] = ["open", "high", "low", "close"].map(|k| candle[k].as_f64().unwrap());
        assert!(high >= open.max(close) && low <= open.min(close) && low > 0.0, "{candle}");
        assert!(candle["volume"].as_f64().unwrap() >= 0.0);
    }
}

fn candles_refuse_bad_input_with_422(server: &Server) {
    let base = "/api/market/candles?exchange=binance";
    assert_422(server, &format!("{base}&symbol=BTC/USDT&timeframe=2h"), "timeframe");
    assert_422(server, &format!("{base}&symbol=NOPE/USDT&timeframe=1h"), "symbol");
    assert_422(server, &format!("{base}&symbol=BTCUSDT&timeframe=1h"), "symbol");
    assert_422(server, &format!("{base}&timeframe=1h"), "symbol");
    assert_422(server, &format!("{base}&symbol=BTC/USDT&limit=0"), "limit");
    assert_422(server, &format!("{base}&symbol=BTC/USDT&limit=1001"), "limit");
    assert_422(server, &format!("{base}&symbol=BTC/USDT&limit=ten"), "limit");
    assert_422(server, "/api/market/candles?exchange=mtgox&symbol=BTC/USD", "exchange");
}

fn candles_are_cached_within_the_window(server: &Server) {
    let upstream = "/api/v3/klines?symbol=LTCUSDT&interval=15m&limit=100";
    let path = "/api/market/candles?exchange=binance&symbol=LTC/USDT&timeframe=15m";
    let first = ok_json(server, &format!("{path}&limit=7"));
    assert_eq!(first.as_array().unwrap().len(), 7);
    assert_eq!(sim().count(upstream), 1);
    let second = ok_json(server, &format!("{path}&limit=7"));
    assert_eq!(first, second, "served from the cache");
    let shorter = ok_json(server, &format!("{path}&limit=3"));
    assert_eq!(shorter.as_array().unwrap()[..], first.as_array().unwrap()[4..]);
    assert_eq!(sim().count(upstream), 1, "a second call inside the window makes no upstream request");
}

fn transient_upstream_errors_are_retried(server: &Server) {
    sim().control(
        "fault",
        &json!({"path": "/api/v3/klines", "query": "symbol=ETHUSDT&interval=5m", "status": 503, "count": 1}),
    );
    let body = ok_json(server, "/api/market/candles?exchange=binance&symbol=ETH/USDT&timeframe=5m&limit=3");
    assert_eq!(body.as_array().unwrap().len(), 3);
    assert_eq!(
        sim().count("/api/v3/klines?symbol=ETHUSDT&interval=5m&limit=100"),
        2,
        "one 503, then one successful retry"
    );
}

fn top_gainers_lists_five_by_change(server: &Server) {
    let body = ok_json(server, "/api/market/top-gainers?period=24h");
    let items = body.as_array().unwrap();
    assert_eq!(items.len(), 5, "{body}");
    let changes: Vec<f64> = items.iter().map(|i| i["change_pct"].as_f64().unwrap()).collect();
    assert!(changes.windows(2).all(|w| w[0] >= w[1]), "sorted by change: {changes:?}");
    assert_eq!(items[0]["symbol"], "ALPHA/USDT", "{body}");
    assert!((changes[0] - 50.0).abs() < 0.01, "the scripted +50%: {changes:?}");
    assert!(items.iter().all(|i| i["price"].as_f64().unwrap() > 0.0));
    assert!(items.iter().all(|i| i["symbol"] != "GAMMA/USDT"), "the loser is not a top gainer");
    assert_eq!(sim().count("/api/v3/ticker/24hr?type=MINI"), 1);
    ok_json(server, "/api/market/top-gainers");
    assert_eq!(sim().count("/api/v3/ticker/24hr?type=MINI"), 1, "cached for a minute");
    assert_422(server, "/api/market/top-gainers?period=7d", "period");
    assert_422(server, "/api/market/top-gainers?exchange=coinbase", "exchange");
}

fn usd_brl_is_fetched_once_per_window(server: &Server) {
    let body = ok_json(server, "/api/cotacao/usd-brl");
    let (rate, bid, ask) =
        (body["rate"].as_f64().unwrap(), body["bid"].as_f64().unwrap(), body["ask"].as_f64().unwrap());
    assert!(bid < ask && bid <= rate && rate <= ask, "{body}");
    assert!((5.0..6.0).contains(&rate), "around the simulator's base rate: {body}");
    assert_eq!(body["source"], "awesomeapi");
    assert!(body["updated_at"].as_str().unwrap().ends_with('Z'));
    assert!(body.get("stale").is_none());
    let again = ok_json(server, "/api/cotacao/usd-brl");
    assert_eq!(again["rate"], body["rate"]);
    assert_eq!(sim().count("/json/last/USD-BRL"), 1, "cached for five minutes");
}

fn quotes_batch_distinct_markets(server: &Server) {
    let pairs = "binance:BTC/USDT,binance:BETA/USDT,binance:GAMMA/USDT,binance:BTC/USDT,binance:NOPE/USDT";
    let body = ok_json(server, &format!("/api/market/quotes?pairs={pairs}"));
    let items = body.as_array().unwrap();
    assert_eq!(items.len(), 4, "duplicates collapse: {body}");
    for item in &items[..3] {
        let (bid, ask) = (item["bid"].as_f64().unwrap(), item["ask"].as_f64().unwrap());
        assert!(bid > 0.0 && ask > bid, "{item}");
        assert_eq!(item["taker_fee"].as_f64(), Some(0.001));
    }
    assert_eq!(items[3]["symbol"], "NOPE/USDT");
    assert_eq!(items[3]["error"]["code"], "validation_error");
    assert_eq!(sim().count_path("/api/v3/ticker/bookTicker"), 1, "three markets, one batched request");
    ok_json(server, &format!("/api/market/quotes?pairs={pairs}"));
    assert_eq!(sim().count_path("/api/v3/ticker/bookTicker"), 1, "cached inside the window");
    assert_422(server, "/api/market/quotes?pairs=binance-BTC/USDT", "pairs");
    assert_422(server, "/api/market/quotes", "pairs");
}

/// Venues the simulator does not speak answer 404 there: a clear 502, never a panic, and
/// nothing leaves the machine.
fn unreachable_venues_answer_a_clear_error(server: &Server) {
    let reply = server.client().get("/api/exchange/symbols?exchange=kraken");
    assert_eq!(reply.status, 502, "{}", reply.body);
    assert_eq!(reply.error_code(), "bad_exchange_response");
    assert!(sim().count_path("/__unsimulated/kraken/0/public/AssetPairs") >= 1);
}
