//! The books, end to end: a user trading USDT and BRL markets sees every figure per currency,
//! combined totals only converted at a named rate, and numbers that match the trades by hand;
//! editing a bot between trades keeps every trade; a downgrade closes positions like a stop;
//! a trade write the database refuses is reported, never silently dropped.

use std::str::FromStr;
use std::time::{Duration, Instant};

use auronex_e2e::{admin_token, Client, Server};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::bots::{send, user};
use crate::paper::{fire_tick, minute_window, turn_script};

pub const TESTS: &[crate::Test] = &[
    ("ledger::usdt_and_brl_figures_match_by_hand", usdt_and_brl_figures_match_by_hand),
    ("ledger::editing_a_bot_between_trades_keeps_every_trade", editing_a_bot_between_trades_keeps_every_trade),
    ("ledger::a_downgrade_closes_positions_like_a_stop", a_downgrade_closes_positions_like_a_stop),
    ("ledger::a_refused_trade_write_is_reported_not_dropped", a_refused_trade_write_is_reported_not_dropped),
];

/// A JSON number as an exact decimal (the Worker writes at most 8 places, well inside f64's
/// round-trip digits).
pub fn dec(value: &Value) -> Decimal {
    Decimal::from_str(&value.to_string()).unwrap_or_else(|_| panic!("not a decimal: {value}"))
}

/// An EMA-cross bot (fast 1, slow 2): it enters on the turn `turn_script` puts in the candle that
/// just closed, whatever the RSI rules are. Wide exits, so only a stop or a manual close ends it.
fn cross_bot(name: &str, symbol: &str, capital: u32) -> Value {
    json!({"name": name, "exchange": "binance", "symbols": [symbol], "capital": capital, "strategy": "scalping",
           "analysis_interval": 60,
           "params": {"fast_period": 1, "slow_period": 2, "take_profit_pct": 50, "stop_loss_pct": 50}})
}

fn set_plan(server: &Server, user_id: &str, plan: &str) {
    let admin = server.client().with_token(&admin_token(&server.client()));
    let reply = admin.patch_json(&format!("/api/admin/users/{user_id}"), &json!({"plan": plan}));
    assert_eq!(reply.status, 200, "{}", reply.body);
}

fn create_and_start(client: &Client, body: &Value) -> String {
    let reply = client.post_json("/api/bots", body);
    assert_eq!(reply.status, 201, "{}", reply.body);
    let id = reply.json()["id"].as_str().unwrap().to_string();
    assert_eq!(send(client, "PATCH", &format!("/api/bots/{id}/toggle"), None).status, 200);
    id
}

/// Every trade of the caller, newest first.
fn all_trades(client: &Client) -> Vec<Value> {
    client.get("/api/trades/?limit=500").json()["items"].as_array().cloned().unwrap_or_default()
}

/// Fires ticks (making `bots` due each time) until `done` holds for the caller's trades. The
/// bots are made due by one short write per round, a second apart: a write from the test
/// process holds the D1 file's lock, and the server's own writes meanwhile fail as busy.
fn trades_until(server: &Server, client: &Client, bots: &[&str], done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let ids: Vec<String> = bots.iter().map(|id| format!("'{id}'")).collect();
    loop {
        let trades = all_trades(client);
        if done(&trades) {
            return trades;
        }
        assert!(Instant::now() < deadline, "trades never matched: {trades:?}");
        server.d1_execute(&format!("UPDATE bots SET last_run_ms = 0 WHERE id IN ({})", ids.join(", ")));
        fire_tick(client);
        std::thread::sleep(Duration::from_millis(1_000));
    }
}

fn of_bot<'a>(trades: &'a [Value], bot: &str) -> Vec<&'a Value> {
    trades.iter().filter(|t| t["bot_id"] == bot).collect()
}

fn by_currency<'a>(list: &'a Value, currency: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|x| x["currency"] == currency)
        .unwrap_or_else(|| panic!("no {currency} in {list}"))
}

fn sum(trades: &[&Value], field: &str) -> Decimal {
    trades.iter().map(|t| if t[field].is_null() { Decimal::ZERO } else { dec(&t[field]) }).sum()
}

fn usdt_and_brl_figures_match_by_hand(server: &Server) {
    let (client, account) = user(server, "ledger-fx");
    set_plan(server, account.id(), "pro");
    let (now, minute) = minute_window();
    turn_script("LDGAUSDT", now, minute, &[]);
    turn_script("LDGABRL", now, minute, &[]);
    let usdt_bot = create_and_start(&client, &cross_bot("Dollar bot", "LDGA/USDT", 100));
    let brl_bot = create_and_start(&client, &cross_bot("Real bot", "LDGA/BRL", 500));
    trades_until(server, &client, &[&usdt_bot, &brl_bot], |t| t.len() == 2);
    for trade in all_trades(&client) {
        let reply = client.post_json(&format!("/api/trades/{}/close", trade["id"].as_str().unwrap()), &json!({}));
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    let trades = all_trades(&client);
    let (usdt, brl) = (of_bot(&trades, &usdt_bot), of_bot(&trades, &brl_bot));
    assert!(usdt.iter().chain(&brl).all(|t| t["status"] == "closed"), "{trades:?}");
    assert_eq!((usdt[0]["quote_currency"].as_str(), brl[0]["quote_currency"].as_str()), (Some("USDT"), Some("BRL")));
    let (pnl_usdt, pnl_brl) = (sum(&usdt, "profit_loss"), sum(&brl, "profit_loss"));
    assert!(!pnl_usdt.is_zero() && !pnl_brl.is_zero(), "fees and the spread cost something: {trades:?}");

    // Wallets: each currency's start balance plus its own P&L, nothing else.
    let balance = client.get("/api/exchange/balance").json();
    assert_eq!(dec(&by_currency(&balance["wallets"], "USDT")["total"]), Decimal::from(1_000) + pnl_usdt);
    assert_eq!(dec(&by_currency(&balance["wallets"], "BRL")["total"]), Decimal::from(5_000) + pnl_brl);

    // The summary: per currency by hand, the combined figure only converted at the named rate.
    let summary = client.get("/api/dashboard/summary").json();
    let rates = summary["conversion"]["rates"].as_array().unwrap();
    let usd_brl = rates.iter().find(|r| r["pair"] == "USD/BRL").expect("the USD/BRL rate is named");
    assert_eq!(usd_brl["source"], "awesomeapi");
    assert!(usd_brl["as_of"].as_str().is_some_and(|t| t.ends_with('Z')), "{usd_brl}");
    let peg = rates.iter().find(|r| r["pair"] == "USDT/USD").expect("the USDT peg is named");
    assert_eq!((peg["source"].as_str(), dec(&peg["rate"])), (Some("peg"), Decimal::ONE));
    let rate = dec(&usd_brl["rate"]);
    assert_eq!(summary["currency"], "USD");
    assert_eq!(dec(&summary["profit_today"]), pnl_usdt + (pnl_brl / rate).round_dp(8), "{summary}");
    assert_ne!(dec(&summary["profit_today"]), pnl_usdt + pnl_brl, "never a plain sum of USDT and BRL");
    assert_eq!(dec(&summary["net_profit"]), pnl_usdt + (pnl_brl / rate).round_dp(8));
    assert_eq!(summary["trades_today"], 2);
    for (currency, pnl, n) in [("USDT", pnl_usdt, usdt.len()), ("BRL", pnl_brl, brl.len())] {
        let figures = by_currency(&summary["by_currency"], currency);
        assert_eq!(dec(&figures["profit_today"]), pnl, "{currency}: {figures}");
        assert_eq!(dec(&figures["net_profit"]), pnl);
        assert_eq!(figures["closed_trades"], n);
    }
    let in_brl = client.get("/api/dashboard/summary?currency=BRL").json();
    assert_eq!(in_brl["currency"], "BRL");
    assert_eq!(dec(&in_brl["profit_today"]), (pnl_usdt * rate).round_dp(8) + pnl_brl);
    assert_eq!(client.get("/api/dashboard/summary?currency=EUR").status, 422);

    // Stats, today, a bot's own stats, the month and its CSV, the equity curve: per currency.
    let stats = client.get("/api/trades/stats").json();
    assert_eq!(stats["closed_trades"], 2);
    assert!(stats["max_drawdown"].is_null(), "two currencies' drawdowns do not add: {stats}");
    let usdt_stats = by_currency(&stats["by_currency"], "USDT");
    assert_eq!((dec(&usdt_stats["net_profit"]), dec(&usdt_stats["fees"])), (pnl_usdt, sum(&usdt, "fees")));
    let today = client.get("/api/trades/today").json();
    assert_eq!(dec(&by_currency(&today["by_currency"], "BRL")["profit_loss"]), pnl_brl);
    let bot_stats = client.get(&format!("/api/bots/{brl_bot}/stats")).json();
    assert_eq!(bot_stats["closed_trades"], brl.len());
    assert_eq!(dec(&by_currency(&bot_stats["by_currency"], "BRL")["net_profit"]), pnl_brl);
    assert_eq!(bot_stats["by_currency"].as_array().unwrap().len(), 1, "{bot_stats}");
    let other = user(server, "ledger-other").0;
    assert_eq!(other.get(&format!("/api/bots/{brl_bot}/stats")).status, 404);
    assert_eq!(other.get(&format!("/api/trades/stats?bot_id={brl_bot}")).status, 404);

    let month = entry_month(&usdt[0]);
    let listed = client.get(&format!("/api/trades/month?year={}&month={}", month.0, month.1)).json();
    assert_eq!(dec(&by_currency(&listed["totals"], "BRL")["profit_loss"]), pnl_brl);
    assert_eq!(dec(&by_currency(&listed["totals"], "USDT")["profit_loss"]), pnl_usdt);
    let csv = client.get(&format!("/api/trades/month?year={}&month={}&format=csv", month.0, month.1)).body;
    assert!(csv.lines().next().unwrap().ends_with(",quote_currency"), "{csv}");
    assert!(csv.lines().any(|line| line.ends_with(",BRL")), "{csv}");

    let equity = client.get("/api/trades/equity").json();
    let series = equity["series"].as_array().unwrap();
    let brl_series = series.iter().find(|s| s["currency"] == "BRL").expect("a BRL series");
    let last = brl_series["points"].as_array().unwrap().last().unwrap();
    assert_eq!(dec(&last["equity"]), Decimal::from(5_000) + pnl_brl, "{equity}");
}

fn entry_month(trade: &Value) -> (i32, u32) {
    let time = trade["entry_time"].as_str().unwrap();
    (time[0..4].parse().unwrap(), time[5..7].parse().unwrap())
}

fn editing_a_bot_between_trades_keeps_every_trade(server: &Server) {
    let (client, _) = user(server, "ledger-edit");
    let (now, minute) = minute_window();
    turn_script("LDGEUSDT", now, minute, &[]);
    let body = cross_bot("Edited bot", "LDGE/USDT", 200);
    let bot = create_and_start(&client, &body);
    trades_until(server, &client, &[&bot], |t| t.len() == 1);
    // Stop (closing trade 1 at the bid), edit, start: the fresh state trades the same turn again.
    assert_eq!(send(&client, "PATCH", &format!("/api/bots/{bot}/toggle"), None).status, 200);
    let mut edited_body = body.clone();
    edited_body["name"] = json!("Edited bot v2");
    edited_body["capital"] = json!(150);
    let reply = send(&client, "PUT", &format!("/api/bots/{bot}"), Some(&edited_body));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(send(&client, "PATCH", &format!("/api/bots/{bot}/toggle"), None).status, 200);
    let trades = trades_until(server, &client, &[&bot], |t| t.len() == 2);
    let ids: Vec<&str> = trades.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [format!("{bot}:2"), format!("{bot}:1")], "numbering continues after the edit");
    assert_eq!(trades[0]["status"], "open");
    let buys =
        server.d1_rows(&format!("SELECT COUNT(*) AS n FROM bot_activity WHERE bot_id = '{bot}' AND action = 'buy'"));
    assert_eq!(buys[0]["n"], 2, "every buy in the activity is in the ledger");
    let wallet = client.get("/api/exchange/balance").json();
    let usdt = by_currency(&wallet["wallets"], "USDT");
    assert_eq!(dec(&usdt["in_positions"]), dec(&trades[0]["cost"]));
    assert_eq!(dec(&usdt["total"]), Decimal::from(1_000) + dec(&trades[1]["profit_loss"]));
    // A delete closes the open trade first and keeps both in the ledger.
    assert_eq!(send(&client, "DELETE", &format!("/api/bots/{bot}"), None).status, 204);
    let after = all_trades(&client);
    assert_eq!(after.len(), 2);
    assert!(after.iter().all(|t| t["status"] == "closed"), "{after:?}");
    let stats = client.get(&format!("/api/trades/stats?bot_id={bot}")).json();
    assert_eq!(stats["closed_trades"], 2, "a deleted bot's history still counts: {stats}");
}

fn a_downgrade_closes_positions_like_a_stop(server: &Server) {
    let (client, account) = user(server, "ledger-downgrade");
    set_plan(server, account.id(), "pro");
    let (now, minute) = minute_window();
    turn_script("LDGDUSDT", now, minute, &[]);
    turn_script("LDGFUSDT", now, minute, &[]);
    let kept = create_and_start(&client, &cross_bot("Kept bot", "LDGD/USDT", 300));
    let stopped = create_and_start(&client, &cross_bot("Over the limit", "LDGF/USDT", 400));
    trades_until(server, &client, &[&kept, &stopped], |t| t.len() == 2);
    set_plan(server, account.id(), "free");

    let bots = client.get("/api/bots").json();
    let active = |id: &str| bots.as_array().unwrap().iter().find(|b| b["id"] == id).unwrap()["is_active"].clone();
    assert_eq!((active(&kept), active(&stopped)), (json!(true), json!(false)), "the newest bot stops");
    let trades = all_trades(&client);
    let closed = of_bot(&trades, &stopped);
    assert_eq!(closed.len(), 1);
    assert_eq!((closed[0]["status"].as_str(), closed[0]["exit_reason"].as_str()), (Some("closed"), Some("force_exit")));
    assert!(dec(&closed[0]["fees"]) > dec(&of_bot(&trades, &kept)[0]["fees"]) / Decimal::TWO, "the exit paid a fee");
    let activity = client.get("/api/bot-activity/recent").json();
    let line = activity.as_array().unwrap().iter().find(|a| a["bot_id"] == stopped && a["action"] == "stopped");
    assert!(line.is_some_and(|l| l["message"].as_str().unwrap().contains("free plan allows 1")), "{activity}");
    let usdt = by_currency(&client.get("/api/exchange/balance").json()["wallets"], "USDT").clone();
    let open_cost = dec(&of_bot(&trades, &kept)[0]["cost"]);
    assert_eq!(dec(&usdt["in_positions"]), open_cost, "only the kept bot holds a position");
    let total = Decimal::from(1_000) + dec(&closed[0]["profit_loss"]);
    assert_eq!(dec(&usdt["total"]), total);
    assert_eq!(dec(&usdt["available"]), total - Decimal::from(300), "the kept bot's capital only");
}

fn a_refused_trade_write_is_reported_not_dropped(server: &Server) {
    let (client, _) = user(server, "ledger-conflict");
    let (now, minute) = minute_window();
    turn_script("LDGCUSDT", now, minute, &[]);
    let bot = create_and_start(&client, &cross_bot("Conflicted bot", "LDGC/USDT", 100));
    trades_until(server, &client, &[&bot], |t| t.len() == 1);
    assert_eq!(send(&client, "PATCH", &format!("/api/bots/{bot}/toggle"), None).status, 200);
    // Tamper: forget the numbering, as the old edit did, so the next open reuses id 1.
    server.d1_execute(&format!("UPDATE bots SET state = NULL, last_trade_no = 0 WHERE id = '{bot}'"));
    assert_eq!(send(&client, "PATCH", &format!("/api/bots/{bot}/toggle"), None).status, 200);
    let deadline = Instant::now() + Duration::from_secs(20);
    let reported = loop {
        server.d1_execute(&format!("UPDATE bots SET last_run_ms = 0 WHERE id = '{bot}'"));
        fire_tick(&client);
        std::thread::sleep(Duration::from_millis(600));
        let activity = client.get("/api/bot-activity/recent").json();
        let line = activity.as_array().unwrap().iter().find(|a| a["bot_id"] == bot && a["action"] == "error").cloned();
        if let Some(line) = line {
            break line;
        }
        assert!(Instant::now() < deadline, "the refused write was never reported: {activity}");
    };
    assert!(reported["message"].as_str().unwrap().contains("trade_write_conflict"), "{reported}");
    let trades = all_trades(&client);
    assert_eq!(trades.len(), 1, "the closed trade is still there, unchanged: {trades:?}");
    assert_eq!(trades[0]["status"], "closed");
    assert!(server.log().contains("trade_write_conflict"), "and the Worker logged it");
}
