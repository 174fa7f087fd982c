//! `/api/bots/{id}/channel`: links a bot to a copier channel its owner publishes, so the tick
//! publishes the bot's paper trades there (copy trading of bots). `PUT {"channel_id"}` links
//! (or moves) it, `GET` shows the link, `DELETE` removes it. Another user's bot is 404; a
//! channel the caller does not publish is 403; an unknown channel is 422 naming `channel_id`.

use serde::Deserialize;
use worker::Response;

use crate::app::{json, Ctx};
use crate::auth;
use crate::bots::{repo, BotRow};
use crate::clock;
use crate::copier::bot_trades;
use crate::copier::repo as channels;
use crate::http::{body, ApiError, ApiResult};

#[derive(Deserialize)]
struct LinkInput {
    channel_id: String,
}

async fn owned_bot(ctx: &Ctx, user_id: &str) -> ApiResult<BotRow> {
    let id = ctx.params.get("id").map(String::as_str).unwrap_or("");
    repo::find(&ctx.env.d1("DB")?, user_id, id).await?.ok_or_else(ApiError::not_found)
}

fn view(bot_id: &str, channel_id: Option<&str>) -> serde_json::Value {
    serde_json::json!({"bot_id": bot_id, "channel_id": channel_id})
}

pub async fn put(mut ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let bot = owned_bot(&ctx, &caller.user.id).await?;
    let input: LinkInput = body::json(&mut ctx.req).await?;
    let db = ctx.env.d1("DB")?;
    let channel = channels::find_channel(&db, input.channel_id.trim())
        .await?
        .ok_or_else(|| ApiError::validation("channel_id", "no channel has this id"))?;
    if channel.owner_id != caller.user.id {
        return Err(ApiError::forbidden("a bot can only publish to a channel its owner publishes"));
    }
    bot_trades::link(&db, &bot.id, &channel.id, &caller.user.id, &clock::now_rfc3339()).await?;
    json(200, &view(&bot.id, Some(&channel.id)))
}

pub async fn get(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let bot = owned_bot(&ctx, &caller.user.id).await?;
    let link = bot_trades::find_link(&ctx.env.d1("DB")?, &bot.id).await?;
    json(200, &view(&bot.id, link.as_ref().map(|link| link.channel_id.as_str())))
}

pub async fn delete(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let bot = owned_bot(&ctx, &caller.user.id).await?;
    bot_trades::unlink(&ctx.env.d1("DB")?, &bot.id).await?;
    crate::app::no_content()
}
