//! `/api/notifications/telegram`: the caller's Telegram chat for trade and bot-error messages,
//! linked only through the bot: `POST .../link` gives a one-time code to send as `/start CODE`,
//! `POST .../verify` reads the bot's updates and links the chat the code came from; `GET` shows
//! the chat, `DELETE` unlinks, and `POST .../test` sends one test message (throttled).

use serde_json::json as value;
use worker::Response;

use crate::app::{json, Ctx};
use crate::auth;
use crate::clock::{now_ms, rfc3339_from_ms};
use crate::http::{ApiError, ApiResult};
use crate::notify::telegram::{self, send};
use crate::notify::telegram_chats::{self as chats, Target};
use crate::notify::telegram_link;

/// One test message per user per this long.
pub const TEST_INTERVAL_MS: i64 = 30_000;

fn credentials(ctx: &Ctx) -> ApiResult<(String, String)> {
    telegram::credentials(&ctx.env).ok_or_else(|| {
        ApiError::new(503, "telegram_unavailable", "Telegram notifications are not configured on this server")
    })
}

async fn view(ctx: &Ctx, user_id: &str) -> ApiResult<Response> {
    let db = ctx.env.d1("DB")?;
    let target: Option<Target> = chats::target(&db, user_id).await?;
    let pending = chats::pending_link(&db, user_id, now_ms()).await?;
    let verified_at = target.as_ref().and_then(|t| t.verified_at.as_deref());
    json(
        200,
        &value!({
            "chat_id": target.as_ref().map(|t| t.chat_id.as_str()),
            "verified": verified_at.is_some(),
            "verified_at": verified_at,
            "updated_at": target.as_ref().map(|t| t.updated_at.as_str()),
            "link_expires_at": pending.map(rfc3339_from_ms),
            "available": telegram::credentials(&ctx.env).is_some(),
        }),
    )
}

pub async fn get(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    view(&ctx, &caller.user.id).await
}

/// `POST .../link`: a new one-time code (any earlier one stops working), shown once: only its
/// hash is stored. The chat it is sent from becomes the caller's chat at the next verify.
pub async fn link(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let (base, token) = credentials(&ctx)?;
    let username = chats::bot_username(&base, &token).await?;
    let code = telegram_link::new_code()?;
    let expires_at_ms = chats::create_link(&ctx.env.d1("DB")?, &caller.user.id, &code, now_ms()).await?;
    json(
        201,
        &value!({
            "code": code,
            "command": format!("/start {code}"),
            "bot_username": username,
            "url": username.as_ref().map(|name| format!("https://t.me/{name}?start={code}")),
            "expires_at": rfc3339_from_ms(expires_at_ms),
        }),
    )
}

/// `POST .../verify`: reads the bot's new updates when the caller has a live code (at most every
/// [`chats::POLL_INTERVAL_MS`]; a call in between answers from what is stored), then the view.
pub async fn verify(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let (base, token) = credentials(&ctx)?;
    let db = ctx.env.d1("DB")?;
    let now = now_ms();
    if chats::claim_poll(&db, &caller.user.id, now).await? {
        chats::verify_pending(&db, &base, &token, now).await?;
    }
    view(&ctx, &caller.user.id).await
}

pub async fn delete(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    chats::forget(&ctx.env.d1("DB")?, &caller.user.id).await?;
    crate::app::no_content()
}

pub async fn test(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let db = ctx.env.d1("DB")?;
    let target = chats::target(&db, &caller.user.id).await?.filter(|t| t.verified_at.is_some()).ok_or_else(|| {
        ApiError::conflict("telegram_not_linked", "link a Telegram chat through the bot first (POST .../link)")
    })?;
    let (base, token) = credentials(&ctx)?;
    if let Some(wait) = chats::claim_test(&db, &caller.user.id, now_ms(), TEST_INTERVAL_MS).await? {
        let why = format!("one test message per {} s; try again in {wait} s", TEST_INTERVAL_MS / 1000);
        return Err(ApiError::new(429, "rate_limited", why).with_header("retry-after", wait.to_string()));
    }
    let text = "Auronex: test message. Trade and bot-error notifications will arrive in this chat.";
    match send(&base, &token, &target.chat_id, text).await {
        Ok(message_id) => json(
            200,
            &value!({"ok": true, "message": format!("sent to chat {}", target.chat_id), "message_id": message_id}),
        ),
        Err(why) => json(200, &value!({"ok": false, "message": why})),
    }
}
