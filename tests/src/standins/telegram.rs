//! Telegram Bot API stand-in: `POST /bot{token}/sendMessage` with a JSON body, answered as
//! Telegram answers: `{"ok":true,"result":{message}}` or `{"ok":false,"error_code","description"}`.
//! Chat `UNKNOWN_CHAT` does not exist (400 "chat not found") and `BLOCKED_CHAT` blocked the bot
//! (403); any other chat id receives the message.

use std::sync::Mutex;

use serde_json::{json, Value};

use super::{Recorded, Reply};

pub const BOT_TOKEN: &str = "7000000001:AAE2e-auronex-telegram-bot-token-000000";
pub const UNKNOWN_CHAT: i64 = 404_404;
pub const BLOCKED_CHAT: i64 = 403_403;

#[derive(Default)]
pub struct Telegram {
    next_message_id: Mutex<i64>,
}

fn refuse(code: u16, description: &str) -> Reply {
    Reply::json(code, json!({"ok": false, "error_code": code, "description": description}))
}

impl Telegram {
    pub fn handle(&self, request: &Recorded) -> Reply {
        let Some(rest) = request.path.strip_prefix("/bot") else { return refuse(404, "Not Found") };
        let Some((token, method)) = rest.split_once('/') else { return refuse(404, "Not Found") };
        if token != BOT_TOKEN {
            return refuse(401, "Unauthorized");
        }
        if method != "sendMessage" {
            return refuse(404, "Not Found: method not found");
        }
        if !request.header("content-type").is_some_and(|t| t.starts_with("application/json")) {
            return refuse(400, "Bad Request: expected a JSON body");
        }
        let body = request.json();
        let chat = &body["chat_id"];
        let chat_id = match chat {
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
        Reply::json(
            200,
            json!({"ok": true, "result": {
                "message_id": message_id,
                "from": {"id": 7_000_000_001_i64, "is_bot": true, "first_name": "Auronex", "username": "auronex_e2e_bot"},
                "chat": {"id": chat_id, "type": kind},
                "date": super::stripe::now(),
                "text": text,
            }}),
        )
    }
}
