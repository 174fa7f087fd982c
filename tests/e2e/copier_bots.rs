//! Copy trading of bots: a bot linked to its owner's channel publishes its paper trades there.
//! A follower's socket receives the bot's open after the tick that opened it (ticket = trade id,
//! the trade's quantity and entry price) and its close after the tick that closed it; linking
//! is owner-only.

use std::time::Duration;

use auronex_e2e::{Account, Server, Socket};
use serde_json::{json, Value};

use crate::bots::{send, user, valid_bot};
use crate::paper::{fire_tick, minute_window, now_ms, trades_until, turn_script};

pub const TESTS: &[crate::Test] =
    &[("copier_bots::a_bots_paper_trades_reach_followers", a_bots_paper_trades_reach_followers)];

fn num(value: &Value) -> f64 {
    match value {
        Value::String(text) => text.parse().unwrap(),
        other => other.as_f64().unwrap_or(f64::NAN),
    }
}

fn a_bots_paper_trades_reach_followers(server: &Server) {
    let (owner, _) = user(server, "botpublisher");
    let channel = owner.post_json("/api/copier/channels", &json!({"name": "Bot signals"})).json();
    let channel_id = channel["id"].as_str().unwrap().to_string();
    let fan = Account::register(&server.client(), "botfan");
    let joined = server.client().with_token(&fan.access_token).post_json(
        "/api/copier/subscriptions",
        &json!({"invite_code": channel["invite_code"], "trade_copy": {"mode": "multiplier", "multiplier": 1, "lot_step": 0.00000001, "min_lot": 0.00000001}}),
    );
    assert_eq!(joined.status, 201, "{}", joined.body);

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
