//! `GET /api/exchange/balance` (the paper wallet per quote currency) and
//! `GET /api/dashboard/summary` (every dashboard card in one call). Every figure is per
//! currency; a combined total exists only converted, with the rates it used beside it.

use auronex_core::money::{Converter, Currency, Money, MoneyError};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::json as value;
use worker::Response;

use super::market_params::{self, Params};
use crate::app::{json, Ctx};
use crate::auth;
use crate::bots::conversion::{self, Conversions};
use crate::bots::stats::{day_start, win_rate, CurrencyStats};
use crate::bots::totals::{self, OpenCost, Since, Totals};
use crate::bots::wallet::{wallets, Wallet};
use crate::bots::{repo, starts, BotRow};
use crate::clock::now_ms;
use crate::http::{ApiError, ApiResult};

/// Amounts as JSON numbers, whole ones as integers (the `core::num` convention).
fn number(value: Decimal) -> serde_json::Value {
    match value.fract().is_zero().then(|| value.to_i64()).flatten() {
        Some(whole) => whole.into(),
        None => market_params::number(value),
    }
}

fn optional(value: Option<Decimal>) -> serde_json::Value {
    value.map(number).unwrap_or(serde_json::Value::Null)
}

fn money_error(error: MoneyError) -> ApiError {
    ApiError::internal(error)
}

#[derive(Serialize)]
struct ByExchange {
    exchange: String,
    currency: String,
    #[serde(with = "auronex_core::num")]
    allocated: Decimal,
    #[serde(with = "auronex_core::num")]
    in_positions: Decimal,
}

/// Running bots' capital and open positions' cost per (exchange, currency).
fn by_exchange(bots: &[BotRow], open: &[OpenCost]) -> Result<Vec<ByExchange>, MoneyError> {
    let mut rows: Vec<(String, Money, Money)> = Vec::new();
    let mut row = |exchange: &str, currency: &Currency| -> usize {
        let found = rows.iter().position(|(e, a, _)| e == exchange && a.currency() == currency);
        found.unwrap_or_else(|| {
            rows.push((exchange.to_string(), Money::zero(currency.clone()), Money::zero(currency.clone())));
            rows.len() - 1
        })
    };
    let mut adds = Vec::new();
    for bot in bots.iter().filter(|b| b.is_active()) {
        let capital = Money::new(bot.capital(), bot.quote_currency.parse()?);
        adds.push((row(&bot.exchange, capital.currency()), Some(capital), None));
    }
    for cost in open {
        adds.push((row(&cost.exchange, cost.cost.currency()), None, Some(cost.cost.clone())));
    }
    for (index, capital, cost) in adds {
        if let Some(capital) = capital {
            rows[index].1 = rows[index].1.checked_add(&capital)?;
        }
        if let Some(cost) = cost {
            rows[index].2 = rows[index].2.checked_add(&cost)?;
        }
    }
    Ok(rows
        .into_iter()
        .map(|(exchange, allocated, in_positions)| ByExchange {
            exchange,
            currency: allocated.currency().to_string(),
            allocated: allocated.amount(),
            in_positions: in_positions.amount(),
        })
        .collect())
}

/// The caller's books: totals per currency, open positions, bots, wallets, today's figures.
struct Books {
    totals: Vec<Totals>,
    open: Vec<OpenCost>,
    bots: Vec<BotRow>,
    wallets: Vec<Wallet>,
    today: Vec<Since>,
}

impl Books {
    async fn load(ctx: &Ctx) -> ApiResult<Self> {
        let caller = auth::authenticate(ctx).await?;
        let db = ctx.env.d1("DB")?;
        let user = caller.user.id.as_str();
        let totals = totals::load(&db, user, None).await?;
        let open = totals::open_costs(&db, user).await?;
        let bots = repo::list(&db, user).await?;
        let wallets = wallets(&totals, &open, &bots, &starts::load(&db, user).await?, None).map_err(money_error)?;
        let today = totals::since(&db, user, day_start(now_ms())).await?;
        Ok(Self { totals, open, bots, wallets, today })
    }

    /// Every wallet's `pick` as money in its own currency.
    fn each(&self, pick: fn(&Wallet) -> Decimal) -> Result<Vec<Money>, MoneyError> {
        self.wallets.iter().map(|w| Ok(Money::new(pick(w), w.currency.parse()?))).collect()
    }

    fn currencies(&self) -> Result<Vec<Currency>, MoneyError> {
        self.wallets.iter().map(|w| w.currency.parse()).collect()
    }

    async fn converter(&self, ctx: &Ctx, target: Currency) -> ApiResult<Converter> {
        Ok(conversion::converter(&ctx.env, target, &self.currencies().map_err(money_error)?).await)
    }
}

pub async fn balance(ctx: Ctx) -> ApiResult<Response> {
    let books = Books::load(&ctx).await?;
    let usdt = books.wallets.iter().find(|w| w.currency == "USDT");
    let pick = |f: fn(&Wallet) -> Decimal| usdt.map(f).unwrap_or(Decimal::ZERO);
    let converter = books.converter(&ctx, conversion::target(Some("BRL"))?).await?;
    let mut conversions = Conversions::new(&converter);
    let total_brl = conversions.amount(&books.each(|w| w.total).map_err(money_error)?).map_err(money_error)?;
    json(
        200,
        &value!({
            "currency": "USDT",
            "total": number(pick(|w| w.total)),
            "available": number(pick(|w| w.available)),
            "in_positions": number(pick(|w| w.in_positions)),
            "wallets": books.wallets,
            "by_exchange": by_exchange(&books.bots, &books.open).map_err(money_error)?,
            "total_brl": optional(total_brl),
            "conversion": conversions.view(),
            "paper": true,
        }),
    )
}

pub async fn summary(ctx: Ctx) -> ApiResult<Response> {
    let params = Params::of(&ctx)?;
    let target = conversion::target(params.get("currency"))?;
    let books = Books::load(&ctx).await?;
    let converter = books.converter(&ctx, target).await?;
    let mut conversions = Conversions::new(&converter);
    let mut total = |pick: fn(&Wallet) -> Decimal| -> ApiResult<serde_json::Value> {
        let each = books.each(pick).map_err(money_error)?;
        Ok(optional(conversions.amount(&each).map_err(money_error)?))
    };
    let (total_balance, capital_invested, in_positions, net_profit) =
        (total(|w| w.total)?, total(|w| w.allocated)?, total(|w| w.in_positions)?, total(|w| w.realised_pnl)?);
    let today: Vec<&Money> = books.today.iter().map(|s| &s.realised).collect();
    let profit_today = optional(conversions.amount(today).map_err(money_error)?);
    let usd_brl = converter.rates.iter().find(|r| r.pair() == "USD/BRL").map(|r| number(r.rate));
    let (wins, closed): (u64, u64) = books.totals.iter().fold((0, 0), |(w, c), t| (w + t.wins, c + t.closed_trades));
    json(
        200,
        &value!({
            "currency": converter.target.to_string(),
            "total_balance": total_balance,
            "capital_invested": capital_invested,
            "in_positions": in_positions,
            "net_profit": net_profit,
            "trades_today": books.today.iter().map(|s| s.entered).sum::<u64>(),
            "profit_today": profit_today,
            "win_rate": number(win_rate(wins, closed)),
            "bots_total": books.bots.len(),
            "bots_active": books.bots.iter().filter(|b| b.is_active()).count(),
            "usd_brl": usd_brl,
            "wallets": books.wallets,
            "by_currency": by_currency(&books),
            "conversion": conversions.view(),
        }),
    )
}

/// One entry per wallet: its balance figures, today's and its stats, all in that currency.
fn by_currency(books: &Books) -> Vec<serde_json::Value> {
    books
        .wallets
        .iter()
        .map(|wallet| {
            let totals = books.totals.iter().find(|t| t.currency.as_str() == wallet.currency);
            let today = books.today.iter().find(|s| s.currency.as_str() == wallet.currency);
            let stats = totals.map(CurrencyStats::of);
            value!({
                "currency": wallet.currency,
                "total_balance": number(wallet.total),
                "capital_invested": number(wallet.allocated),
                "in_positions": number(wallet.in_positions),
                "available": number(wallet.available),
                "net_profit": number(wallet.realised_pnl),
                "profit_today": number(today.map(|s| s.realised.amount()).unwrap_or(Decimal::ZERO)),
                "trades_today": today.map(|s| s.entered).unwrap_or(0),
                "closed_trades": stats.as_ref().map(|s| s.closed_trades).unwrap_or(0),
                "win_rate": number(stats.as_ref().map(|s| s.win_rate).unwrap_or(Decimal::ZERO)),
                "profit_factor": optional(stats.as_ref().and_then(|s| s.profit_factor)),
                "expectancy": optional(stats.as_ref().and_then(|s| s.expectancy)),
                "max_drawdown": number(stats.as_ref().map(|s| s.max_drawdown).unwrap_or(Decimal::ZERO)),
                "fees": number(stats.as_ref().map(|s| s.fees).unwrap_or(Decimal::ZERO)),
            })
        })
        .collect()
}
