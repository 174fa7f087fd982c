//! Telegram through the Bot API: `POST {TELEGRAM_API_URL}/bot{TELEGRAM_BOT_TOKEN}/sendMessage`
//! with JSON `{"chat_id": 123456789 | "@channel", "text": "..."}` (plain text, no parse_mode, at
//! most 4096 characters). Telegram answers
//! `{"ok":true,"result":{"message_id":42,"chat":{"id":123456789,"type":"private"},"date":...,"text":"..."}}`
//! or `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}` (429 adds
//! `"parameters":{"retry_after":N}`). The token is part of the URL path: every text that could
//! carry the URL is passed through `redact` before it is logged or shown.

use std::collections::BTreeMap;

use futures_util::future::join_all;
use serde::Deserialize;
use serde_json::{json, Value};
use worker::{D1Database, Env};

use super::telegram_chats::verified_targets;
use super::Notice;
use crate::bots::writes::activity_lines;
use crate::clock::now_ms;
use crate::config;
use crate::http::outbound::{self, join, Outbound};
use crate::log;

/// Telegram's limit on one message's text.
pub const MAX_TEXT_CHARS: usize = 4096;
const DEFAULT_API_URL: &str = "https://api.telegram.org";

pub fn send_request(base_url: &str, token: &str, chat_id: &str, text: &str) -> Outbound {
    let chat: Value = chat_id.parse::<i64>().map(Value::from).unwrap_or_else(|_| chat_id.into());
    let text: String = text.chars().take(MAX_TEXT_CHARS).collect();
    let body = json!({"chat_id": chat, "text": text}).to_string();
    Outbound::post(join(base_url, &format!("/bot{token}/sendMessage")), "application/json", body).secret_in_url(token)
}

#[derive(Deserialize)]
struct Answer<T> {
    ok: bool,
    #[serde(default = "none")]
    result: Option<T>,
    #[serde(default)]
    error_code: Option<u16>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    parameters: Option<Parameters>,
}

fn none<T>() -> Option<T> {
    None
}

#[derive(Deserialize)]
struct SentMessage {
    message_id: i64,
}

#[derive(Deserialize)]
struct Parameters {
    retry_after: Option<u64>,
}

/// The sent message's id, or why Telegram refused, in plain words.
pub fn read_answer(status: u16, body: &str) -> Result<i64, String> {
    read_result::<SentMessage>(status, body).map(|sent| sent.message_id)
}

/// The `result` of any Bot API method, or why Telegram refused, in plain words.
pub fn read_result<T: serde::de::DeserializeOwned>(status: u16, body: &str) -> Result<T, String> {
    let Ok(answer) = serde_json::from_str::<Answer<T>>(body) else {
        return Err(format!("Telegram answered HTTP {status} with something that is not its JSON"));
    };
    if answer.ok {
        return answer.result.ok_or_else(|| "Telegram's answer had no result".into());
    }
    let description = answer.description.unwrap_or_else(|| "no reason given".into());
    let said = format!("(Telegram said: {description})");
    Err(match answer.error_code.unwrap_or(status) {
        400 if description.contains("chat not found") => format!(
            "Telegram does not know this chat: link it again through the bot from that chat {said}"
        ),
        403 => format!("the bot may not write to this chat: it was blocked, or removed from the group {said}"),
        401 | 404 => format!("this server's Telegram bot token is not valid; tell the administrator {said}"),
        409 => format!("this server's Telegram bot has a webhook set, so its updates cannot be read; tell the administrator {said}"),
        429 => {
            let wait = answer.parameters.and_then(|p| p.retry_after).unwrap_or(1);
            format!("Telegram is limiting how fast messages go out; try again in {wait} s {said}")
        }
        _ => format!("Telegram refused the request {said}"),
    })
}

/// `text` with every occurrence of the bot token masked.
pub fn redact(text: &str, token: &str) -> String {
    if token.is_empty() {
        text.to_string()
    } else {
        text.replace(token, "<TELEGRAM_BOT_TOKEN>")
    }
}

/// The Bot API base URL and token, if this deployment has a token.
pub fn credentials(env: &Env) -> Option<(String, String)> {
    let token = config::optional(env, "TELEGRAM_BOT_TOKEN")?;
    let base = config::optional(env, "TELEGRAM_API_URL").unwrap_or_else(|| DEFAULT_API_URL.into());
    Some((base, token))
}

/// Sends `text` to `chat_id`: the message id, or why not in plain words (never the token).
pub async fn send(base_url: &str, token: &str, chat_id: &str, text: &str) -> Result<i64, String> {
    let request = send_request(base_url, token, chat_id, text);
    match outbound::send(&request, "telegram").await {
        Ok(answer) => read_answer(answer.status, &answer.body).map_err(|why| redact(&why, token)),
        Err(unreachable) => {
            log::error("telegram_unreachable", &redact(&unreachable.0, token));
            Err("Telegram could not be reached; try again later".into())
        }
    }
}

/// One message per user with a verified chat: their trade and error lines of this run, oldest first.
pub async fn notify(env: &Env, by_user: &BTreeMap<String, Vec<Notice>>) {
    let lines: BTreeMap<&str, Vec<&Notice>> = by_user
        .iter()
        .map(|(user, notices)| (user.as_str(), notices.iter().filter(|n| n.telegram.is_some()).collect::<Vec<_>>()))
        .filter(|(_, notices)| !notices.is_empty())
        .collect();
    if lines.is_empty() {
        return;
    }
    let Some((base, token)) = credentials(env) else { return };
    let outcome = async {
        let db: D1Database = env.d1("DB")?;
        let users: Vec<&str> = lines.keys().copied().collect();
        let targets = verified_targets(&db, &users).await?;
        let sends = targets.iter().map(|target| {
            let notices = &lines[target.user_id.as_str()];
            let text: Vec<&str> = notices.iter().filter_map(|n| n.telegram.as_deref()).collect();
            let (base, token) = (&base, &token);
            async move { (notices[0], send(base, token, &target.chat_id, &text.join("\n")).await) }
        });
        for (notice, sent) in join_all(sends).await {
            if let Err(why) = sent {
                record_failure(&db, notice, &why).await;
            }
        }
        Ok::<(), worker::Error>(())
    };
    if let Err(error) = outcome.await {
        log::error("telegram_notify_failed", &redact(&error.to_string(), &token));
    }
}

/// A refused notification: logged, and a line in the bot's activity (deduplicated like errors).
async fn record_failure(db: &D1Database, notice: &Notice, why: &str) {
    worker::console_error!(
        "{}",
        json!({"level": "error", "event": "telegram_failed", "user_id": notice.user_id, "detail": why})
    );
    let bot_name = notice.event["bot_name"].as_str().unwrap_or_default();
    let author = (notice.user_id.as_str(), notice.bot_id.as_str(), bot_name);
    let message = format!("Telegram notification not sent: {why}");
    let written = async {
        let (statements, _) = activity_lines(db, author, None, "telegram", &message, now_ms())?;
        db.batch(statements).await
    };
    if let Err(error) = written.await {
        log::error("telegram_failure_not_recorded", &error.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_is_the_bot_api_send_message() {
        let request = send_request("http://127.0.0.1:9/telegram/", "123:ABC", "-100987", "hello");
        assert_eq!(request.url, "http://127.0.0.1:9/telegram/bot123:ABC/sendMessage");
        assert_eq!(request.method, "POST");
        let body: Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
        assert_eq!(body, json!({"chat_id": -100987, "text": "hello"}));
        let named = send_request("https://api.telegram.org", "t", "@chan_name", &"x".repeat(5000));
        let body: Value = serde_json::from_str(named.body.as_deref().unwrap()).unwrap();
        assert_eq!(body["chat_id"], "@chan_name");
        assert_eq!(body["text"].as_str().unwrap().len(), MAX_TEXT_CHARS);
    }

    #[test]
    fn answers_are_read_in_plain_words() {
        let ok = r#"{"ok":true,"result":{"message_id":42,"chat":{"id":1,"type":"private"},"date":1,"text":"hi"}}"#;
        assert_eq!(read_answer(200, ok), Ok(42));
        let not_found = r#"{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}"#;
        let why = read_answer(400, not_found).unwrap_err();
        assert!(why.contains("link it again") && why.contains("Bad Request: chat not found"), "{why}");
        let blocked = r#"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#;
        assert!(read_answer(403, blocked).unwrap_err().contains("blocked"));
        let limited = r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"#;
        assert!(read_answer(429, limited).unwrap_err().contains("try again in 7 s"));
        assert!(read_answer(401, r#"{"ok":false,"error_code":401,"description":"Unauthorized"}"#)
            .unwrap_err()
            .contains("token is not valid"));
        assert!(read_answer(502, "<html>bad gateway</html>").unwrap_err().contains("HTTP 502"));
    }

    #[test]
    fn the_token_is_masked() {
        let text = "fetch http://x/bot123:SECRET/sendMessage failed";
        assert_eq!(redact(text, "123:SECRET"), "fetch http://x/bot<TELEGRAM_BOT_TOKEN>/sendMessage failed");
    }
}
