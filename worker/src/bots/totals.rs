//! The ledger's running figures per currency, read from `ledger_totals` (kept by triggers on
//! `trades`, migration 0010) and from indexed sums over `trades`: nothing here loads a user's
//! trade history. Amounts leave D1 as text of exact integer units and become [`Money`].

use auronex_core::money::{Currency, Money};
use serde::Deserialize;
use worker::D1Database;

use super::repo::int;

/// A user's (or one bot's) books in one currency.
#[derive(Debug, Clone, PartialEq)]
pub struct Totals {
    pub currency: Currency,
    pub trades: u64,
    pub open_trades: u64,
    pub closed_trades: u64,
    pub wins: u64,
    pub losses: u64,
    pub open_cost: Money,
    pub gross_profit: Money,
    pub gross_loss: Money,
    /// Fees of closed trades (entry and exit).
    pub fees: Money,
    pub realised: Money,
    /// Largest fall of cumulative realised P&L from its peak, in the order trades closed.
    pub max_drawdown: Money,
}

const UNIT_COLUMNS: &str = "CAST(open_cost_units AS TEXT) AS open_cost_units, \
    CAST(gross_profit_units AS TEXT) AS gross_profit_units, CAST(gross_loss_units AS TEXT) AS gross_loss_units, \
    CAST(fees_units AS TEXT) AS fees_units, CAST(cum_units AS TEXT) AS cum_units, \
    CAST(max_drawdown_units AS TEXT) AS max_drawdown_units";

#[derive(Deserialize)]
struct Row {
    currency: String,
    trades: i64,
    open_trades: i64,
    closed_trades: i64,
    wins: i64,
    losses: i64,
    open_cost_units: String,
    gross_profit_units: String,
    gross_loss_units: String,
    fees_units: String,
    cum_units: String,
    max_drawdown_units: String,
}

/// Units stored as text by `CAST(... AS TEXT)`; anything else is a corrupt row.
pub fn units(text: &str) -> worker::Result<i64> {
    text.parse().map_err(|_| worker::Error::RustError(format!("ledger units are not an integer: {text:?}")))
}

pub fn currency(code: &str) -> worker::Result<Currency> {
    code.parse().map_err(|_| worker::Error::RustError(format!("stored currency code is invalid: {code:?}")))
}

impl Row {
    fn totals(self) -> worker::Result<Totals> {
        let currency = currency(&self.currency)?;
        let money = |text: &str| -> worker::Result<Money> { Ok(Money::from_units(units(text)?, currency.clone())) };
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(Totals {
            trades: count(self.trades),
            open_trades: count(self.open_trades),
            closed_trades: count(self.closed_trades),
            wins: count(self.wins),
            losses: count(self.losses),
            open_cost: money(&self.open_cost_units)?,
            gross_profit: money(&self.gross_profit_units)?,
            gross_loss: money(&self.gross_loss_units)?,
            fees: money(&self.fees_units)?,
            realised: money(&self.cum_units)?,
            max_drawdown: money(&self.max_drawdown_units)?,
            currency,
        })
    }
}

/// The user's books per currency (`bot_id: None`) or one bot's, ordered by currency.
pub async fn load(db: &D1Database, user_id: &str, bot_id: Option<&str>) -> worker::Result<Vec<Totals>> {
    let rows: Vec<Row> = db
        .prepare(format!(
            "SELECT currency, trades, open_trades, closed_trades, wins, losses, {UNIT_COLUMNS} \
             FROM ledger_totals WHERE user_id = ?1 AND bot_id = ?2 ORDER BY currency"
        ))
        .bind(&[user_id.into(), bot_id.unwrap_or("").into()])?
        .all()
        .await?
        .results()?;
    rows.into_iter().map(Row::totals).collect()
}

/// Trades entered and P&L realised since `start_ms`, per currency.
#[derive(Debug, Clone, PartialEq)]
pub struct Since {
    pub currency: Currency,
    pub entered: u64,
    pub realised: Money,
}

#[derive(Deserialize)]
struct SinceRow {
    currency: String,
    entered: i64,
    pnl_units: String,
}

/// Two indexed range reads (entries, exits), summed per currency in D1.
pub async fn since(db: &D1Database, user_id: &str, start_ms: i64) -> worker::Result<Vec<Since>> {
    let rows: Vec<SinceRow> = db
        .prepare(
            "SELECT currency, SUM(entered) AS entered, CAST(SUM(pnl) AS TEXT) AS pnl_units FROM ( \
               SELECT quote_currency AS currency, 1 AS entered, 0 AS pnl FROM trades \
                 WHERE user_id = ?1 AND entry_ms >= ?2 \
               UNION ALL \
               SELECT quote_currency, 0, pnl_units FROM trades \
                 WHERE user_id = ?1 AND exit_ms >= ?2 AND status = 'closed' \
             ) GROUP BY currency ORDER BY currency",
        )
        .bind(&[user_id.into(), int(start_ms)])?
        .all()
        .await?
        .results()?;
    rows.into_iter()
        .map(|row| {
            let currency = currency(&row.currency)?;
            let realised = Money::from_units(units(&row.pnl_units)?, currency.clone());
            Ok(Since { currency, entered: u64::try_from(row.entered).unwrap_or(0), realised })
        })
        .collect()
}

/// Cost of open trades per (exchange, currency), split by whether their bot is running (a
/// running bot's capital already covers its positions; anyone else's still holds cash).
#[derive(Debug, Clone, PartialEq)]
pub struct OpenCost {
    pub exchange: String,
    pub bot_running: bool,
    pub cost: Money,
}

#[derive(Deserialize)]
struct OpenRow {
    exchange: String,
    currency: String,
    running: i64,
    cost_units: String,
}

pub async fn open_costs(db: &D1Database, user_id: &str) -> worker::Result<Vec<OpenCost>> {
    let rows: Vec<OpenRow> = db
        .prepare(
            "SELECT t.exchange AS exchange, t.quote_currency AS currency, coalesce(b.is_active, 0) AS running, \
             CAST(SUM(t.cost_units) AS TEXT) AS cost_units FROM trades t LEFT JOIN bots b ON b.id = t.bot_id \
             WHERE t.user_id = ?1 AND t.status = 'open' GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
        )
        .bind(&[user_id.into()])?
        .all()
        .await?
        .results()?;
    rows.into_iter()
        .map(|row| {
            let cost = Money::from_units(units(&row.cost_units)?, currency(&row.currency)?);
            Ok(OpenCost { exchange: row.exchange, bot_running: row.running != 0, cost })
        })
        .collect()
}
