//! Linking a Telegram chat through the bot, so messages only ever go to a chat its owner
//! controls: the user gets a one-time code, sends `/start CODE` to the bot (opening
//! `https://t.me/<bot>?start=CODE` sends exactly that), and the Worker reads it back from the
//! Bot API's updates. Payloads, as Telegram documents them:
//!
//! - `POST /bot{token}/getMe` answers `{"ok":true,"result":{"id":7000000001,"is_bot":true,
//!   "first_name":"Auronex","username":"auronex_bot"}}`;
//! - `POST /bot{token}/getUpdates` with `{"offset":N,"limit":100,"timeout":0,
//!   "allowed_updates":["message"]}` answers `{"ok":true,"result":[{"update_id":N,"message":
//!   {"message_id":1,"from":{..},"chat":{"id":123456789,"type":"private"},"date":1700000000,
//!   "text":"/start ABCD2345EF","entities":[{"offset":0,"length":6,"type":"bot_command"}]}}]}`;
//!   a call with `offset` confirms every update below it, so each is read once. In a group the
//!   command may name the bot: `/start@auronex_bot CODE`.

use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::telegram::read_result;
use crate::crypto;
use crate::http::outbound::{join, Outbound};

/// How long a code can be used.
pub const CODE_TTL_MS: i64 = 15 * 60_000;
/// Characters of a code: 10 from 32 (no 0/O, 1/I), 50 bits, unbiased (256 is a multiple of 32).
pub const CODE_CHARS: usize = 10;
const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// Updates read per getUpdates call (Telegram's maximum), and calls per verification.
pub const PAGE: usize = 100;
pub const MAX_PAGES: usize = 5;

pub fn code_from(bytes: [u8; CODE_CHARS]) -> String {
    bytes.iter().map(|byte| char::from(ALPHABET[usize::from(*byte) % ALPHABET.len()])).collect()
}

pub fn new_code() -> worker::Result<String> {
    Ok(code_from(crypto::random_bytes::<CODE_CHARS>()?))
}

/// What is stored of a code: its SHA-256, of the code as typed in any case.
pub fn code_hash(code: &str) -> String {
    crypto::hex(&Sha256::digest(code.trim().to_ascii_uppercase().as_bytes()))
}

/// The bot's numeric id, the part of the token before its colon (public: it is the bot's user id).
pub fn bot_id(token: &str) -> &str {
    token.split_once(':').map_or(token, |(id, _)| id)
}

/// The code in `/start CODE` or `/start@<this bot> CODE`; `None` for any other text, for a
/// command addressed to another bot, or for a bare `/start`.
pub fn start_code(text: &str, bot_username: Option<&str>) -> Option<String> {
    let mut words = text.split_whitespace();
    let command = words.next()?;
    let addressed = command.strip_prefix("/start")?;
    if let Some(name) = addressed.strip_prefix('@') {
        if !bot_username.is_some_and(|own| own.eq_ignore_ascii_case(name)) {
            return None;
        }
    } else if !addressed.is_empty() {
        return None;
    }
    let code = words.next()?;
    let plausible = code.len() == CODE_CHARS && code.bytes().all(|b| b.is_ascii_alphanumeric());
    plausible.then(|| code.to_ascii_uppercase())
}

pub fn me_request(base_url: &str, token: &str) -> Outbound {
    Outbound::post(join(base_url, &format!("/bot{token}/getMe")), "application/json", "{}".into()).secret_in_url(token)
}

#[derive(Deserialize)]
struct Me {
    username: Option<String>,
}

/// The bot's username, or why Telegram refused.
pub fn read_me(status: u16, body: &str) -> Result<Option<String>, String> {
    read_result::<Me>(status, body).map(|me| me.username)
}

pub fn updates_request(base_url: &str, token: &str, offset: i64) -> Outbound {
    let body = json!({"offset": offset, "limit": PAGE, "timeout": 0, "allowed_updates": ["message"]});
    Outbound::post(join(base_url, &format!("/bot{token}/getUpdates")), "application/json", body.to_string())
        .secret_in_url(token)
}

/// One update, reduced to what linking needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    pub update_id: i64,
    /// The chat a `/start CODE` came from, and the code; `None` for anything else.
    pub start: Option<Start>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Start {
    pub chat_id: String,
    pub code: String,
}

#[derive(Deserialize)]
struct RawUpdate {
    update_id: i64,
    #[serde(default)]
    message: Option<Value>,
}

/// The updates of one getUpdates answer, oldest first, or why Telegram refused.
pub fn read_updates(status: u16, body: &str, bot_username: Option<&str>) -> Result<Vec<Update>, String> {
    let raw: Vec<RawUpdate> = read_result(status, body)?;
    Ok(raw
        .into_iter()
        .map(|update| {
            let start = update.message.as_ref().and_then(|message| {
                let chat = message["chat"]["id"].as_i64()?;
                let code = start_code(message["text"].as_str()?, bot_username)?;
                Some(Start { chat_id: chat.to_string(), code })
            });
            Update { update_id: update.update_id, start }
        })
        .collect())
}

/// Where the next getUpdates starts after `updates` (unchanged when there were none).
pub fn next_offset(current: i64, updates: &[Update]) -> i64 {
    updates.iter().map(|update| update.update_id + 1).fold(current, i64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_the_unambiguous_alphabet_and_hash_in_any_case() {
        let code = code_from([0, 31, 32, 255, 8, 9, 10, 11, 12, 13]);
        assert_eq!(code, "A9A9JKLMNP");
        assert_eq!(code_hash(" a9a9jklmnp "), code_hash("A9A9JKLMNP"));
        assert_ne!(code_hash("A9A9JKLMNP"), code_hash("A9A9JKLMNQ"));
        assert_eq!(code_hash("X").len(), 64);
    }

    #[test]
    fn start_commands_give_their_code() {
        let bot = Some("Auronex_Bot");
        assert_eq!(start_code("/start ABCD2345EF", bot).as_deref(), Some("ABCD2345EF"));
        assert_eq!(start_code("  /start   abcd2345ef  ", bot).as_deref(), Some("ABCD2345EF"));
        assert_eq!(start_code("/start@auronex_bot ABCD2345EF", bot).as_deref(), Some("ABCD2345EF"));
        for other in [
            "/start@other_bot ABCD2345EF",
            "/start",
            "/startABCD2345EF",
            "/started ABCD2345EF",
            "/help ABCD2345EF",
            "hello /start ABCD2345EF",
            "/start ABCD",
            "/start ABCD2345EF-",
            "/start ABCD2345É",
        ] {
            assert_eq!(start_code(other, bot), None, "{other}");
        }
        assert_eq!(start_code("/start@auronex_bot ABCD2345EF", None), None, "unknown own name");
    }

    #[test]
    fn updates_are_read_from_the_documented_payload() {
        let body = r#"{"ok":true,"result":[
            {"update_id":501,"message":{"message_id":1,"from":{"id":9,"is_bot":false,"first_name":"Ana"},
             "chat":{"id":123456789,"type":"private"},"date":1700000000,"text":"/start abcd2345ef",
             "entities":[{"offset":0,"length":6,"type":"bot_command"}]}},
            {"update_id":502,"message":{"message_id":2,"chat":{"id":-1001234,"type":"supergroup"},"date":1,
             "text":"/start@auronex_bot ZZZZ2345EF"}},
            {"update_id":503,"message":{"message_id":3,"chat":{"id":5,"type":"private"},"date":1,"sticker":{}}},
            {"update_id":504,"edited_message":{"message_id":1,"chat":{"id":5,"type":"private"},"text":"/start ABCD2345EF"}}
        ]}"#;
        let updates = read_updates(200, body, Some("auronex_bot")).unwrap();
        let starts: Vec<Option<Start>> = updates.iter().map(|u| u.start.clone()).collect();
        assert_eq!(
            starts,
            vec![
                Some(Start { chat_id: "123456789".into(), code: "ABCD2345EF".into() }),
                Some(Start { chat_id: "-1001234".into(), code: "ZZZZ2345EF".into() }),
                None,
                None
            ]
        );
        assert_eq!(next_offset(0, &updates), 505);
        assert_eq!(next_offset(900, &updates), 900);
        assert_eq!(next_offset(7, &[]), 7);
        let conflict = r#"{"ok":false,"error_code":409,"description":"Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}"#;
        assert!(read_updates(409, conflict, None).unwrap_err().contains("webhook"));
        assert!(read_updates(200, r#"{"ok":true,"result":{}}"#, None).is_err(), "result must be a list");
    }

    #[test]
    fn the_requests_are_the_bot_api_methods() {
        let request = updates_request("http://127.0.0.1:9/telegram", "7000:SECRET", 42);
        assert_eq!(request.url, "http://127.0.0.1:9/telegram/bot7000:SECRET/getUpdates");
        let body: Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
        assert_eq!(body, json!({"offset": 42, "limit": 100, "timeout": 0, "allowed_updates": ["message"]}));
        assert!(!request.path_for_log().contains("SECRET"));
        assert_eq!(me_request("https://api.telegram.org", "t:x").url, "https://api.telegram.org/bott:x/getMe");
        let me = r#"{"ok":true,"result":{"id":7000,"is_bot":true,"first_name":"Auronex","username":"auronex_bot"}}"#;
        assert_eq!(read_me(200, me).unwrap().as_deref(), Some("auronex_bot"));
        assert_eq!(bot_id("7000000001:AAE-secret"), "7000000001");
    }
}
