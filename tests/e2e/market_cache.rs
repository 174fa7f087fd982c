//! Market data's promises to the venues, counted at the simulator: one upstream request per
//! market per freshness window (also under a burst of clients), batching of many markets into
//! one request, and a transient upstream failure retried.

use auronex_e2e::{Server, SimClient};
use serde_json::json;

use crate::market::{assert_422, ok_json};

pub const TESTS: &[crate::Test] = &[
    ("market_cache::candles_are_cached_within_the_window", candles_are_cached_within_the_window),
    ("market_cache::transient_upstream_errors_are_retried", transient_upstream_errors_are_retried),
    (
        "market_cache::a_burst_of_cold_requests_makes_one_upstream_call",
        a_burst_of_cold_requests_makes_one_upstream_call,
    ),
    ("market_cache::usd_brl_is_fetched_once_per_window", usd_brl_is_fetched_once_per_window),
    ("market_cache::quotes_batch_distinct_markets", quotes_batch_distinct_markets),
];

fn sim() -> &'static SimClient {
    SimClient::shared()
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

/// Twenty clients asking at once for data nobody has fetched yet: the venue sees one request.
fn a_burst_of_cold_requests_makes_one_upstream_call(server: &Server) {
    let path = "/api/market/candles?exchange=binance&symbol=BTC/USDT&timeframe=1d&limit=30";
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..20).map(|_| scope.spawn(|| server.client().get(path).status)).collect();
        workers.into_iter().map(|w| w.join().expect("client thread")).collect()
    });
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(sim().count("/api/v3/klines?symbol=BTCUSDT&interval=1d&limit=100"), 1);
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
