//! An upstream outage in a world of its own (its own simulator and `wrangler dev`, so stopping
//! the simulator disturbs no other test): a venue rate limit is honoured, cached values keep
//! being served, uncached ones fail with a clear 503, and safe values are served marked stale.

use std::time::Duration;

use auronex_e2e::{Server, Simulator};
use serde_json::json;

pub const TESTS: &[crate::Test] = &[("market_outage::venue_down_then_stale", venue_down_then_stale)];

fn venue_down_then_stale(_shared: &Server) {
    let mut sim = Simulator::start(&[]);
    let vars = sim.worker_vars();
    let refs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let server = Server::start(&refs);
    let client = server.client();

    // Warm the caches while the venue is up.
    assert_eq!(client.get("/api/exchange/symbols?exchange=binance").status, 200);
    assert_eq!(client.get("/api/cotacao/usd-brl").status, 200);
    let candles = "/api/market/candles?exchange=binance&symbol=BTC/USDT&timeframe=1h&limit=3";
    assert_eq!(client.get(candles).status, 200);

    // A 429 with Retry-After: no retry, a 503 that says when to come back.
    sim.control(
        "fault",
        &json!({"path": "/api/v3/klines", "query": "interval=4h", "status": 429, "count": 1, "retry_after": 2}),
    );
    let limited = client.get("/api/market/candles?exchange=binance&symbol=ETH/USDT&timeframe=4h");
    assert_eq!(limited.status, 503, "{}", limited.body);
    assert_eq!(limited.error_code(), "exchange_rate_limited");
    assert!(limited.header("retry-after").is_some());
    assert_eq!(sim.count_matching("interval=4h"), 1, "a 429 is not retried");
    std::thread::sleep(Duration::from_millis(2_100));

    sim.stop();

    // Cached inside its window: still served.
    assert_eq!(client.get(candles).status, 200);
    // Never fetched: a clear 503 with the error body, after bounded retries.
    let down = client.get("/api/market/candles?exchange=binance&symbol=LTC/USDT&timeframe=1d");
    assert_eq!(down.status, 503, "{}", down.body);
    assert_eq!(down.error_code(), "exchange_unavailable");
    assert!(down.header("retry-after").is_some());
    let gainers = client.get("/api/market/top-gainers?period=24h");
    assert_eq!(gainers.status, 503, "{}", gainers.body);

    // Past their freshness, values that cannot mislead a trade are served marked stale.
    server.d1_execute("UPDATE market_cache SET fetched_at_ms = fetched_at_ms - 7200000");
    // (The market list may still be fresh in the isolate's memory; either way it is served.)
    let symbols = client.get("/api/exchange/symbols?exchange=binance");
    assert_eq!(symbols.status, 200, "{}", symbols.body);
    let fx = client.get("/api/cotacao/usd-brl");
    assert_eq!(fx.status, 200, "{}", fx.body);
    assert_eq!(fx.json()["stale"], true);
    // Candles are never served stale.
    let stale_candles = client.get(candles);
    assert_eq!(stale_candles.status, 503, "{}", stale_candles.body);
}
