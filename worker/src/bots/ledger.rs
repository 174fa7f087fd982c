//! The trade ledger in D1: rows, their API view, paged reads and the equity series (writes:
//! `writes.rs`; running totals: `totals.rs`).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use worker::D1Database;

use super::repo::int;
use crate::clock::rfc3339_from_ms;

#[derive(Debug, Clone, Deserialize)]
pub struct TradeRow {
    pub id: String,
    pub bot_id: String,
    pub exchange: String,
    pub symbol: String,
    pub quote_currency: String,
    pub side: String,
    pub status: String,
    pub entry_price: String,
    pub exit_price: Option<String>,
    pub quantity: String,
    pub cost: String,
    pub fees: String,
    pub profit_loss: Option<String>,
    pub profit_pct: Option<String>,
    pub entry_ms: i64,
    pub exit_ms: Option<i64>,
    pub exit_reason: Option<String>,
}

pub const COLUMNS: &str = "id, bot_id, exchange, symbol, quote_currency, side, status, entry_price, exit_price, \
    quantity, cost, fees, profit_loss, profit_pct, entry_ms, exit_ms, exit_reason";

pub fn dec(text: &str) -> Decimal {
    text.parse().unwrap_or(Decimal::ZERO)
}

fn opt_dec(text: &Option<String>) -> Option<Decimal> {
    text.as_deref().map(dec)
}

#[derive(Debug, Serialize)]
pub struct TradeView {
    pub id: String,
    pub bot_id: String,
    pub exchange: String,
    pub symbol: String,
    pub quote_currency: String,
    pub side: String,
    pub status: String,
    #[serde(with = "auronex_core::num")]
    pub entry_price: Decimal,
    #[serde(with = "auronex_core::num::option")]
    pub exit_price: Option<Decimal>,
    #[serde(with = "auronex_core::num")]
    pub quantity: Decimal,
    #[serde(with = "auronex_core::num")]
    pub cost: Decimal,
    #[serde(with = "auronex_core::num")]
    pub fees: Decimal,
    #[serde(with = "auronex_core::num::option")]
    pub profit_loss: Option<Decimal>,
    #[serde(with = "auronex_core::num::option")]
    pub profit_pct: Option<Decimal>,
    pub entry_time: String,
    pub exit_time: Option<String>,
    pub exit_reason: Option<String>,
}

impl TradeRow {
    pub fn is_open(&self) -> bool {
        self.status == "open"
    }

    pub fn view(&self) -> TradeView {
        TradeView {
            id: self.id.clone(),
            bot_id: self.bot_id.clone(),
            exchange: self.exchange.clone(),
            symbol: self.symbol.clone(),
            quote_currency: self.quote_currency.clone(),
            side: self.side.clone(),
            status: self.status.clone(),
            entry_price: dec(&self.entry_price),
            exit_price: opt_dec(&self.exit_price),
            quantity: dec(&self.quantity),
            cost: dec(&self.cost),
            fees: dec(&self.fees),
            profit_loss: opt_dec(&self.profit_loss),
            profit_pct: opt_dec(&self.profit_pct),
            entry_time: rfc3339_from_ms(self.entry_ms),
            exit_time: self.exit_ms.map(rfc3339_from_ms),
            exit_reason: self.exit_reason.clone(),
        }
    }
}

/// Filters of `GET /api/trades/`; `after` is the (entry_ms, id) of the last row already seen.
pub struct Filter<'a> {
    pub bot_id: Option<&'a str>,
    pub status: Option<&'a str>,
    pub after: Option<(i64, &'a str)>,
    pub limit: u32,
}

/// The user's trades, newest first.
pub async fn page(db: &D1Database, user_id: &str, filter: &Filter<'_>) -> worker::Result<Vec<TradeRow>> {
    let (after_ms, after_id) = filter.after.map(|(ms, id)| (int(ms), id.into())).unwrap_or((int(i64::MAX), "".into()));
    let query = format!(
        "SELECT {COLUMNS} FROM trades WHERE user_id = ?1 AND (?2 IS NULL OR bot_id = ?2) \
         AND (?3 IS NULL OR status = ?3) AND (?4 = 0 OR entry_ms < ?5 OR (entry_ms = ?5 AND id < ?6)) \
         ORDER BY entry_ms DESC, id DESC LIMIT ?7"
    );
    let nullable = |value: Option<&str>| value.map(Into::into).unwrap_or(worker::wasm_bindgen::JsValue::NULL);
    db.prepare(query)
        .bind(&[
            user_id.into(),
            nullable(filter.bot_id),
            nullable(filter.status),
            int(filter.after.is_some().into()),
            after_ms,
            after_id,
            int(filter.limit.into()),
        ])?
        .all()
        .await?
        .results()
}

/// Every trade of the user entered in `[from_ms, to_ms)` (or all, with `i64` bounds).
pub async fn entered_between(
    db: &D1Database,
    user_id: &str,
    from_ms: i64,
    to_ms: i64,
) -> worker::Result<Vec<TradeRow>> {
    db.prepare(format!(
        "SELECT {COLUMNS} FROM trades WHERE user_id = ?1 AND entry_ms >= ?2 AND entry_ms < ?3 ORDER BY entry_ms, id"
    ))
    .bind(&[user_id.into(), int(from_ms), int(to_ms)])?
    .all()
    .await?
    .results()
}

#[derive(Deserialize)]
struct EquityRow {
    currency: String,
    exit_ms: i64,
    cum_units: String,
}

/// Cumulative realised P&L per currency in exit order, at most `points` per currency, evenly
/// sampled with the last close always included: `(currency, exit_ms, cumulative units)`.
pub async fn equity(db: &D1Database, user_id: &str, points: u32) -> worker::Result<Vec<(String, i64, i64)>> {
    let rows: Vec<EquityRow> = db
        .prepare(
            "SELECT currency, exit_ms, CAST(cum AS TEXT) AS cum_units FROM ( \
               SELECT quote_currency AS currency, exit_ms, \
                 SUM(pnl_units) OVER (PARTITION BY quote_currency ORDER BY exit_ms, id) AS cum, \
                 ROW_NUMBER() OVER (PARTITION BY quote_currency ORDER BY exit_ms, id) AS n, \
                 COUNT(*) OVER (PARTITION BY quote_currency) AS total \
               FROM trades WHERE user_id = ?1 AND status = 'closed') \
             WHERE n = total OR n % ((total + ?2 - 2) / (?2 - 1)) = 0 ORDER BY currency, exit_ms, n",
        )
        .bind(&[user_id.into(), int(i64::from(points.max(2)))])?
        .all()
        .await?
        .results()?;
    rows.into_iter().map(|row| Ok((row.currency, row.exit_ms, super::totals::units(&row.cum_units)?))).collect()
}

pub async fn find(db: &D1Database, user_id: &str, id: &str) -> worker::Result<Option<TradeRow>> {
    db.prepare(format!("SELECT {COLUMNS} FROM trades WHERE id = ?1 AND user_id = ?2"))
        .bind(&[id.into(), user_id.into()])?
        .first::<TradeRow>(None)
        .await
}
