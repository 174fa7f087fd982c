//! `POST /api/backtests`: the Worker's report equals `auronex backtest --json` on the same
//! candles (downloaded from the simulator with `auronex download-data`) and settings; the
//! candle limit, authentication and bad bodies are refused with JSON 4xx.

use std::process::Command;

use auronex_e2e::{auronex_binary, Server};
use serde_json::{json, Value};

use crate::bots::user;
use crate::download_data::{download, out_file};

pub const TESTS: &[crate::Test] = &[
    ("backtests::report_matches_the_cli_on_the_same_candles", report_matches_the_cli_on_the_same_candles),
    ("backtests::limits_and_bad_bodies_are_refused", limits_and_bad_bodies_are_refused),
];

const DAY: i64 = 86_400_000;

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn day(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap().format("%Y-%m-%d").to_string()
}

fn text(value: &Value) -> String {
    value.as_str().map(str::to_string).unwrap_or_else(|| value.to_string())
}

fn report_matches_the_cli_on_the_same_candles(server: &Server) {
    let to = (now_ms() / DAY - 2) * DAY;
    let from = to - 60 * DAY;
    let (client, _) = user(server, "backtester");
    let body = json!({"strategy": "rsi", "params": {"period": 14, "take_profit_pct": 3, "stop_loss_pct": 2},
        "exchange": "binance", "symbol": "ETH/USDT", "timeframe": "1h", "from": day(from), "to": day(to),
        "capital": 1000});
    let reply = client.post_json("/api/backtests", &body);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let report = reply.json();
    assert_eq!(report["candles"], 60 * 24);
    let trades = report["trades"].as_array().unwrap();
    assert!(trades.len() >= 2, "a test that compares something: {report}");

    let csv = out_file("eth_1h_backtest.csv");
    let csv = csv.to_str().unwrap();
    let downloaded = download(&[
        "--exchange",
        "binance",
        "--symbol",
        "ETH/USDT",
        "--timeframe",
        "1h",
        "--from",
        &day(from),
        "--to",
        &day(to),
        "--out",
        csv,
    ]);
    assert!(downloaded.status.success(), "{}", String::from_utf8_lossy(&downloaded.stderr));
    let s = &report["settings"];
    let cli = Command::new(auronex_binary())
        .args(["backtest", "--input", csv, "--strategy", "rsi", "--json", "--symbol", "ETH/USDT"])
        .args(["--param", "period=14", "--param", "take_profit_pct=3", "--param", "stop_loss_pct=2"])
        .args(["--capital", &text(&s["capital"]), "--fee-pct", &text(&s["fee_pct"])])
        .args(["--spread-pct", &text(&s["spread_pct"]), "--slippage-pct", &text(&s["slippage_pct"])])
        .args(["--lot-step", &text(&s["lot_step"]), "--min-notional", &text(&s["min_notional"])])
        .output()
        .expect("run auronex backtest");
    assert!(cli.status.success(), "{}", String::from_utf8_lossy(&cli.stderr));
    let cli: Value = serde_json::from_slice(&cli.stdout).expect("backtest --json");
    assert_eq!(cli["trades"], report["trades"], "the same trades, field by field");
    assert_eq!(cli["metrics"], report["metrics"]);
    let _ = std::fs::remove_file(csv);
}

fn limits_and_bad_bodies_are_refused(server: &Server) {
    let (client, _) = user(server, "backtest-limits");
    let good = json!({"strategy": "macd", "exchange": "binance", "symbol": "BTC/USDT", "timeframe": "1m",
        "from": now_ms() - 30 * DAY, "capital": 500});
    let reply = client.post_json("/api/backtests", &good);
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.error_code(), "range_too_long");
    assert!(reply.body.contains("20000"), "{}", reply.body);
    let anonymous = server.client().post_json("/api/backtests", &good);
    assert_eq!(anonymous.status, 401);
    for (patch, field) in [
        (json!({"strategy": "magic"}), "strategy"),
        (json!({"from": "soon"}), "from"),
        (json!({"capital": -5}), "capital"),
        (json!({"exchange": "kraken", "timeframe": "1h", "from": "2024-01-01", "to": "2024-01-02"}), "exchange"),
    ] {
        let mut body = good.clone();
        for (key, value) in patch.as_object().unwrap() {
            body[key] = value.clone();
        }
        let reply = client.post_json("/api/backtests", &body);
        assert_eq!(reply.status, 422, "{patch}: {}", reply.body);
        assert_eq!(reply.json()["error"]["field"], field, "{patch}");
    }
    let malformed =
        client.send("POST", "/api/backtests", Some(b"{not json".to_vec()), &[("content-type", "application/json")]);
    assert_eq!(malformed.status, 400, "{}", malformed.body);
}
