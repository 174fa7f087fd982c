//! `/api/trades/*` and `/api/bot-activity/recent`: the caller's paper trades (paged list,
//! today, stats, the equity curve, a month with CSV export), manual close at the bid, and the
//! activity feed. Figures are per currency; combined ones only converted.

use serde::{Deserialize, Serialize};
use worker::{Headers, Response};

use super::market_params::Params;
use crate::app::{json, Ctx};
use crate::auth;
use auronex_core::money::{Currency, Money};
use rust_decimal::Decimal;

use crate::bots::conversion::{self, Conversions};
use crate::bots::ledger::{self, Filter, TradeRow, TradeView};
use crate::bots::repo::{self, int};
use crate::bots::{export, starts, stats, totals};
use crate::clock::{now_ms, rfc3339_from_ms};
use crate::http::{ApiError, ApiResult};
use crate::tick::close_positions;

#[derive(Serialize)]
struct Page {
    items: Vec<TradeView>,
    next_cursor: Option<String>,
}

/// Cursors are `{entry_ms}.{id}` of the last row returned (opaque to clients).
fn parse_cursor(text: &str) -> ApiResult<(i64, &str)> {
    let bad = || ApiError::validation("cursor", "invalid cursor");
    let (ms, id) = text.split_once('.').ok_or_else(bad)?;
    Ok((ms.parse().map_err(|_| bad())?, id))
}

pub async fn list(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let params = Params::of(&ctx)?;
    let status = params.get("status");
    if status.is_some_and(|s| s != "open" && s != "closed") {
        return Err(ApiError::validation("status", "status must be open or closed"));
    }
    let limit = match params.get("limit") {
        None => 50,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=500).contains(n))
            .ok_or_else(|| ApiError::validation("limit", "limit must be 1 to 500"))?,
    };
    let after = params.get("cursor").map(parse_cursor).transpose()?;
    let filter = Filter { bot_id: params.get("bot_id"), status, after, limit: limit + 1 };
    let db = ctx.env.d1("DB")?;
    let mut rows = ledger::page(&db, &caller.user.id, &filter).await?;
    let next_cursor = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|row| format!("{}.{}", row.entry_ms, row.id))
    } else {
        None
    };
    json(200, &Page { items: rows.iter().map(TradeRow::view).collect(), next_cursor })
}

pub async fn today(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let target = conversion::target(Params::of(&ctx)?.get("currency"))?;
    let db = ctx.env.d1("DB")?;
    let since = totals::since(&db, &caller.user.id, stats::day_start(now_ms())).await?;
    let currencies: Vec<Currency> = since.iter().map(|s| s.currency.clone()).collect();
    let converter = conversion::converter(&ctx.env, target, &currencies).await;
    json(200, &stats::today(&since, Conversions::new(&converter)).map_err(ApiError::internal)?)
}

/// The stats of `bot_id`'s books (the whole history, whichever bot row is still there) or of
/// the user's; a `bot_id` the caller never owned is 404.
pub async fn stats_of(ctx: &Ctx, user_id: &str, bot_id: Option<&str>) -> ApiResult<Response> {
    let target = conversion::target(Params::of(ctx)?.get("currency"))?;
    let db = ctx.env.d1("DB")?;
    let books = totals::load(&db, user_id, bot_id).await?;
    if let Some(bot) = bot_id {
        if books.is_empty() && repo::find(&db, user_id, bot).await?.is_none() {
            return Err(ApiError::not_found());
        }
    }
    let currencies: Vec<Currency> = books.iter().map(|t| t.currency.clone()).collect();
    let converter = conversion::converter(&ctx.env, target, &currencies).await;
    json(200, &stats::stats(&books, Conversions::new(&converter)).map_err(ApiError::internal)?)
}

pub async fn stats(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let bot_id = Params::of(&ctx)?.get("bot_id").map(str::to_string);
    stats_of(&ctx, &caller.user.id, bot_id.as_deref()).await
}

#[derive(Serialize)]
struct EquityPoint {
    time: String,
    #[serde(with = "auronex_core::num")]
    equity: Decimal,
}

#[derive(Serialize)]
struct EquitySeries {
    currency: String,
    #[serde(with = "auronex_core::num")]
    start_balance: Decimal,
    points: Vec<EquityPoint>,
}

/// Points per currency on the equity curve.
const EQUITY_POINTS: u32 = 500;

/// `GET /api/trades/equity`: start balance + cumulative realised P&L per currency, in exit order.
pub async fn equity(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let db = ctx.env.d1("DB")?;
    let starts = starts::load(&db, &caller.user.id).await?;
    let mut series: Vec<EquitySeries> = Vec::new();
    for (code, exit_ms, cum_units) in ledger::equity(&db, &caller.user.id, EQUITY_POINTS).await? {
        let currency = totals::currency(&code)?;
        let start = Money::new(starts.get(&code).copied().unwrap_or(Decimal::ZERO), currency.clone());
        let equity = start.checked_add(&Money::from_units(cum_units, currency)).map_err(ApiError::internal)?;
        if series.last().is_none_or(|s| s.currency != code) {
            series.push(EquitySeries { currency: code.clone(), start_balance: start.amount(), points: Vec::new() });
        }
        if let Some(last) = series.last_mut() {
            last.points.push(EquityPoint { time: rfc3339_from_ms(exit_ms), equity: equity.amount() });
        }
    }
    json(200, &serde_json::json!({ "series": series }))
}

pub async fn month(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let params = Params::of(&ctx)?;
    let number = |name: &'static str| -> ApiResult<i64> {
        params
            .get(name)
            .and_then(|text| text.parse::<i64>().ok())
            .ok_or_else(|| ApiError::validation(name, format!("{name} is required (a number)")))
    };
    let (year, month) = (number("year")?, number("month")?);
    let month = u32::try_from(month).map_err(|_| ApiError::validation("month", "month must be 1 to 12"))?;
    let (from, to) = stats::month_bounds(year, month)
        .ok_or_else(|| ApiError::validation("month", "month must be 1 to 12 and year 1970 to 9999"))?;
    let db = ctx.env.d1("DB")?;
    let items: Vec<TradeView> =
        ledger::entered_between(&db, &caller.user.id, from, to).await?.iter().map(TradeRow::view).collect();
    match params.get("format") {
        None | Some("json") => {
            let totals = export::totals(&items).map_err(ApiError::internal)?;
            json(200, &serde_json::json!({ "items": items, "totals": totals }))
        }
        Some("csv") => {
            let headers = Headers::new();
            headers.set("content-type", "text/csv; charset=utf-8")?;
            headers.set("content-disposition", &format!("attachment; filename=\"trades-{year}-{month:02}.csv\""))?;
            headers.set("cache-control", "no-store")?;
            Ok(Response::ok(export::csv(&items))?.with_headers(headers))
        }
        Some(_) => Err(ApiError::validation("format", "format must be json or csv")),
    }
}

/// Closes an open trade now at the bid (`exit_reason: "force_exit"`).
pub async fn close(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let db = ctx.env.d1("DB")?;
    let id = ctx.params.get("id").map(String::as_str).unwrap_or("");
    let trade = ledger::find(&db, &caller.user.id, id).await?.ok_or_else(ApiError::not_found)?;
    if !trade.is_open() {
        return Err(ApiError::conflict("trade_closed", "this trade is already closed"));
    }
    let bot = repo::find(&db, &caller.user.id, &trade.bot_id).await?.ok_or_else(ApiError::not_found)?;
    let symbol = trade.symbol.parse().map_err(ApiError::internal)?;
    close_positions(&ctx.env, &bot, Some(&symbol)).await?;
    let trade = ledger::find(&db, &caller.user.id, id).await?.ok_or_else(ApiError::not_found)?;
    if trade.is_open() {
        return Err(ApiError::conflict("bot_busy", "the trade could not be closed now; try again"));
    }
    json(200, &trade.view())
}

#[derive(Deserialize)]
struct ActivityRow {
    at_ms: i64,
    last_at_ms: Option<i64>,
    repeats: i64,
    bot_id: String,
    bot_name: String,
    action: String,
    message: String,
}

#[derive(Serialize)]
struct Activity {
    at: String,
    /// When the same error was last seen again (`repeats` > 1), else `at`.
    last_at: String,
    repeats: i64,
    bot_id: String,
    bot_name: String,
    action: String,
    message: String,
}

pub async fn activity(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let db = ctx.env.d1("DB")?;
    let rows: Vec<ActivityRow> = db
        .prepare(
            "SELECT at_ms, last_at_ms, repeats, bot_id, bot_name, action, message FROM bot_activity WHERE user_id = ?1 \
             ORDER BY id DESC LIMIT ?2",
        )
        .bind(&[caller.user.id.as_str().into(), int(20)])?
        .all()
        .await?
        .results()?;
    let items: Vec<Activity> = rows
        .into_iter()
        .map(|r| Activity {
            at: rfc3339_from_ms(r.at_ms),
            last_at: rfc3339_from_ms(r.last_at_ms.unwrap_or(r.at_ms)),
            repeats: r.repeats,
            bot_id: r.bot_id,
            bot_name: r.bot_name,
            action: r.action,
            message: r.message,
        })
        .collect();
    json(200, &items)
}
