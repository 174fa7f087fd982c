//! `GET /api/market/history`: paging across several upstream pages (compared with the candles
//! the simulator generates), the D1 cache proven by the simulator's request counts, only
//! complete candles, and 4xx answers for over-long ranges and bad parameters.

use auronex_e2e::{Server, SimClient};
use serde_json::Value;

use crate::market::{assert_422, ok_json};

pub const TESTS: &[crate::Test] = &[
    ("history::pages_across_upstream_pages_then_serves_from_cache", pages_across_upstream_pages_then_serves_from_cache),
    ("history::only_complete_candles", only_complete_candles),
    (
        "history::over_long_ranges_are_refused_without_upstream_calls",
        over_long_ranges_are_refused_without_upstream_calls,
    ),
    ("history::bad_parameters_are_422", bad_parameters_are_422),
];

const HOUR: i64 = 3_600_000;
/// Candles per cached chunk (exchanges/src/history.rs).
const CHUNK: i64 = 1000;

fn sim() -> &'static SimClient {
    SimClient::shared()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// The simulator's own klines for `[from, to)`, asked with a query spelled differently from
/// the Worker's (interval before symbol) so they are not counted as the Worker's requests.
pub fn simulated_klines(symbol: &str, interval: &str, step_ms: i64, from: i64, to: i64) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut start = from;
    while start < to {
        let page = sim().get_json(&format!(
            "/api/v3/klines?interval={interval}&symbol={symbol}&startTime={start}&endTime={}&limit=1000",
            to - 1
        ));
        let page = page.as_array().expect("klines array").clone();
        let Some(last) = page.last() else { break };
        start = last[0].as_i64().unwrap() + step_ms;
        rows.extend(page);
    }
    rows
}

fn same_number(ours: &Value, theirs: &Value) -> bool {
    let (a, b) = (ours.as_f64().unwrap(), theirs.as_str().unwrap().parse::<f64>().unwrap());
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

fn pages_across_upstream_pages_then_serves_from_cache(server: &Server) {
    let to = (now_ms() / HOUR - 100) * HOUR;
    let from = to - 2500 * HOUR;
    let worker_pages = "/api/v3/klines?symbol=BTCUSDT&interval=1h&startTime=";
    let before = sim().distinct_matching(worker_pages);
    let path = format!("/api/market/history?exchange=binance&symbol=BTC/USDT&timeframe=1h&from={from}&to={to}");
    let body = ok_json(server, &path);
    let candles = body.as_array().unwrap();
    assert_eq!(candles.len(), 2500);
    let chunks = (to - 1) / (CHUNK * HOUR) - from / (CHUNK * HOUR) + 1;
    assert!(chunks >= 3, "the range spans several pages");
    assert_eq!(sim().distinct_matching(worker_pages) - before, chunks as usize, "one page of 1000 per cached chunk");

    let expected = simulated_klines("BTCUSDT", "1h", HOUR, from, to);
    assert_eq!(expected.len(), 2500);
    for (ours, theirs) in candles.iter().zip(&expected) {
        assert_eq!(ours["timestamp_ms"], theirs[0], "oldest first, one per hour");
        for (field, column) in [("open", 1), ("high", 2), ("low", 3), ("close", 4), ("volume", 5)] {
            assert!(same_number(&ours[field], &theirs[column]), "{field}: {ours} vs {theirs}");
        }
    }

    let after_first = sim().count_matching(worker_pages);
    assert_eq!(ok_json(server, &path), body, "the same request again");
    let inner = format!(
        "/api/market/history?exchange=binance&symbol=BTC/USDT&timeframe=1h&from={}&to={}",
        from + 700 * HOUR,
        to - 300 * HOUR
    );
    let overlap = ok_json(server, &inner);
    assert_eq!(overlap.as_array().unwrap()[..], candles[700..2200]);
    assert_eq!(sim().count_matching(worker_pages), after_first, "repeats and overlaps make no upstream call");
}

fn only_complete_candles(server: &Server) {
    let now = now_ms();
    let step = 15 * 60_000;
    let from = now - 20 * step;
    let path = format!(
        "/api/market/history?exchange=binance&symbol=LTC/USDT&timeframe=15m&from={from}&to={}",
        chrono_like(now + 10 * step)
    );
    let body = ok_json(server, &path);
    let candles = body.as_array().unwrap();
    assert!(candles.len() >= 19 && candles.len() <= 20, "{}", candles.len());
    let last = candles.last().unwrap()["timestamp_ms"].as_i64().unwrap();
    assert!(last + step <= now_ms(), "the last candle had closed when asked");
    assert!(candles[0]["timestamp_ms"].as_i64().unwrap() >= from);
}

/// An RFC 3339 time for `ms` (UTC), to exercise that input format.
fn chrono_like(ms: i64) -> String {
    let time = chrono::DateTime::from_timestamp_millis(ms).expect("a representable instant");
    time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn over_long_ranges_are_refused_without_upstream_calls(server: &Server) {
    let before = sim().count_matching("symbol=ETHUSDT&interval=1m&startTime=");
    let to = (now_ms() / 60_000) * 60_000 - 60_000;
    let from = to - 60 * 86_400_000; // 86,400 one-minute candles
    let reply = server
        .client()
        .get(&format!("/api/market/history?exchange=binance&symbol=ETH/USDT&timeframe=1m&from={from}&to={to}"));
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.error_code(), "range_too_long");
    assert!(reply.json()["error"]["message"].as_str().unwrap().contains("50000"), "{}", reply.body);
    assert_eq!(sim().count_matching("symbol=ETHUSDT&interval=1m&startTime="), before);
}

fn bad_parameters_are_422(server: &Server) {
    let base = "/api/market/history?exchange=binance&symbol=BTC/USDT&timeframe=1h";
    assert_422(server, base, "from");
    assert_422(server, &format!("{base}&from=yesterday"), "from");
    assert_422(server, &format!("{base}&from=2024-01-02&to=2024-01-01"), "to");
    assert_422(server, &format!("{base}&from=2024-01-01&to=2024-13-40"), "to");
    assert_422(
        server,
        "/api/market/history?exchange=binance&symbol=BTC/USDT&timeframe=2h&from=2024-01-01",
        "timeframe",
    );
    assert_422(server, "/api/market/history?exchange=nope&symbol=BTC/USDT&from=2024-01-01", "exchange");
    assert_422(server, "/api/market/history?exchange=binance&symbol=NOPE/USDT&from=2024-01-01&to=2024-01-02", "symbol");
    for (exchange, name) in [("kraken", "Kraken"), ("htx", "HTX")] {
        let reply = server
            .client()
            .get(&format!("/api/market/history?exchange={exchange}&symbol=BTC/USDT&from=2024-01-01&to=2024-01-02"));
        assert_eq!(reply.status, 422, "{}", reply.body);
        assert_eq!(reply.error_code(), "history_unavailable");
        assert!(reply.json()["error"]["message"].as_str().unwrap().contains(name), "{}", reply.body);
    }
}
