//! Turning a checked draft into a runnable core config: each symbol looked up on the
//! exchange (an unlisted one is the caller's 422, an outage 502/503), and the checks against
//! the user's plan and paper balance shared by create, edit, clone and start.

use auronex_core::engine::{BotConfig, MarketConfig};
use auronex_core::fills::FillModel;
use auronex_core::rules::TradingRules;
use auronex_exchanges::venue;
use rust_decimal::Decimal;
use worker::{D1Database, Env};

use super::validate::Draft;
use super::{plan_limit, repo, wallet, BotRow};
use crate::http::{ApiError, ApiResult};
use crate::market::{MarketData, MarketError};
use crate::users::User;

/// Paper fills: the venue's own bid/ask, no extra slippage; half a 0.1 % spread only when a
/// market has no quote (the tick never trades without one).
fn fill_model() -> ApiResult<FillModel> {
    FillModel::from_percents(Decimal::new(1, 1), Decimal::ZERO).map_err(ApiError::internal)
}

pub async fn config(env: &Env, draft: &Draft) -> ApiResult<BotConfig> {
    let md = MarketData::new(env).map_err(|e| e.to_api_error())?;
    let fee = venue(draft.exchange).quirks().taker_fee();
    let mut markets = Vec::with_capacity(draft.symbols.len());
    for symbol in &draft.symbols {
        let market = md.market(draft.exchange, symbol).await.map_err(|error| match error {
            MarketError::UnknownSymbol { .. } => {
                ApiError::validation("symbols", format!("{} does not list {symbol}", draft.exchange.name()))
            }
            other => other.to_api_error(),
        })?;
        let rules = TradingRules {
            maker_fee_rate: fee,
            taker_fee_rate: fee,
            lot_step: market.lot_step.unwrap_or(Decimal::ZERO),
            min_notional: market.min_notional.unwrap_or(Decimal::ZERO),
        };
        markets.push(MarketConfig { symbol: symbol.clone(), rules });
    }
    let config = BotConfig::from_params(&draft.strategy, &draft.params, draft.capital, fill_model()?, markets)
        .map_err(|error| ApiError::validation("params", error.to_string()))?;
    config.validate().map_err(|error| ApiError::validation("symbols", error.to_string()))?;
    Ok(config)
}

/// 422 on `capital` when the user's available paper balance in `currency` (not counting
/// `except_bot`'s own reservation) is below `capital`.
pub async fn check_balance(
    db: &D1Database,
    user_id: &str,
    currency: &str,
    capital: Decimal,
    except_bot: Option<&str>,
) -> ApiResult<()> {
    let available = wallet::available(&wallet::load(db, user_id, except_bot).await?, currency);
    if capital > available {
        return Err(ApiError::validation(
            "capital",
            format!("capital {capital} is above your available paper balance of {} {currency}", available.normalize()),
        )
        .with_code("insufficient_balance"));
    }
    Ok(())
}

pub fn plan_error(user: &User, what: &str) -> ApiError {
    let limit = plan_limit(user.plan);
    ApiError::new(403, "plan_limit", format!("the {} plan allows {limit} {what}; upgrade for more", user.plan.as_str()))
}

/// A running bot may not be started twice past the plan (a downgraded user keeps their bots
/// but can run only as many as the new plan allows).
pub async fn check_can_start(db: &D1Database, user: &User, bot: &BotRow) -> ApiResult<()> {
    if repo::count(db, &user.id, true).await? >= plan_limit(user.plan) {
        return Err(plan_error(user, "running bots"));
    }
    check_balance(db, &user.id, &bot.quote_currency, bot.capital(), Some(&bot.id)).await
}
