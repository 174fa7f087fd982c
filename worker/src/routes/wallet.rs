//! `GET /api/exchange/balance` (the paper wallet per quote currency) and
//! `GET /api/dashboard/summary` (every dashboard card in one call).

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;
use serde_json::json as value;
use worker::Response;

use super::market_params;
use crate::app::{json, Ctx};
use crate::auth;
use crate::bots::ledger::{self, TradeRow};
use crate::bots::wallet::{wallets, Wallet};
use crate::bots::{repo, starts, stats, BotRow};
use crate::clock::now_ms;
use crate::http::ApiResult;
use crate::market::MarketData;

/// Amounts as JSON numbers, whole ones as integers (the `core::num` convention).
fn number(value: Decimal) -> serde_json::Value {
    match value.fract().is_zero().then(|| value.to_i64()).flatten() {
        Some(whole) => whole.into(),
        None => market_params::number(value),
    }
}

/// Dollar-like quote currencies counted 1:1 as USD in totals.
const USD_LIKE: [&str; 4] = ["USDT", "USD", "USDC", "FDUSD"];

#[derive(Serialize)]
struct ByExchange {
    exchange: String,
    currency: String,
    #[serde(with = "auronex_core::num")]
    allocated: Decimal,
    #[serde(with = "auronex_core::num")]
    in_positions: Decimal,
}

fn by_exchange(bots: &[BotRow], trades: &[TradeRow]) -> Vec<ByExchange> {
    let mut rows: Vec<ByExchange> = Vec::new();
    let mut row = |exchange: &str, currency: &str| -> usize {
        match rows.iter().position(|r| r.exchange == exchange && r.currency == currency) {
            Some(index) => index,
            None => {
                rows.push(ByExchange {
                    exchange: exchange.into(),
                    currency: currency.into(),
                    allocated: Decimal::ZERO,
                    in_positions: Decimal::ZERO,
                });
                rows.len() - 1
            }
        }
    };
    let mut add = Vec::new();
    for bot in bots.iter().filter(|b| b.is_active()) {
        add.push((row(&bot.exchange, &bot.quote_currency), bot.capital(), Decimal::ZERO));
    }
    for trade in trades.iter().filter(|t| t.is_open()) {
        add.push((row(&trade.exchange, &trade.quote_currency), Decimal::ZERO, ledger::dec(&trade.cost)));
    }
    for (index, allocated, cost) in add {
        rows[index].allocated += allocated;
        rows[index].in_positions += cost;
    }
    rows
}

/// USD-like wallets summed, plus BRL converted at `usd_brl` when known.
fn total_usd(wallets: &[Wallet], usd_brl: Option<Decimal>, pick: impl Fn(&Wallet) -> Decimal) -> Decimal {
    let usd: Decimal = wallets.iter().filter(|w| USD_LIKE.contains(&w.currency.as_str())).map(&pick).sum();
    let brl: Decimal = wallets.iter().filter(|w| w.currency == "BRL").map(&pick).sum();
    match usd_brl.filter(|rate| !rate.is_zero()) {
        Some(rate) => usd + brl / rate,
        None => usd,
    }
}

async fn usd_brl(ctx: &Ctx) -> Option<Decimal> {
    let md = MarketData::new(&ctx.env).ok()?;
    md.usd_brl().await.ok().map(|fx| fx.value.rate())
}

/// The caller's trades, bots, wallets and the USD-BRL rate (when AwesomeAPI answers).
struct Books {
    trades: Vec<TradeRow>,
    bots: Vec<BotRow>,
    all: Vec<Wallet>,
    rate: Option<Decimal>,
}

impl Books {
    async fn load(ctx: &Ctx) -> ApiResult<Self> {
        let caller = auth::authenticate(ctx).await?;
        let db = ctx.env.d1("DB")?;
        let trades = ledger::all_for_user(&db, &caller.user.id).await?;
        let bots = repo::list(&db, &caller.user.id).await?;
        let all = wallets(&trades, &bots, &starts::load(&db, &caller.user.id).await?, None);
        Ok(Self { trades, bots, all, rate: usd_brl(ctx).await })
    }
}

pub async fn balance(ctx: Ctx) -> ApiResult<Response> {
    let Books { trades, bots, all, rate } = Books::load(&ctx).await?;
    let usdt = all.iter().find(|w| w.currency == "USDT");
    let pick = |f: fn(&Wallet) -> Decimal| usdt.map(f).unwrap_or(Decimal::ZERO);
    let total_brl = rate.map(|rate| total_usd(&all, Some(rate), |w| w.total) * rate);
    json(
        200,
        &value!({
            "currency": "USDT",
            "total": number(pick(|w| w.total)),
            "available": number(pick(|w| w.available)),
            "in_positions": number(pick(|w| w.in_positions)),
            "wallets": all,
            "by_exchange": by_exchange(&bots, &trades),
            "total_brl": total_brl.map(number),
            "paper": true,
        }),
    )
}

pub async fn summary(ctx: Ctx) -> ApiResult<Response> {
    let Books { trades, bots, all, rate } = Books::load(&ctx).await?;
    let stats = stats::stats(&trades);
    let today = stats::today(&trades, now_ms());
    json(
        200,
        &value!({
            "currency": "USD",
            "total_balance": number(total_usd(&all, rate, |w| w.total)),
            "capital_invested": number(total_usd(&all, rate, |w| w.allocated)),
            "in_positions": number(total_usd(&all, rate, |w| w.in_positions)),
            "net_profit": number(total_usd(&all, rate, |w| w.realised_pnl)),
            "trades_today": today.count,
            "profit_today": number(today.profit_loss),
            "win_rate": number(stats.win_rate),
            "bots_total": bots.len(),
            "bots_active": bots.iter().filter(|b| b.is_active()).count(),
            "usd_brl": rate.map(number),
            "wallets": all,
        }),
    )
}
