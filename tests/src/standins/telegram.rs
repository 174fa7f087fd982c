//! Telegram Bot API stand-in, two bots (one per test server, as a deployment has its own bot):
//! `POST /bot{token}/sendMessage`, `getMe` and `getUpdates` with JSON bodies, answered as
//! Telegram answers: `{"ok":true,"result":...}` or `{"ok":false,"error_code","description"}`.
//! A test plays the user with [`Telegram::user_sends`], which queues an update for that bot;
//! `getUpdates` returns the queued ones from `offset` on and forgets those below it, as
//! Telegram does. Chat `UNKNOWN_CHAT` does not exist (400 "chat not found") and `BLOCKED_CHAT`
//! blocked the bot (403); any other chat receives the message.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{json, Value};

use super::{Recorded, Reply};
use crate::Client;

/// The bot of the service stand-ins' server.
pub const BOT_TOKEN: &str = "7000000001:AAE2e-auronex-telegram-bot-token-000000";
/// The bot of the simulator's server.
pub const SIM_BOT_TOKEN: &str = "7000000002:AAE2e-auronex-simulator-bot-token-00000";
pub const UNKNOWN_CHAT: i64 = 404_404;
pub const BLOCKED_CHAT: i64 = 403_403;

/// The username `getMe` gives for `token`.
pub fn username(token: &str) -> Option<&'static str> {
    match token {
        BOT_TOKEN => Some("auronex_e2e_bot"),
        SIM_BOT_TOKEN => Some("auronex_sim_bot"),
        _ => None,
    }
}

#[derive(Default)]
struct Updates {
    last_id: i64,
    queued: BTreeMap<i64, Value>,
}

#[derive(Default)]
pub struct Telegram {
    next_message_id: Mutex<i64>,
    updates: Mutex<HashMap<String, Updates>>,
}

fn refuse(code: u16, description: &str) -> Reply {
    Reply::json(code, json!({"ok": false, "error_code": code, "description": description}))
}

fn ok(result: Value) -> Reply {
    Reply::json(200, json!({"ok": true, "result": result}))
}

impl Telegram {
    /// A user writes `text` to the bot of `token` from `chat` (negative: a group); the update id.
    pub fn user_sends(&self, token: &str, chat: i64, text: &str) -> i64 {
        let mut all = self.updates.lock().unwrap();
        let bot = all.entry(token.to_string()).or_default();
        bot.last_id = bot.last_id.max(800_000_000) + 1;
        let kind = if chat < 0 { "group" } else { "private" };
        let mut message = json!({
            "message_id": bot.last_id % 100_000,
            "from": {"id": chat.abs(), "is_bot": false, "first_name": "Tester", "language_code": "en"},
            "chat": {"id": chat, "type": kind},
            "date": super::stripe::now(),
            "text": text,
        });
        if let Some(command) = text.strip_prefix('/').map(|rest| rest.split_whitespace().next().unwrap_or_default()) {
            message["entities"] = json!([{"offset": 0, "length": command.len() + 1, "type": "bot_command"}]);
        }
        bot.queued.insert(bot.last_id, json!({"update_id": bot.last_id, "message": message}));
        bot.last_id
    }

    /// Updates of `token`'s bot not yet confirmed by a `getUpdates` offset past them.
    pub fn unconfirmed(&self, token: &str) -> usize {
        self.updates.lock().unwrap().get(token).map_or(0, |bot| bot.queued.len())
    }

    pub fn handle(&self, request: &Recorded) -> Reply {
        let Some(rest) = request.path.strip_prefix("/bot") else { return refuse(404, "Not Found") };
        let Some((token, method)) = rest.split_once('/') else { return refuse(404, "Not Found") };
        let Some(name) = username(token) else { return refuse(401, "Unauthorized") };
        if !request.header("content-type").is_some_and(|t| t.starts_with("application/json")) {
            return refuse(400, "Bad Request: expected a JSON body");
        }
        let body = request.json();
        match method {
            "getMe" => {
                let id: i64 = token.split(':').next().unwrap().parse().unwrap();
                ok(json!({"id": id, "is_bot": true, "first_name": "Auronex", "username": name,
                          "can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false}))
            }
            "getUpdates" => self.get_updates(token, &body),
            "sendMessage" => self.send_message(&body),
            _ => refuse(404, "Not Found: method not found"),
        }
    }

    fn get_updates(&self, token: &str, body: &Value) -> Reply {
        let offset = body["offset"].as_i64().unwrap_or(0);
        let limit = body["limit"].as_u64().unwrap_or(100).clamp(1, 100) as usize;
        let mut all = self.updates.lock().unwrap();
        let bot = all.entry(token.to_string()).or_default();
        if offset > 0 {
            bot.queued = bot.queued.split_off(&offset);
        }
        ok(Value::from(bot.queued.values().take(limit).cloned().collect::<Vec<Value>>()))
    }

    fn send_message(&self, body: &Value) -> Reply {
        let chat_id = match &body["chat_id"] {
            Value::Number(n) => n.as_i64(),
            Value::String(s) if s.starts_with('@') => Some(-1_000_000_000_001),
            Value::String(s) => s.parse().ok(),
            _ => return refuse(400, "Bad Request: chat_id is empty"),
        };
        let Some(chat_id) = chat_id else { return refuse(400, "Bad Request: chat not found") };
        let text = body["text"].as_str().unwrap_or_default();
        if text.is_empty() {
            return refuse(400, "Bad Request: message text is empty");
        }
        if text.chars().count() > 4096 {
            return refuse(400, "Bad Request: message is too long");
        }
        match chat_id {
            UNKNOWN_CHAT => return refuse(400, "Bad Request: chat not found"),
            BLOCKED_CHAT => return refuse(403, "Forbidden: bot was blocked by the user"),
            _ => {}
        }
        let message_id = {
            let mut next = self.next_message_id.lock().unwrap();
            *next += 1;
            *next
        };
        let kind = if chat_id < 0 { "group" } else { "private" };
        ok(json!({
            "message_id": message_id,
            "from": {"id": 7_000_000_001_i64, "is_bot": true, "first_name": "Auronex", "username": "auronex_e2e_bot"},
            "chat": {"id": chat_id, "type": kind},
            "date": super::stripe::now(),
            "text": text,
        }))
    }
}

/// Links `chat` to the account behind `client` the way a user does: asks for a code, sends
/// `/start CODE` to the bot of `token` from that chat, and verifies until the chat shows
/// verified; the final view.
pub fn link_chat(client: &Client, token: &str, chat: i64) -> Value {
    let link = client.post_json("/api/notifications/telegram/link", &json!({}));
    assert_eq!(link.status, 201, "link: {}", link.body);
    let code = link.json()["code"].as_str().unwrap().to_string();
    super::standins().telegram.user_sends(token, chat, &format!("/start {code}"));
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let view = client.post_json("/api/notifications/telegram/verify", &json!({}));
        assert_eq!(view.status, 200, "verify: {}", view.body);
        if view.json()["verified"] == true {
            assert_eq!(view.json()["chat_id"], chat.to_string());
            return view.json();
        }
        assert!(std::time::Instant::now() < deadline, "chat {chat} not linked within 20 s: {}", view.body);
        std::thread::sleep(Duration::from_millis(500));
    }
}
