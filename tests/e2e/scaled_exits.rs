//! A partial take-profit on a live paper bot: part of the position is sold at the first
//! target (a new closed trade), the open trade keeps the rest, and the final target sells it;
//! the quantities add up to what was bought and the paper wallet to start plus both P&Ls.

use std::time::Duration;

use auronex_e2e::{Server, SimClient};
use serde_json::json;

use crate::bots::{send, user, valid_bot};
use crate::paper::{fire_tick, minute_window, now_ms, trades_until};

pub const TESTS: &[crate::Test] = &[(
    "scaled_exits::a_partial_take_profit_sells_a_share_and_the_rest_later",
    a_partial_take_profit_sells_a_share_and_the_rest_later,
)];

fn number(value: &serde_json::Value) -> f64 {
    value.as_f64().unwrap_or_else(|| panic!("not a number: {value}"))
}

fn a_partial_take_profit_sells_a_share_and_the_rest_later(server: &Server) {
    let (client, _) = user(server, "scaled");
    let (now, minute) = minute_window();
    let at = |ms: i64| (ms - now) as f64 / 1000.0;
    // Oversold after a long fall, then +5 % (the partial target, 3 %) and +12 % (the final, 10 %).
    let points = json!([
        [at(minute - 1_500_000), 100.0],
        [at(minute - 10_000), 60.0],
        [5.0, 60.0],
        [5.001, 63.0],
        [9.0, 63.0],
        [9.001, 67.2]
    ]);
    SimClient::shared().control("script", &json!({"symbol": "PARTUSDT", "points": points}));
    let mut body = valid_bot();
    body["symbols"] = json!(["PART/USDT"]);
    body["capital"] = json!(500);
    body["params"] = json!({"period": 14, "entry": "below", "oversold": 40, "stop_loss_pct": 5,
                            "take_profit_pct": 10, "partial_take_profit_pct": 3, "partial_share_pct": 40});
    let reply = client.post_json("/api/bots", &body);
    assert_eq!(reply.status, 201, "{}", reply.body);
    let id = reply.json()["id"].as_str().unwrap().to_string();
    let before = client.get("/api/exchange/balance").json();
    assert_eq!(send(&client, "PATCH", &format!("/api/bots/{id}/toggle"), None).status, 200);
    let due = || server.d1_execute(&format!("UPDATE bots SET last_run_ms = 0 WHERE id = '{id}'"));
    fire_tick(&client);
    let bought = trades_until(&client, "status=open", |t| {
        due();
        t.len() == 1
    });
    let bought_quantity = number(&bought[0]["quantity"]);

    std::thread::sleep(Duration::from_millis((now + 6_000 - now_ms()).max(0) as u64));
    let partial = trades_until(&client, "status=closed", |t| {
        due();
        t.len() == 1
    });
    assert_eq!(partial[0]["exit_reason"], "partial_take_profit", "{partial:?}");
    let open = client.get("/api/trades/?status=open").json()["items"].as_array().unwrap().clone();
    assert_eq!(open.len(), 1, "the rest stays open: {open:?}");
    assert_eq!(open[0]["id"], bought[0]["id"], "under the trade's own id");
    let (sold, kept) = (number(&partial[0]["quantity"]), number(&open[0]["quantity"]));
    assert!((sold - bought_quantity * 0.4).abs() <= bought_quantity * 0.01, "40 % sold: {sold} of {bought_quantity}");
    assert!((sold + kept - bought_quantity).abs() < 1e-9, "{sold} + {kept} = {bought_quantity}");
    // The running totals' open cost follows the reduced row (migration 0017's trigger).
    let rows = server.d1_rows(&format!(
        "SELECT t.cost_units AS row, l.open_cost_units AS total, l.closed_trades AS closed FROM trades t \
         JOIN ledger_totals l ON l.bot_id = t.bot_id AND l.currency = t.quote_currency WHERE t.bot_id = '{id}' AND t.status = 'open'"
    ));
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["row"], rows[0]["total"], "{rows:?}");
    assert_eq!(rows[0]["closed"], 1, "{rows:?}");

    std::thread::sleep(Duration::from_millis((now + 10_000 - now_ms()).max(0) as u64));
    let closed = trades_until(&client, "status=closed", |t| {
        due();
        t.len() == 2
    });
    let last = closed.iter().find(|t| t["id"] == bought[0]["id"]).unwrap_or_else(|| panic!("{closed:?}"));
    assert_eq!(last["exit_reason"], "take_profit");
    assert!((number(&last["quantity"]) - kept).abs() < 1e-12);
    let pnl: f64 = closed.iter().map(|t| number(&t["profit_loss"])).sum();
    assert!(closed.iter().all(|t| number(&t["profit_loss"]) > 0.0), "{closed:?}");
    let usdt = |balance: &serde_json::Value| {
        let wallets = balance["wallets"].as_array().cloned().unwrap_or_default();
        let row = wallets.iter().find(|w| w["currency"] == "USDT").cloned().unwrap_or_else(|| panic!("{balance}"));
        number(&row["total"])
    };
    let after = client.get("/api/exchange/balance").json();
    assert!((usdt(&after) - usdt(&before) - pnl).abs() < 1e-6, "wallet {before} -> {after}, P&L {pnl}");
    let stats = client.get(&format!("/api/bots/{id}/stats")).json();
    assert_eq!(stats["closed_trades"], 2, "{stats}");
    assert_eq!(stats["wins"], 2, "{stats}");
}
