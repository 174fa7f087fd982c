//! Live updates and Telegram, driven by real ticks against the simulator: `/api/stream` pushes a
//! user's trade and activity events (after they are in D1) to that user's sockets only, the
//! same trades reach the user's Telegram chat through the Bot API stand-in, and an error that
//! repeats every tick is one activity line with a repeat count, pushed and sent once.

use std::time::Duration;

use auronex_e2e::standins::telegram::{link_chat, BLOCKED_CHAT, SIM_BOT_TOKEN};
use auronex_e2e::{standins, Client, Server, SimClient, Socket};
use serde_json::{json, Value};

use crate::bots::{send, user, valid_bot};
use crate::paper::{minute_window, now_ms, trades_until, turn_script};

pub const TESTS: &[crate::Test] = &[
    ("stream::no_or_bad_token_is_401_and_plain_http_is_426", no_or_bad_token_is_401_and_plain_http_is_426),
    ("stream::trades_reach_their_owner_live_and_on_telegram", trades_reach_their_owner_live_and_on_telegram),
    ("stream::a_repeated_error_is_one_line_pushed_once", a_repeated_error_is_one_line_pushed_once),
    (
        "stream::a_telegram_refusal_is_recorded_and_the_tick_goes_on",
        a_telegram_refusal_is_recorded_and_the_tick_goes_on,
    ),
];

fn upgrade_headers() -> [(&'static str, &'static str); 2] {
    [("upgrade", "websocket"), ("connection", "upgrade")]
}

/// A chat id no other test uses.
fn fresh_chat() -> i64 {
    1_000_000_000 + now_ms().rem_euclid(1_000_000_000)
}

fn no_or_bad_token_is_401_and_plain_http_is_426(server: &Server) {
    assert_eq!(Socket::open(server, "/api/stream", &[]).err(), Some(401));
    let forged = [("sec-websocket-protocol", "bearer, forged.token.here")];
    assert_eq!(Socket::open(server, "/api/stream", &forged).err(), Some(401));
    let reply = server.client().send("GET", "/api/stream", None, &upgrade_headers());
    assert_eq!((reply.status, reply.error_code()), (401, "unauthorized".to_string()), "{}", reply.body);
    let (client, account) = user(server, "stream426");
    // A valid token in the URL is not read: URLs end up in logs and histories.
    let in_url = format!("/api/stream?token={}", account.access_token);
    assert_eq!(Socket::open(server, &in_url, &[]).err(), Some(401));
    let reply = server.client().send("GET", &in_url, None, &upgrade_headers());
    assert!(reply.json()["error"]["message"].as_str().unwrap().contains("never in the URL"), "{}", reply.body);
    let reply = client.get("/api/stream");
    assert_eq!((reply.status, reply.error_code()), (426, "upgrade_required".to_string()));
}

/// The next message of `kind`, skipping others (a tick may also add activity lines).
fn next_of(socket: &mut Socket, kind: &str) -> Value {
    loop {
        let message = socket.next();
        if message["type"] == kind {
            return message;
        }
    }
}

fn telegram_to(chat: i64, text_has: &str) -> Value {
    let found = standins().wait_for("telegram", Duration::from_secs(15), |r| {
        r.json()["chat_id"] == chat && r.json()["text"].as_str().is_some_and(|t| t.contains(text_has))
    });
    let request = found.unwrap_or_else(|| panic!("no Telegram message with {text_has:?} to chat {chat}"));
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, format!("/bot{SIM_BOT_TOKEN}/sendMessage"));
    assert!(request.header("content-type").unwrap().starts_with("application/json"));
    request.json()
}

/// The caller's recent activity once `done` holds for it. Five-second bots run on their
/// runner's alarm, so this waits for their runs instead of firing ticks (60 s at most).
fn activity_until(client: &Client, done: impl Fn(&[Value]) -> bool) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let lines = client.get("/api/bot-activity/recent").json();
        if lines.as_array().is_some_and(|lines| done(lines)) {
            return lines;
        }
        assert!(std::time::Instant::now() < deadline, "activity never matched: {lines}");
        std::thread::sleep(Duration::from_millis(500));
    }
}

fn start_bot(client: &Client, symbol: &str) -> String {
    let mut body = valid_bot();
    body["symbols"] = json!([symbol]);
    body["analysis_interval"] = json!(5);
    let created = client.post_json("/api/bots", &body);
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_string();
    assert_eq!(send(client, "PATCH", &format!("/api/bots/{id}/toggle"), None).json()["is_active"], true);
    id
}

fn trades_reach_their_owner_live_and_on_telegram(server: &Server) {
    let (client, account) = user(server, "streamer");
    let (_other, other_account) = user(server, "streamother");
    let bearer = format!("Bearer {}", account.access_token);
    let mut mine = Socket::open(server, "/api/stream", &[("authorization", &bearer)]).expect("connect");
    let hello = mine.next();
    assert_eq!((hello["type"].as_str(), hello["user_id"].as_str()), (Some("hello"), Some(account.id())));
    // A browser's way: the token as the second subprotocol; the handshake fails unless the
    // server answers with the `bearer` subprotocol.
    let protocol = format!("bearer, {}", other_account.access_token);
    let mut theirs = Socket::open(server, "/api/stream", &[("sec-websocket-protocol", &protocol)]).expect("connect");
    assert_eq!(theirs.next()["user_id"], other_account.id());
    let chat = fresh_chat();
    link_chat(&client, SIM_BOT_TOKEN, chat);

    let (now, minute) = minute_window();
    turn_script("LIVEUSDT", now, minute, &[]);
    let bot = start_bot(&client, "LIVE/USDT");
    let open = trades_until(&client, &format!("bot_id={bot}&status=open"), |t| t.len() == 1);
    let opened = next_of(&mut mine, "trade_opened");
    assert_eq!((opened["bot_id"].as_str(), opened["bot_name"].as_str()), (Some(bot.as_str()), Some("Alpha scalper")));
    for field in ["id", "symbol", "status", "entry_price", "quantity", "fees", "entry_time"] {
        assert_eq!(opened["trade"][field], open[0][field], "{field}: {opened} vs {}", open[0]);
    }
    let activity = next_of(&mut mine, "activity");
    assert_eq!(activity["action"], "buy");
    let text = telegram_to(chat, "BUY")["text"].as_str().unwrap().to_string();
    assert!(text.contains("Alpha scalper") && text.contains("LIVE/USDT"), "{text}");

    // A manual close is pushed and sent too.
    let trade_id = open[0]["id"].as_str().unwrap();
    let closed = send(&client, "POST", &format!("/api/trades/{trade_id}/close"), None);
    assert_eq!(closed.status, 200, "{}", closed.body);
    let event = next_of(&mut mine, "trade_closed");
    assert_eq!(event["trade"]["id"], trade_id);
    assert_eq!(event["trade"]["exit_price"], closed.json()["exit_price"]);
    assert_eq!(event["trade"]["exit_reason"], "force_exit");
    telegram_to(chat, "SELL");

    // The other user heard nothing: a ping's pong is the first thing on their socket.
    theirs.assert_quiet();
    mine.send(&json!({"type": "ping"}));
    assert_eq!(next_of(&mut mine, "pong")["type"], "pong");
    assert_eq!(send(&client, "PATCH", &format!("/api/bots/{bot}/toggle"), None).json()["is_active"], false);
    let log = server.log();
    assert!(!log.contains(SIM_BOT_TOKEN), "the Telegram bot token reached the log");
    assert!(!log.contains(&account.access_token), "an access token reached the log");
    mine.close();
    theirs.close();
}

fn a_repeated_error_is_one_line_pushed_once(server: &Server) {
    let (client, account) = user(server, "streamerr");
    let chat = fresh_chat() + 7;
    link_chat(&client, SIM_BOT_TOKEN, chat);
    for symbol in ["ERRSUSDT", "ERRTUSDT"] {
        let fault =
            json!({"path": "/api/v3/klines", "query": format!("symbol={symbol}"), "status": 500, "count": 10_000});
        SimClient::shared().control("fault", &fault);
    }
    let protocol = format!("bearer, {}", account.access_token);
    let mut socket = Socket::open(server, "/api/stream", &[("sec-websocket-protocol", &protocol)]).unwrap();
    let mut body = valid_bot();
    body["symbols"] = json!(["ERRS/USDT", "ERRT/USDT"]);
    body["analysis_interval"] = json!(5);
    let bot = client.post_json("/api/bots", &body).json()["id"].as_str().unwrap().to_string();
    assert_eq!(send(&client, "PATCH", &format!("/api/bots/{bot}/toggle"), None).json()["is_active"], true);
    let errors_of = |lines: &[Value]| -> Vec<Value> {
        lines.iter().filter(|l| l["action"] == "error" && l["bot_id"] == bot.as_str()).cloned().collect()
    };
    let lines = activity_until(&client, |lines| {
        let errors = errors_of(lines);
        errors.len() >= 2 && errors.iter().all(|e| e["repeats"].as_i64().unwrap_or(0) >= 3)
    });
    // Both symbols fail at every run: two lines, each pushed once.
    let mut pushed: Vec<String> = (0..2)
        .map(|_| {
            let error = next_of(&mut socket, "activity");
            assert_eq!((error["action"].as_str(), error["bot_id"].as_str()), (Some("error"), Some(bot.as_str())));
            error["message"].as_str().unwrap().to_string()
        })
        .collect();
    pushed.sort();
    assert!(pushed[0].starts_with("ERRS/USDT") && pushed[1].starts_with("ERRT/USDT"), "{pushed:?}");
    socket.assert_quiet();

    let errors = errors_of(lines.as_array().unwrap());
    assert_eq!(errors.len(), 2, "one line per repeated error: {lines}");
    for error in errors {
        assert!(error["last_at"].as_str().unwrap() > error["at"].as_str().unwrap(), "{lines}");
    }
    let text = telegram_to(chat, "ERRS/USDT")["text"].as_str().unwrap().to_string();
    assert!(text.contains("ERRT/USDT"), "one message with the run's lines: {text}");
    let sent = standins().received("telegram", |r| {
        r.json()["chat_id"] == chat && r.json()["text"].as_str().is_some_and(|t| t.contains("ERRS/USDT"))
    });
    assert_eq!(sent.len(), 1, "the repeats are not sent again: {sent:?}");
    assert_eq!(send(&client, "PATCH", &format!("/api/bots/{bot}/toggle"), None).json()["is_active"], false);
    socket.close();
}

fn a_telegram_refusal_is_recorded_and_the_tick_goes_on(server: &Server) {
    let (client, _) = user(server, "streamtgfail");
    link_chat(&client, SIM_BOT_TOKEN, BLOCKED_CHAT);
    let fault = json!({"path": "/api/v3/klines", "query": "symbol=ERRUUSDT", "status": 500, "count": 10_000});
    SimClient::shared().control("fault", &fault);
    let bot = start_bot(&client, "ERRU/USDT");
    let of = |lines: &[Value], action: &str| -> Vec<Value> {
        lines.iter().filter(|l| l["action"] == action && l["bot_id"] == bot.as_str()).cloned().collect()
    };
    let lines = activity_until(&client, |lines| {
        of(lines, "error").first().is_some_and(|e| e["repeats"].as_i64().unwrap_or(0) >= 3)
            && !of(lines, "telegram").is_empty()
    });
    let (errors, refusals) = (of(lines.as_array().unwrap(), "error"), of(lines.as_array().unwrap(), "telegram"));
    assert_eq!((errors.len(), refusals.len()), (1, 1), "{lines}");
    assert!(errors[0]["repeats"].as_i64().unwrap() >= 3, "the ticks went on: {lines}");
    let refusal = refusals[0]["message"].as_str().unwrap();
    assert!(refusal.contains("blocked") && !refusal.contains(SIM_BOT_TOKEN), "{refusal}");
    assert_eq!(send(&client, "PATCH", &format!("/api/bots/{bot}/toggle"), None).json()["is_active"], false);
}
