//! Copy trading of bots: a bot linked to its owner's channel publishes its paper trades there.
//! A follower's socket receives the bot's open after the tick that opened it (ticket = trade id,
//! the trade's quantity and entry price) and its close after the tick that closed it; linking
//! is owner-only.

use std::time::Duration;

use auronex_e2e::{Account, Client, Server, Socket};
use serde_json::{json, Value};

use crate::bots::{send, user, valid_bot};
use crate::paper::{fire_tick, minute_window, now_ms, trades_until, turn_script};

pub const TESTS: &[crate::Test] = &[
    ("copier_bots::a_bots_paper_trades_reach_followers", a_bots_paper_trades_reach_followers),
    ("copier_bots::a_bots_trades_are_published_once_ever", a_bots_trades_are_published_once_ever),
];

fn num(value: &Value) -> f64 {
    match value {
        Value::String(text) => text.parse().unwrap(),
        other => other.as_f64().unwrap_or(f64::NAN),
    }
}

/// A channel of `owner`'s and a follower copying its volumes one to one (to 8 places).
fn channel_with_fan(server: &Server, owner: &Client, tag: &str) -> (String, Account) {
    let channel = owner.post_json("/api/copier/channels", &json!({"name": "Bot signals"})).json();
    let fan = Account::register(&server.client(), tag);
    let joined = server.client().with_token(&fan.access_token).post_json(
        "/api/copier/subscriptions",
        &json!({"invite_code": channel["invite_code"], "trade_copy": {"mode": "multiplier", "multiplier": 1, "lot_step": 0.00000001, "min_lot": 0.00000001}}),
    );
    assert_eq!(joined.status, 201, "{}", joined.body);
    (channel["id"].as_str().unwrap().to_string(), fan)
}

fn a_bots_paper_trades_reach_followers(server: &Server) {
    let (owner, _) = user(server, "botpublisher");
    let (channel_id, fan) = channel_with_fan(server, &owner, "botfan");

    let (now, minute) = minute_window();
    turn_script("PUBAUSDT", now, minute, &[(9.0, 66.0), (9.001, 80.0)]);
    let mut body = valid_bot();
    body["symbols"] = json!(["PUBA/USDT"]);
    body["analysis_interval"] = json!(5);
    let bot = owner.post_json("/api/bots", &body);
    assert_eq!(bot.status, 201, "{}", bot.body);
    let bot_id = bot.json()["id"].as_str().unwrap().to_string();

    // Linking: only the owner's bot, only to a channel the owner publishes.
    let path = format!("/api/bots/{bot_id}/channel");
    let (stranger, _) = user(server, "botstranger");
    let theirs = stranger.post_json("/api/copier/channels", &json!({"name": "Not yours"})).json();
    let refused = send(&owner, "PUT", &path, Some(&json!({"channel_id": theirs["id"]})));
    assert_eq!(refused.status, 403, "{}", refused.body);
    let unknown = send(&owner, "PUT", &path, Some(&json!({"channel_id": "nope"})));
    assert_eq!((unknown.status, unknown.json()["error"]["field"].as_str()), (422, Some("channel_id")));
    assert_eq!(send(&stranger, "PUT", &path, Some(&json!({"channel_id": theirs["id"]}))).status, 404);
    let linked = send(&owner, "PUT", &path, Some(&json!({"channel_id": channel_id})));
    assert_eq!((linked.status, linked.json()["channel_id"].as_str()), (200, Some(channel_id.as_str())));
    assert_eq!(owner.get(&path).json()["channel_id"], channel_id.as_str());

    let mut socket = Socket::connect(server, &fan.access_token, &channel_id, None).expect("follower connects");
    assert_eq!(socket.next()["type"], "hello");
    assert_eq!(send(&owner, "PATCH", &format!("/api/bots/{bot_id}/toggle"), None).status, 200);
    fire_tick(&owner);
    let open = trades_until(&owner, &format!("bot_id={bot_id}&status=open"), |t| t.len() == 1).remove(0);
    let signal = socket.next_event();
    assert_eq!(signal["type"], "signal", "{signal}");
    assert_eq!(signal["data"]["ticket"], open["id"], "{signal}");
    assert_eq!(
        (signal["data"]["symbol"].as_str(), signal["data"]["action"].as_str()),
        (Some("PUBA/USDT"), Some("BUY"))
    );
    assert!((num(&signal["data"]["price"]) - num(&open["entry_price"])).abs() < 1e-9, "{signal} vs {open}");
    assert!((num(&signal["data"]["volume"]) - num(&open["quantity"])).abs() < 1e-6, "{signal} vs {open}");
    socket.assert_quiet();

    // The take-profit closes it at a later tick: the close follows, once.
    let wait = (now + 13_000 - now_ms()).max(0) as u64;
    std::thread::sleep(Duration::from_millis(wait));
    let closed = trades_until(&owner, &format!("bot_id={bot_id}&status=closed"), |t| t.len() == 1).remove(0);
    let close = socket.next_event();
    assert_eq!((close["type"].as_str(), close["data"]["ticket"].as_str()), (Some("close"), closed["id"].as_str()));
    fire_tick(&owner);
    socket.assert_quiet();
    let history = owner.get(&format!("/api/copier/channels/{channel_id}/signals")).json();
    assert_eq!(history["items"].as_array().unwrap().len(), 2, "one open and one close: {history}");
}

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Writes trade `no` of the bot straight into D1 (amounts as text and as units), open or closed
/// at `exit_ms`, on a symbol the bot does not trade so its own run never meets the row.
fn insert_trade(server: &Server, bot_id: &str, user_id: &str, no: u32, entry_ms: i64, exit_ms: Option<i64>) {
    let (status, exit_price, pnl, pct, exit, reason, pnl_units) = match exit_ms {
        Some(exit) => ("closed", "'52'", "'1'", "'4'", exit.to_string(), "'take_profit'", "100000000"),
        None => ("open", "NULL", "NULL", "NULL", "NULL".to_string(), "NULL", "NULL"),
    };
    server.d1_execute(&format!(
        "INSERT INTO trades (id, bot_id, user_id, exchange, symbol, quote_currency, status, entry_price, exit_price, \
         quantity, cost, fees, profit_loss, profit_pct, entry_ms, exit_ms, exit_reason, cost_units, fees_units, pnl_units) \
         VALUES ('{bot_id}:{no}', '{bot_id}', '{user_id}', 'binance', 'ONCEX/USDT', 'USDT', '{status}', '50', {exit_price}, \
         '0.5', '25', '0.025', {pnl}, {pct}, {entry_ms}, {exit}, {reason}, 2500000000, 2500000, {pnl_units})"
    ));
}

fn close_trade(server: &Server, bot_id: &str, no: u32, exit_ms: i64) {
    server.d1_execute(&format!(
        "UPDATE trades SET status = 'closed', exit_price = '52', profit_loss = '1', profit_pct = '4', \
         exit_ms = {exit_ms}, exit_reason = 'take_profit', pnl_units = 100000000 WHERE id = '{bot_id}:{no}'"
    ));
}

/// Makes the bot due and fires a tick; waits until the tick has run it (its `last_run_ms` moved)
/// and a moment more for its publishing, which follows the run's writes.
fn run_once(server: &Server, owner: &Client, bot_id: &str) {
    server.d1_execute(&format!("UPDATE bots SET last_run_ms = 0 WHERE id = '{bot_id}'"));
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        fire_tick(owner);
        std::thread::sleep(Duration::from_millis(500));
        let ran = server.d1_rows(&format!("SELECT last_run_ms FROM bots WHERE id = '{bot_id}'"));
        if ran[0]["last_run_ms"].as_i64().is_some_and(|ms| ms > 0) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the tick never ran the bot");
    }
    std::thread::sleep(Duration::from_millis(1_500));
}

fn history(owner: &Client, channel_id: &str) -> Vec<(String, String)> {
    let history = owner.get(&format!("/api/copier/channels/{channel_id}/signals?limit=1000")).json();
    let items = history["items"].as_array().cloned().unwrap_or_default();
    items
        .iter()
        .map(|item| (item["type"].as_str().unwrap().to_string(), item["ticket"].as_str().unwrap().to_string()))
        .collect()
}

/// Trades older than the room's 7-day idempotency window, a stop and start (which resets the
/// bot's `last_run_ms`) and an edit: each trade's open and close reach the channel once, and
/// nothing from before the link ever does.
fn a_bots_trades_are_published_once_ever(server: &Server) {
    let (owner, account) = user(server, "botonce");
    let (channel_id, fan) = channel_with_fan(server, &owner, "botoncefan");

    // A flat market (tests/data/sim_script.json): RSI 0 there is not oversold, so the bot opens
    // nothing of its own.
    let mut body = valid_bot();
    body["symbols"] = json!(["ONCE/USDT"]);
    let bot = owner.post_json("/api/bots", &body);
    assert_eq!(bot.status, 201, "{}", bot.body);
    let bot_id = bot.json()["id"].as_str().unwrap().to_string();
    let user_id = account.id().to_string();

    // History from before the link, closed 8 and 9 days ago: never published.
    let now = now_ms();
    insert_trade(server, &bot_id, &user_id, 1, now - 10 * DAY_MS, Some(now - 9 * DAY_MS));
    insert_trade(server, &bot_id, &user_id, 2, now - 9 * DAY_MS, Some(now - 8 * DAY_MS));
    let path = format!("/api/bots/{bot_id}/channel");
    assert_eq!(send(&owner, "PUT", &path, Some(&json!({"channel_id": channel_id}))).status, 200);
    let mut socket = Socket::connect(server, &fan.access_token, &channel_id, None).expect("follower connects");
    assert_eq!(socket.next()["type"], "hello");
    let toggle = format!("/api/bots/{bot_id}/toggle");
    assert_eq!(send(&owner, "PATCH", &toggle, None).status, 200);
    run_once(server, &owner, &bot_id);
    socket.assert_quiet();
    assert_eq!(history(&owner, &channel_id), Vec::<(String, String)>::new(), "nothing from before the link");

    // A trade opened after the link: its open once, then its close once.
    let third = format!("{bot_id}:3");
    insert_trade(server, &bot_id, &user_id, 3, now_ms(), None);
    run_once(server, &owner, &bot_id);
    let open = socket.next_event();
    assert_eq!(
        (open["type"].as_str(), open["data"]["ticket"].as_str()),
        (Some("signal"), Some(third.as_str())),
        "{open}"
    );
    assert_eq!(open["data"]["volume"], 0.5);
    socket.assert_quiet();
    close_trade(server, &bot_id, 3, now_ms());
    run_once(server, &owner, &bot_id);
    let close = socket.next_event();
    assert_eq!(
        (close["type"].as_str(), close["data"]["ticket"].as_str()),
        (Some("close"), Some(third.as_str())),
        "{close}"
    );
    socket.assert_quiet();

    // Stop, edit, start: the start resets last_run_ms, and nothing is published again.
    assert_eq!(send(&owner, "PATCH", &toggle, None).status, 200);
    let mut edited = body.clone();
    edited["name"] = json!("Once, renamed");
    let reply = send(&owner, "PUT", &format!("/api/bots/{bot_id}"), Some(&edited));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(owner.get(&path).json()["channel_id"], channel_id.as_str(), "an edit keeps the link");
    assert_eq!(send(&owner, "PUT", &path, Some(&json!({"channel_id": channel_id}))).status, 200, "linking again");
    assert_eq!(send(&owner, "PATCH", &toggle, None).status, 200);
    run_once(server, &owner, &bot_id);
    run_once(server, &owner, &bot_id);
    socket.assert_quiet();

    // A trade opened and closed between two runs: open then close, once each.
    let fourth = format!("{bot_id}:4");
    insert_trade(server, &bot_id, &user_id, 4, now_ms() - 1_000, Some(now_ms()));
    run_once(server, &owner, &bot_id);
    let kinds: Vec<(String, String)> = (0..2)
        .map(|_| {
            let message = socket.next_event();
            (message["type"].as_str().unwrap().to_string(), message["data"]["ticket"].as_str().unwrap().to_string())
        })
        .collect();
    assert_eq!(kinds, [("signal".to_string(), fourth.clone()), ("close".to_string(), fourth.clone())]);
    run_once(server, &owner, &bot_id);
    socket.assert_quiet();
    let expected: Vec<(String, String)> =
        [("signal", &third), ("close", &third), ("signal", &fourth), ("close", &fourth)]
            .iter()
            .map(|(kind, ticket)| (kind.to_string(), ticket.to_string()))
            .collect();
    assert_eq!(history(&owner, &channel_id), expected, "each event once, in order");
    let mark =
        server.d1_rows(&format!("SELECT published_no, open_tickets FROM bot_channels WHERE bot_id = '{bot_id}'"));
    assert_eq!((mark[0]["published_no"].as_i64(), mark[0]["open_tickets"].as_str()), (Some(4), Some("[]")));
}
