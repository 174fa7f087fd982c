//! Paper trading end to end against the simulator's scripted prices: an RSI bot opens on the
//! newest closed candle (history is warm-up only), at the ask, and closes at the bid on
//! take-profit and stop-loss with fees deducted; two ticks at once write nothing twice; the
//! trade endpoints agree with the trades; a failing market does not stop another bot.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use auronex_e2e::{Client, Server, SimClient};
use serde_json::{json, Value};

use crate::bots::{send, user, valid_bot};

pub const TESTS: &[crate::Test] = &[
    ("paper::rsi_bot_opens_at_the_ask_and_closes_at_the_bid", rsi_bot_opens_at_the_ask_and_closes_at_the_bid),
    ("paper::a_failing_market_does_not_stop_another_bot", a_failing_market_does_not_stop_another_bot),
];

pub(crate) fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// Waits for a moment 2 to 30 s into a minute, so the candle that just closed is the one the
/// script turns in and the test ends before the next one closes. Returns (now, minute start).
pub(crate) fn minute_window() -> (i64, i64) {
    loop {
        let now = now_ms();
        let into = now.rem_euclid(60_000);
        if (2_000..30_000).contains(&into) {
            return (now, now - into);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A 24-minute fall to 60, then a turn to 66 inside the candle that just closed (RSI leaves
/// oversold there), flat until `then` moves it, as `[seconds from now, price]` points.
pub(crate) fn turn_script(symbol: &str, now: i64, minute: i64, then: &[(f64, f64)]) -> Value {
    let points = turn_points(now, minute, then);
    SimClient::shared().control("script", &json!({"symbol": symbol, "points": points}));
    points
}

/// The points of `turn_script`, for any simulator.
pub fn turn_points(now: i64, minute: i64, then: &[(f64, f64)]) -> Value {
    let at = |ms: i64| (ms - now) as f64 / 1000.0;
    let mut points = vec![
        json!([at(minute - 1_500_000), 100.0]),
        json!([at(minute - 60_000), 60.0]),
        json!([at(minute - 10_000), 66.0]),
    ];
    points.extend(then.iter().map(|(secs, price)| json!([secs, price])));
    json!(points)
}

pub(crate) fn fire_tick(client: &Client) {
    let reply = client.get("/__scheduled?cron=*+*+*+*+*");
    assert_eq!(reply.status, 200, "{}", reply.body);
}

/// Polls the caller's trades until `done` holds for them (15 s at most), firing a tick each round.
pub(crate) fn trades_until(client: &Client, query: &str, done: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    trades_until_after(client, query, || {}, done)
}

/// Polls the caller's trades until `done` holds for them (15 s at most), firing a tick after
/// `before_tick` each round.
fn trades_until_after(
    client: &Client,
    query: &str,
    before_tick: impl Fn(),
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let items =
            client.get(&format!("/api/trades/?{query}")).json()["items"].as_array().cloned().unwrap_or_default();
        if done(&items) {
            return items;
        }
        assert!(Instant::now() < deadline, "trades never matched: {items:?}");
        before_tick();
        fire_tick(client);
        std::thread::sleep(Duration::from_millis(500));
    }
}

pub fn book(symbol: &str) -> (f64, f64) {
    let sim = Client::new(&SimClient::shared().base_url);
    let reply = sim.get(&format!("/api/v3/ticker/bookTicker?symbol={symbol}")).json();
    let number = |key: &str| reply[key].as_str().unwrap().parse::<f64>().unwrap();
    (number("bidPrice"), number("askPrice"))
}

fn close_to(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// The ledger keeps amounts to 8 places (each rounded half-even): within one unit of the exact
/// value (two roundings meet in a P&L less its fees).
fn ledger_close(recorded: f64, exact: f64) -> bool {
    (recorded - exact).abs() <= 1e-8 + 1e-12 * exact.abs().max(1.0)
}

fn num(value: &Value) -> f64 {
    value.as_f64().unwrap_or_else(|| panic!("not a number: {value}"))
}

fn rsi_bot_opens_at_the_ask_and_closes_at_the_bid(server: &Server) {
    let (client, _) = user(server, "paper");
    let mut body = valid_bot();
    body["symbols"] = json!(["TPUP/USDT", "SLDN/USDT"]);
    body["capital"] = json!(200);
    // A minute bot, run by the cron tick only; the test makes it due again between ticks.
    body["analysis_interval"] = json!(60);
    let bot = client.post_json("/api/bots", &body).json();
    let id = bot["id"].as_str().unwrap().to_string();
    let make_due = || server.d1_execute(&format!("UPDATE bots SET last_run_ms = 0 WHERE id = '{id}'"));
    let (now, minute) = minute_window();
    turn_script("TPUPUSDT", now, minute, &[(9.0, 66.0), (9.001, 80.0)]);
    turn_script("SLDNUSDT", now, minute, &[(9.0, 66.0), (9.001, 50.0)]);
    assert_eq!(send(&client, "PATCH", &format!("/api/bots/{id}/toggle"), None).status, 200);
    let asks = (book("TPUPUSDT").1, book("SLDNUSDT").1);

    // Two ticks at once: one wins the bot's version, the other writes nothing.
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let c = server.client();
            std::thread::spawn(move || fire_tick(&c))
        })
        .collect();
    handles.into_iter().for_each(|h| h.join().unwrap());
    let open = trades_until_after(&client, &format!("bot_id={id}&status=open"), make_due, |t| t.len() == 2);
    for trade in &open {
        let ask = if trade["symbol"] == "TPUP/USDT" { asks.0 } else { asks.1 };
        assert!(close_to(num(&trade["entry_price"]), ask), "entry at the ask {ask}: {trade}");
        let notional = num(&trade["entry_price"]) * num(&trade["quantity"]);
        assert!(ledger_close(num(&trade["fees"]), notional * 0.001), "0.1 % taker fee: {trade}");
        assert!(trade["id"].as_str().unwrap().starts_with(&format!("{id}:")));
    }
    make_due();
    fire_tick(&client);
    let activity = client.get("/api/bot-activity/recent").json();
    let buys = activity.as_array().unwrap().iter().filter(|a| a["action"] == "buy").count();
    assert_eq!(buys, 2, "one buy per symbol, never twice: {activity}");

    // After the move: take-profit on the rise, stop-loss on the fall, both at the bid.
    let wait = (now + 13_000 - now_ms()).max(0) as u64;
    std::thread::sleep(Duration::from_millis(wait));
    let bids = (book("TPUPUSDT").0, book("SLDNUSDT").0);
    let closed = trades_until_after(&client, &format!("bot_id={id}&status=closed"), make_due, |t| t.len() == 2);
    let mut net = 0.0;
    for trade in &closed {
        let (bid, reason) =
            if trade["symbol"] == "TPUP/USDT" { (bids.0, "take_profit") } else { (bids.1, "stop_loss") };
        assert_eq!(trade["exit_reason"], reason, "{trade}");
        assert!(close_to(num(&trade["exit_price"]), bid), "exit at the bid {bid}: {trade}");
        let (entry, exit, qty) = (num(&trade["entry_price"]), num(&trade["exit_price"]), num(&trade["quantity"]));
        assert!(ledger_close(num(&trade["fees"]), (entry + exit) * qty * 0.001), "{trade}");
        assert!(ledger_close(num(&trade["profit_loss"]), (exit - entry) * qty - num(&trade["fees"])), "{trade}");
        net += num(&trade["profit_loss"]);
    }
    assert!(closed.iter().any(|t| num(&t["profit_loss"]) > 0.0) && closed.iter().any(|t| num(&t["profit_loss"]) < 0.0));
    agree_with_trades(&client, &closed, net);
    owner_only(server, &id, closed[0]["id"].as_str().unwrap());
}

fn agree_with_trades(client: &Client, closed: &[Value], net: f64) {
    let stats = client.get("/api/trades/stats").json();
    assert_eq!(
        (stats["total_trades"].clone(), stats["wins"].clone(), stats["losses"].clone()),
        (json!(2), json!(1), json!(1))
    );
    assert!(close_to(num(&stats["net_profit"]), net), "{stats}");
    assert_eq!(stats["win_rate"], 50);
    let today = client.get("/api/trades/today").json();
    assert_eq!(today["count"], 2);
    assert!(close_to(num(&today["profit_loss"]), net), "{today}");
    let balance = client.get("/api/exchange/balance").json();
    assert!(close_to(num(&balance["total"]), 1000.0 + net), "{balance}");
    let summary = client.get("/api/dashboard/summary").json();
    assert_eq!((summary["trades_today"].clone(), summary["bots_active"].clone()), (json!(2), json!(1)), "{summary}");
    let date = closed[0]["entry_time"].as_str().unwrap();
    let (year, month) = (&date[..4], date[5..7].trim_start_matches('0'));
    let csv = client.get(&format!("/api/trades/month?year={year}&month={month}&format=csv"));
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(lines[0].starts_with("id,bot_id,exchange,symbol,"), "{}", csv.body);
    assert_eq!(lines.len(), 3, "{}", csv.body);
    for trade in closed {
        let row = lines.iter().find(|l| l.starts_with(trade["id"].as_str().unwrap())).expect("each trade is a row");
        assert!(row.contains(",closed,") && row.contains(trade["exit_reason"].as_str().unwrap()), "{row}");
    }
    let json_month = client.get(&format!("/api/trades/month?year={year}&month={month}")).json();
    assert_eq!(json_month["items"].as_array().unwrap().len(), 2);
    let page = client.get("/api/trades/?limit=1").json();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let cursor = page["next_cursor"].as_str().expect("a second page");
    let rest = client.get(&format!("/api/trades/?limit=1&cursor={cursor}")).json();
    assert_ne!(rest["items"][0]["id"], page["items"][0]["id"]);
    assert!(rest["next_cursor"].is_null(), "{rest}");
}

fn owner_only(server: &Server, bot_id: &str, trade_id: &str) {
    let (other, _) = user(server, "paperpeek");
    assert_eq!(other.get(&format!("/api/trades/?bot_id={bot_id}")).json()["items"], json!([]));
    assert_eq!(send(&other, "POST", &format!("/api/trades/{trade_id}/close"), None).status, 404);
    assert_eq!(other.get("/api/bot-activity/recent").json(), json!([]));
    assert_eq!(other.get("/api/trades/stats").json()["total_trades"], 0);
}

fn a_failing_market_does_not_stop_another_bot(server: &Server) {
    let (failing, _) = user(server, "paperfail");
    let (healthy, _) = user(server, "paperok");
    let create = |client: &Client, symbol: &str| {
        let mut body = valid_bot();
        body["symbols"] = json!([symbol]);
        body["analysis_interval"] = json!(5);
        let id = client.post_json("/api/bots", &body).json()["id"].as_str().unwrap().to_string();
        assert_eq!(send(client, "PATCH", &format!("/api/bots/{id}/toggle"), None).status, 200);
        id
    };
    let sim = SimClient::shared();
    sim.control(
        "fault",
        &json!({"path": "/api/v3/klines", "query": "symbol=FAILUSDT", "status": 500, "count": 10_000}),
    );
    let (now, minute) = minute_window();
    turn_script("OKUPUSDT", now, minute, &[]);
    let bad = create(&failing, "FAIL/USDT");
    let good = create(&healthy, "OKUP/USDT");
    fire_tick(&healthy);
    let opened = trades_until(&healthy, &format!("bot_id={good}"), |t| t.len() == 1);
    assert_eq!(opened[0]["status"], "open");
    // Manual close at the bid.
    let bid = book("OKUPUSDT").0;
    let closed = send(&healthy, "POST", &format!("/api/trades/{}/close", opened[0]["id"].as_str().unwrap()), None);
    assert_eq!(closed.status, 200, "{}", closed.body);
    assert_eq!(closed.json()["exit_reason"], "force_exit");
    assert!(close_to(num(&closed.json()["exit_price"]), bid));
    let errors = failing.get("/api/bot-activity/recent").json();
    let error = errors.as_array().unwrap().iter().find(|a| a["action"] == "error" && a["bot_id"] == bad.as_str());
    assert!(error.is_some_and(|e| e["message"].as_str().unwrap().contains("FAIL/USDT")), "{errors}");
    assert_eq!(failing.get("/api/trades/").json()["items"], json!([]));
    assert_eq!(send(&failing, "PATCH", &format!("/api/bots/{bad}/toggle"), None).json()["is_active"], false);
    assert_eq!(send(&healthy, "PATCH", &format!("/api/bots/{good}/toggle"), None).json()["is_active"], false);
}
