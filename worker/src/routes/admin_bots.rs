//! Admin back office for bots: `GET /api/admin/bots/all`, `DELETE /api/admin/bots/{id}` and
//! `PATCH /api/admin/bots/{id}/toggle`. Admins act on any user's bot with the same rules the
//! owner has (positions closed at the bid before a stop or delete; a start re-checks the
//! owner's plan and balance), and every change is audited.

use serde_json::json;
use worker::Response;

use crate::admin::audit::{self, Entry};
use crate::app::{json, Ctx};
use crate::auth::{self, Caller};
use crate::bots::repo;
use crate::bots::setup::check_can_start;
use crate::bots::BotRow;
use crate::clock;
use crate::http::{ApiError, ApiResult};
use crate::tick::close_positions;
use crate::users;

async fn admin(ctx: &Ctx) -> ApiResult<Caller> {
    let caller = auth::authenticate(ctx).await?;
    caller.require_admin()?;
    Ok(caller)
}

async fn any_bot(ctx: &Ctx) -> ApiResult<BotRow> {
    let id = ctx.params.get("id").map(String::as_str).unwrap_or("");
    repo::find_any(&ctx.env.d1("DB")?, id).await?.ok_or_else(ApiError::not_found)
}

fn page(ctx: &Ctx) -> ApiResult<(u32, u32)> {
    let url = ctx.req.url()?;
    let number = |name: &'static str, default: u32, max: u32| -> ApiResult<u32> {
        match url.query_pairs().find(|(key, _)| key == name) {
            None => Ok(default),
            Some((_, text)) => text
                .parse::<u32>()
                .ok()
                .filter(|value| *value <= max)
                .ok_or_else(|| ApiError::validation(name, format!("{name} must be an integer up to {max}"))),
        }
    };
    Ok((number("limit", 100, 500)?.max(1), number("offset", 0, u32::MAX)?))
}

pub async fn list_all(ctx: Ctx) -> ApiResult<Response> {
    admin(&ctx).await?;
    let (limit, offset) = page(&ctx)?;
    let bots = repo::list_all(&ctx.env.d1("DB")?, limit, offset).await?;
    let items: Vec<_> = bots
        .iter()
        .map(|bot| {
            let mut view = serde_json::to_value(bot.view()).unwrap_or_default();
            view["user_id"] = json!(bot.user_id);
            view
        })
        .collect();
    json(200, &json!({"items": items, "limit": limit, "offset": offset}))
}

pub async fn delete(ctx: Ctx) -> ApiResult<Response> {
    let caller = admin(&ctx).await?;
    let bot = any_bot(&ctx).await?;
    close_positions(&ctx.env, &bot, None).await?;
    let db = ctx.env.d1("DB")?;
    if !repo::delete(&db, &bot.id, &bot.user_id).await? {
        return Err(ApiError::conflict("open_positions", "the bot still holds an open trade; try again"));
    }
    let detail = json!({"owner_id": bot.user_id, "name": bot.name});
    audit::record(&db, &caller, Entry { action: "bot.delete", target_type: "bot", target_id: &bot.id, detail }).await?;
    crate::app::no_content()
}

pub async fn toggle(ctx: Ctx) -> ApiResult<Response> {
    let caller = admin(&ctx).await?;
    let db = ctx.env.d1("DB")?;
    let mut bot = any_bot(&ctx).await?;
    let was_active = bot.is_active();
    if was_active {
        if !close_positions(&ctx.env, &bot, None).await?.is_empty() {
            bot = any_bot(&ctx).await?;
        }
    } else {
        let owner = users::repo::find_by_id(&db, &bot.user_id).await?.ok_or_else(ApiError::not_found)?;
        check_can_start(&db, &owner, &bot).await?;
    }
    if !repo::set_active(&db, &bot, !was_active, None, &clock::now_rfc3339()).await? {
        return Err(ApiError::conflict("bot_busy", "the bot changed meanwhile; try again"));
    }
    if !was_active {
        crate::tick::arm_for(&ctx.env, bot.analysis_interval).await;
    }
    let detail = json!({"owner_id": bot.user_id, "is_active": {"before": was_active, "after": !was_active}});
    audit::record(&db, &caller, Entry { action: "bot.toggle", target_type: "bot", target_id: &bot.id, detail }).await?;
    json(200, &any_bot(&ctx).await?.view())
}
