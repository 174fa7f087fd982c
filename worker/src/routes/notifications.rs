//! `/api/notifications/telegram`: the caller's Telegram chat for trade and bot-error messages
//! (`GET`, `PUT {chat_id}`, `DELETE`) and `POST .../test`, which sends a test message and says
//! in plain words why Telegram refused it, if it did.

use serde::Deserialize;
use serde_json::{json as value, Value};
use worker::Response;

use crate::app::{json, Ctx};
use crate::auth;
use crate::clock::now_rfc3339;
use crate::http::{body, ApiError, ApiResult};
use crate::notify::telegram::{self, check_chat_id, Target};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetChat {
    chat_id: Value,
}

fn view(ctx: &Ctx, target: Option<&Target>) -> ApiResult<Response> {
    json(
        200,
        &value!({
            "chat_id": target.map(|t| t.chat_id.as_str()),
            "updated_at": target.map(|t| t.updated_at.as_str()),
            "available": telegram::credentials(&ctx.env).is_some(),
        }),
    )
}

pub async fn get(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let target = telegram::target(&ctx.env.d1("DB")?, &caller.user.id).await?;
    view(&ctx, target.as_ref())
}

pub async fn put(mut ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let input: SetChat = body::json(&mut ctx.req).await?;
    let chat_id = check_chat_id(&input.chat_id)?;
    let db = ctx.env.d1("DB")?;
    let now = now_rfc3339();
    db.prepare(
        "INSERT INTO telegram_targets (user_id, chat_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?3) \
         ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id, updated_at = excluded.updated_at",
    )
    .bind(&[caller.user.id.as_str().into(), chat_id.as_str().into(), now.as_str().into()])?
    .run()
    .await?;
    let target = Target { user_id: caller.user.id, chat_id, updated_at: now };
    view(&ctx, Some(&target))
}

pub async fn delete(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let db = ctx.env.d1("DB")?;
    db.prepare("DELETE FROM telegram_targets WHERE user_id = ?1")
        .bind(&[caller.user.id.as_str().into()])?
        .run()
        .await?;
    crate::app::no_content()
}

pub async fn test(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let target = telegram::target(&ctx.env.d1("DB")?, &caller.user.id)
        .await?
        .ok_or_else(|| ApiError::conflict("telegram_not_set", "set a Telegram chat id first"))?;
    let (base, token) = telegram::credentials(&ctx.env).ok_or_else(|| {
        ApiError::new(503, "telegram_unavailable", "Telegram notifications are not configured on this server")
    })?;
    let text = "Auronex: test message. Trade and bot-error notifications will arrive in this chat.";
    match telegram::send(&base, &token, &target.chat_id, text).await {
        Ok(message_id) => json(
            200,
            &value!({"ok": true, "message": format!("sent to chat {}", target.chat_id), "message_id": message_id}),
        ),
        Err(why) => json(200, &value!({"ok": false, "message": why})),
    }
}
