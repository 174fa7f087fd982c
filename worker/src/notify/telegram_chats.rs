//! What D1 holds of users' Telegram chats (the chat each user is notified in, pending one-time
//! link codes, the per-bot getUpdates cursor) and the verification step: read the bot's new
//! updates and link every chat whose `/start CODE` matches a live code, the link, the code's
//! removal and the cursor committed in one batch.

use std::cell::RefCell;
use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;
use worker::{D1Database, D1PreparedStatement};

use super::telegram::{redact, send};
use super::telegram_link::{self as link, Update};
use crate::clock::rfc3339_from_ms;
use crate::http::outbound;
use crate::http::{ApiError, ApiResult};
use crate::log;

/// A user's verification call reads the bot's updates at most this often.
pub const POLL_INTERVAL_MS: i64 = 2_000;

/// A user's chat: only a `verified_at` one (linked through the bot) is ever written to.
#[derive(Deserialize)]
pub struct Target {
    pub user_id: String,
    pub chat_id: String,
    pub updated_at: String,
    pub verified_at: Option<String>,
}

const TARGET_COLUMNS: &str = "user_id, chat_id, updated_at, verified_at";

pub async fn target(db: &D1Database, user_id: &str) -> worker::Result<Option<Target>> {
    db.prepare(format!("SELECT {TARGET_COLUMNS} FROM telegram_targets WHERE user_id = ?1"))
        .bind(&[user_id.into()])?
        .first(None)
        .await
}

/// The verified chats of `user_ids` (an unverified chat is never written to).
pub async fn verified_targets(db: &D1Database, user_ids: &[&str]) -> worker::Result<Vec<Target>> {
    let ids = serde_json::to_string(user_ids).map_err(|e| worker::Error::RustError(e.to_string()))?;
    db.prepare(format!(
        "SELECT {TARGET_COLUMNS} FROM telegram_targets \
         WHERE verified_at IS NOT NULL AND user_id IN (SELECT value FROM json_each(?1))"
    ))
    .bind(&[ids.into()])?
    .all()
    .await?
    .results()
}

/// When the user's pending code expires, if one is live.
pub async fn pending_link(db: &D1Database, user_id: &str, now_ms: i64) -> worker::Result<Option<i64>> {
    db.prepare("SELECT expires_at_ms FROM telegram_link_codes WHERE user_id = ?1 AND expires_at_ms > ?2")
        .bind(&[user_id.into(), (now_ms as f64).into()])?
        .first::<i64>(Some("expires_at_ms"))
        .await
}

/// Stores a new code for `user_id` (replacing any earlier one); when it expires.
pub async fn create_link(db: &D1Database, user_id: &str, code: &str, now_ms: i64) -> worker::Result<i64> {
    let expires_at_ms = now_ms + link::CODE_TTL_MS;
    db.prepare(
        "INSERT INTO telegram_link_codes (user_id, code_hash, expires_at_ms, polled_at_ms, created_at) \
         VALUES (?1, ?2, ?3, 0, ?4) ON CONFLICT (user_id) DO UPDATE SET code_hash = excluded.code_hash, \
         expires_at_ms = excluded.expires_at_ms, polled_at_ms = 0, created_at = excluded.created_at",
    )
    .bind(&[
        user_id.into(),
        link::code_hash(code).into(),
        (expires_at_ms as f64).into(),
        rfc3339_from_ms(now_ms).into(),
    ])?
    .run()
    .await?;
    Ok(expires_at_ms)
}

/// Whether `user_id` has a live code and may read the updates now (one caller per
/// [`POLL_INTERVAL_MS`], decided in one statement so a burst of calls reads once).
pub async fn claim_poll(db: &D1Database, user_id: &str, now_ms: i64) -> worker::Result<bool> {
    let claimed = db
        .prepare(
            "UPDATE telegram_link_codes SET polled_at_ms = ?2 \
             WHERE user_id = ?1 AND expires_at_ms > ?2 AND polled_at_ms <= ?2 - ?3 RETURNING user_id",
        )
        .bind(&[user_id.into(), (now_ms as f64).into(), (POLL_INTERVAL_MS as f64).into()])?
        .first::<String>(Some("user_id"))
        .await?;
    Ok(claimed.is_some())
}

pub async fn forget(db: &D1Database, user_id: &str) -> worker::Result<()> {
    db.batch(vec![
        db.prepare("DELETE FROM telegram_targets WHERE user_id = ?1").bind(&[user_id.into()])?,
        db.prepare("DELETE FROM telegram_link_codes WHERE user_id = ?1").bind(&[user_id.into()])?,
    ])
    .await?;
    Ok(())
}

/// Takes the user's one test message of the last `interval_ms`: `None` when taken, else the
/// seconds until the next (a burst of calls sends one message).
pub async fn claim_test(db: &D1Database, user_id: &str, now_ms: i64, interval_ms: i64) -> worker::Result<Option<u64>> {
    let claimed = db
        .prepare(
            "UPDATE telegram_targets SET last_test_at_ms = ?2 \
             WHERE user_id = ?1 AND verified_at IS NOT NULL AND last_test_at_ms <= ?2 - ?3 RETURNING user_id",
        )
        .bind(&[user_id.into(), (now_ms as f64).into(), (interval_ms as f64).into()])?
        .first::<String>(Some("user_id"))
        .await?;
    if claimed.is_some() {
        return Ok(None);
    }
    let last = db
        .prepare("SELECT last_test_at_ms FROM telegram_targets WHERE user_id = ?1")
        .bind(&[user_id.into()])?
        .first::<i64>(Some("last_test_at_ms"))
        .await?
        .unwrap_or(now_ms);
    let wait_ms = (last + interval_ms - now_ms).max(1_000);
    Ok(Some((wait_ms as u64).div_ceil(1_000)))
}

/// A chat linked by this verification.
pub struct Linked {
    pub user_id: String,
    pub chat_id: String,
}

/// Reads the bot's new updates (every page of them, up to [`link::MAX_PAGES`]) and links the
/// chats whose code is live; each page's links and the cursor past it commit together, so a
/// crash re-reads a page whose effects are not stored, and a page is never applied twice.
pub async fn verify_pending(db: &D1Database, base: &str, token: &str, now_ms: i64) -> ApiResult<Vec<Linked>> {
    let bot = link::bot_id(token);
    let username = bot_username(base, token).await?;
    let mut linked = Vec::new();
    for _ in 0..link::MAX_PAGES {
        let offset = db
            .prepare("SELECT next_offset FROM telegram_update_cursors WHERE bot_id = ?1")
            .bind(&[bot.into()])?
            .first::<i64>(Some("next_offset"))
            .await?
            .unwrap_or(0);
        let request = link::updates_request(base, token, offset);
        let answer = outbound::send(&request, "telegram")
            .await
            .map_err(|unreachable| unreachable_error(&unreachable.0, token))?;
        let updates = link::read_updates(answer.status, &answer.body, username.as_deref())
            .map_err(|why| ApiError::new(502, "telegram_failed", redact(&why, token)))?;
        if updates.is_empty() {
            break;
        }
        let (mut statements, page_links) = link_statements(db, &updates, now_ms).await?;
        statements.push(
            db.prepare(
                "INSERT INTO telegram_update_cursors (bot_id, next_offset) VALUES (?1, ?2) \
                 ON CONFLICT (bot_id) DO UPDATE SET next_offset = MAX(next_offset, excluded.next_offset)",
            )
            .bind(&[bot.into(), (link::next_offset(offset, &updates) as f64).into()])?,
        );
        db.batch(statements).await?;
        linked.extend(page_links);
        if updates.len() < link::PAGE {
            break;
        }
    }
    for chat in &linked {
        worker::console_log!(
            "{}",
            serde_json::json!({"level": "info", "event": "telegram_linked", "user_id": chat.user_id})
        );
        let text = "Auronex: this chat is linked. Trade and bot-error notifications will arrive here.";
        if let Err(why) = send(base, token, &chat.chat_id, text).await {
            log::error("telegram_link_confirmation_failed", &why);
        }
    }
    Ok(linked)
}

thread_local! {
    /// Each bot's username by bot id, asked of getMe once per isolate: it changes only with the
    /// bot, and every verification poll needs it.
    static USERNAMES: RefCell<HashMap<String, Option<String>>> = RefCell::new(HashMap::new());
}

/// The bot's username (for the `t.me` link and `/start@bot`), or why Telegram could not say.
pub async fn bot_username(base: &str, token: &str) -> ApiResult<Option<String>> {
    let bot = link::bot_id(token).to_string();
    if let Some(known) = USERNAMES.with(|names| names.borrow().get(&bot).cloned()) {
        return Ok(known);
    }
    let answer = outbound::send(&link::me_request(base, token), "telegram")
        .await
        .map_err(|unreachable| unreachable_error(&unreachable.0, token))?;
    let username = link::read_me(answer.status, &answer.body)
        .map_err(|why| ApiError::new(502, "telegram_failed", redact(&why, token)))?;
    USERNAMES.with(|names| names.borrow_mut().insert(bot, username.clone()));
    Ok(username)
}

fn unreachable_error(detail: &str, token: &str) -> ApiError {
    log::error("telegram_unreachable", &redact(detail, token));
    ApiError::new(502, "telegram_unreachable", "Telegram could not be reached; try again later")
}

#[derive(Deserialize)]
struct Live {
    user_id: String,
    code_hash: String,
}

/// The statements that link every chat of `updates` whose code is live (a code is used once:
/// the first `/start` with it wins), and the links they make.
async fn link_statements(
    db: &D1Database,
    updates: &[Update],
    now_ms: i64,
) -> worker::Result<(Vec<D1PreparedStatement>, Vec<Linked>)> {
    let starts: Vec<(String, &str)> = updates
        .iter()
        .filter_map(|u| u.start.as_ref())
        .map(|s| (link::code_hash(&s.code), s.chat_id.as_str()))
        .collect();
    if starts.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    let hashes: Vec<&str> = starts.iter().map(|(hash, _)| hash.as_str()).collect();
    let hashes = Value::from(hashes).to_string();
    let live: Vec<Live> = db
        .prepare(
            "SELECT user_id, code_hash FROM telegram_link_codes \
             WHERE expires_at_ms > ?2 AND code_hash IN (SELECT value FROM json_each(?1))",
        )
        .bind(&[hashes.into(), (now_ms as f64).into()])?
        .all()
        .await?
        .results()?;
    let now = rfc3339_from_ms(now_ms);
    let (mut statements, mut linked) = (Vec::new(), Vec::<Linked>::new());
    for code in &live {
        let Some((_, chat_id)) = starts.iter().find(|(hash, _)| *hash == code.code_hash) else { continue };
        statements.push(
            db.prepare(
                "INSERT INTO telegram_targets (user_id, chat_id, verified_at, created_at, updated_at) \
                 SELECT user_id, ?2, ?3, ?3, ?3 FROM telegram_link_codes WHERE code_hash = ?1 \
                 ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id, \
                 verified_at = excluded.verified_at, updated_at = excluded.updated_at, last_test_at_ms = 0",
            )
            .bind(&[code.code_hash.as_str().into(), (*chat_id).into(), now.as_str().into()])?,
        );
        statements.push(
            db.prepare("DELETE FROM telegram_link_codes WHERE code_hash = ?1")
                .bind(&[code.code_hash.as_str().into()])?,
        );
        linked.push(Linked { user_id: code.user_id.clone(), chat_id: chat_id.to_string() });
    }
    Ok((statements, linked))
}
