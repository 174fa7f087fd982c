//! `/api/bots/*`: a user's bots (create, list, read, edit, delete, start/stop, clone). Another
//! user's bot is 404; plan limits are 403 `plan_limit`; bad input is 422 naming the field.

use worker::Response;

use crate::app::{json, Ctx};
use crate::auth::{self, Caller};
use crate::bots::setup::{self, check_balance, check_can_start, plan_error};
use crate::bots::validate::{self, BotInput, Draft};
use crate::bots::{plan_limit, repo, BotRow};
use crate::clock;
use crate::crypto;
use crate::http::{body, ApiError, ApiResult};
use crate::tick::{self, close_positions};

struct Stored {
    symbols: String,
    capital: String,
    params: String,
    config: String,
}

impl Stored {
    fn of(draft: &Draft, config: &auronex_core::engine::BotConfig) -> ApiResult<Self> {
        let symbols: Vec<String> = draft.symbols.iter().map(ToString::to_string).collect();
        Ok(Self {
            symbols: serde_json::to_string(&symbols).map_err(ApiError::internal)?,
            capital: draft.capital.normalize().to_string(),
            params: draft.params_json.to_string(),
            config: serde_json::to_string(config).map_err(ApiError::internal)?,
        })
    }

    fn fields<'a>(&'a self, draft: &'a Draft) -> repo::Fields<'a> {
        repo::Fields {
            name: &draft.name,
            exchange: draft.exchange.id(),
            symbols: &self.symbols,
            quote_currency: &draft.quote_currency,
            capital: &self.capital,
            strategy: &draft.strategy,
            params: &self.params,
            analysis_interval: draft.analysis_interval,
            is_testnet: draft.is_testnet,
            config: &self.config,
        }
    }
}

async fn owned(ctx: &Ctx, caller: &Caller) -> ApiResult<BotRow> {
    let id = ctx.params.get("id").map(String::as_str).unwrap_or("");
    let db = ctx.env.d1("DB")?;
    repo::find(&db, &caller.user.id, id).await?.ok_or_else(ApiError::not_found)
}

async fn insert(ctx: &Ctx, caller: &Caller, draft: &Draft) -> ApiResult<Response> {
    let db = ctx.env.d1("DB")?;
    let limit = plan_limit(caller.user.plan);
    if repo::count(&db, &caller.user.id, false).await? >= limit {
        return Err(plan_error(&caller.user, "bots"));
    }
    let config = setup::config(&ctx.env, draft).await?;
    check_balance(&db, &caller.user.id, &draft.quote_currency, draft.capital, None).await?;
    let stored = Stored::of(draft, &config)?;
    let id = crypto::random_id()?;
    if !repo::insert(&db, &id, &caller.user.id, &stored.fields(draft), &clock::now_rfc3339(), limit).await? {
        return Err(plan_error(&caller.user, "bots"));
    }
    let bot = repo::find(&db, &caller.user.id, &id).await?.ok_or_else(ApiError::not_found)?;
    json(201, &bot.view())
}

pub async fn create(mut ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let input: BotInput = body::json(&mut ctx.req).await?;
    let draft = validate::check(input)?;
    insert(&ctx, &caller, &draft).await
}

pub async fn list(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let db = ctx.env.d1("DB")?;
    let bots: Vec<_> = repo::list(&db, &caller.user.id).await?.iter().map(BotRow::view).collect();
    json(200, &bots)
}

pub async fn get(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    json(200, &owned(&ctx, &caller).await?.view())
}

/// Edits a stopped bot. Any position it still holds (a downgrade that could not close it, say)
/// is closed at the bid first; the edit is refused while an open trade remains.
pub async fn update(mut ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let bot = owned(&ctx, &caller).await?;
    let input: BotInput = body::json(&mut ctx.req).await?;
    let draft = validate::check(input)?;
    if bot.is_active() {
        return Err(ApiError::conflict("bot_active", "stop the bot before editing it"));
    }
    let config = setup::config(&ctx.env, &draft).await?;
    let db = ctx.env.d1("DB")?;
    check_balance(&db, &caller.user.id, &draft.quote_currency, draft.capital, Some(&bot.id)).await?;
    close_positions(&ctx.env, &bot, None).await?;
    let stored = Stored::of(&draft, &config)?;
    let updated = repo::update(&db, &bot.id, &caller.user.id, &stored.fields(&draft), &clock::now_rfc3339()).await?;
    let bot = repo::find(&db, &caller.user.id, &bot.id).await?.ok_or_else(ApiError::not_found)?;
    if bot.is_active() {
        return Err(ApiError::conflict("bot_active", "the bot was started meanwhile; stop it before editing"));
    }
    if !updated {
        return Err(open_positions());
    }
    json(200, &bot.view())
}

fn open_positions() -> ApiError {
    ApiError::conflict("open_positions", "the bot still holds an open trade; close it and try again")
}

/// Deleting closes any open position at the bid first; the trades stay in the ledger. The
/// delete is refused while an open trade remains (one a tick opened meanwhile, say).
pub async fn delete(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let bot = owned(&ctx, &caller).await?;
    close_positions(&ctx.env, &bot, None).await?;
    let db = ctx.env.d1("DB")?;
    if !repo::delete(&db, &bot.id, &caller.user.id).await? {
        return Err(open_positions());
    }
    crate::app::no_content()
}

/// The bot's stats over its whole history (the same body as `/api/trades/stats?bot_id=`).
pub async fn stats(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let bot = owned(&ctx, &caller).await?;
    super::trades::stats_of(&ctx, &caller.user.id, Some(&bot.id)).await
}

/// Starts a stopped bot (re-checking plan and balance) or stops a running one (closing its
/// open positions at the bid).
pub async fn toggle(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let db = ctx.env.d1("DB")?;
    let mut bot = owned(&ctx, &caller).await?;
    let now = clock::now_rfc3339();
    if bot.is_active() {
        if !close_positions(&ctx.env, &bot, None).await?.is_empty() {
            bot = owned(&ctx, &caller).await?;
        }
    } else {
        check_can_start(&db, &caller.user, &bot).await?;
    }
    if !repo::set_active(&db, &bot, !bot.is_active(), None, &now).await? {
        return Err(ApiError::conflict("bot_busy", "the bot changed meanwhile; try again"));
    }
    if !bot.is_active() {
        tick::arm_for(&ctx.env, bot.analysis_interval).await;
    }
    json(200, &owned(&ctx, &caller).await?.view())
}

/// A template: a stopped copy of the bot's settings, named "<name> (copy)".
pub async fn clone(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let bot = owned(&ctx, &caller).await?;
    let view = bot.view();
    let base: String = view.name.chars().take(43).collect();
    let input = BotInput {
        name: format!("{} (copy)", base.trim_end()),
        exchange: view.exchange,
        symbols: view.symbols,
        capital: view.capital,
        strategy: view.strategy,
        analysis_interval: u32::try_from(view.analysis_interval).ok(),
        params: Some(view.params),
        is_testnet: view.is_testnet,
    };
    let draft = validate::check(input)?;
    insert(&ctx, &caller, &draft).await
}
