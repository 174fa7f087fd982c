//! The trade ledger in D1: rows, their API view and paged reads (writes: `writes.rs`).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use worker::{D1Database, D1PreparedStatement};

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

    pub fn pnl(&self) -> Decimal {
        opt_dec(&self.profit_loss).unwrap_or(Decimal::ZERO)
    }

    pub fn view(&self) -> TradeView {
        TradeView {
            id: self.id.clone(),
            bot_id: self.bot_id.clone(),
            exchange: self.exchange.clone(),
            symbol: self.symbol.clone(),
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
struct Count {
    n: i64,
}

#[derive(Deserialize)]
struct Pnl {
    profit_loss: Option<String>,
}

/// What `stats::stats_of` needs, computed in D1: the count of all the user's trades, and the
/// realised P&L of the closed ones in exit order (one narrow column; the sums stay exact
/// decimals in Rust, where SQLite's `SUM` over TEXT would be binary floating point).
pub async fn stats_inputs(db: &D1Database, user_id: &str) -> worker::Result<(usize, Vec<Decimal>)> {
    let count = db.prepare("SELECT COUNT(*) AS n FROM trades WHERE user_id = ?1").bind(&[user_id.into()])?;
    let pnls = db
        .prepare("SELECT profit_loss FROM trades WHERE user_id = ?1 AND status = 'closed' ORDER BY exit_ms, id")
        .bind(&[user_id.into()])?;
    count_and_pnls(db, count, pnls).await
}

/// Today's figures computed in D1: trades entered since `start_ms` counted, and the P&L of
/// trades closed since then (summed exactly by the caller).
pub async fn today_inputs(db: &D1Database, user_id: &str, start_ms: i64) -> worker::Result<(usize, Vec<Decimal>)> {
    let count = db
        .prepare("SELECT COUNT(*) AS n FROM trades WHERE user_id = ?1 AND entry_ms >= ?2")
        .bind(&[user_id.into(), int(start_ms)])?;
    let pnls = db
        .prepare("SELECT profit_loss FROM trades WHERE user_id = ?1 AND exit_ms >= ?2")
        .bind(&[user_id.into(), int(start_ms)])?;
    count_and_pnls(db, count, pnls).await
}

/// Runs a `COUNT(*) AS n` and a `profit_loss` query in one round trip.
async fn count_and_pnls(
    db: &D1Database,
    count: D1PreparedStatement,
    pnls: D1PreparedStatement,
) -> worker::Result<(usize, Vec<Decimal>)> {
    let results = db.batch(vec![count, pnls]).await?;
    let count: Vec<Count> = results.first().map(|r| r.results()).transpose()?.unwrap_or_default();
    let pnls: Vec<Pnl> = results.get(1).map(|r| r.results()).transpose()?.unwrap_or_default();
    let total = count.first().map(|c| c.n.max(0) as usize).unwrap_or(0);
    Ok((total, pnls.into_iter().map(|p| opt_dec(&p.profit_loss).unwrap_or(Decimal::ZERO)).collect()))
}

pub async fn all_for_user(db: &D1Database, user_id: &str) -> worker::Result<Vec<TradeRow>> {
    entered_between(db, user_id, i64::MIN / 2, i64::MAX / 2).await
}

pub async fn find(db: &D1Database, user_id: &str, id: &str) -> worker::Result<Option<TradeRow>> {
    db.prepare(format!("SELECT {COLUMNS} FROM trades WHERE id = ?1 AND user_id = ?2"))
        .bind(&[id.into(), user_id.into()])?
        .first::<TradeRow>(None)
        .await
}
