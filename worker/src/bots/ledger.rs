//! The trade ledger in D1: rows, their API view, paged reads, and the guarded writes a tick
//! (or a manual close) makes. Every write after the first is conditional on the bot's
//! `tick_token`, which only the state update that won the version race sets, so a batch that
//! lost the race writes nothing at all (a D1 batch is one transaction).

use auronex_core::engine::Event;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use worker::{D1Database, D1PreparedStatement};

use super::repo::int;
use super::BotRow;
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

/// Trades entered or closed at or after `since_ms`.
pub async fn active_since(db: &D1Database, user_id: &str, since_ms: i64) -> worker::Result<Vec<TradeRow>> {
    db.prepare(format!(
        "SELECT {COLUMNS} FROM trades WHERE user_id = ?1 AND (entry_ms >= ?2 OR exit_ms >= ?2) ORDER BY entry_ms, id"
    ))
    .bind(&[user_id.into(), int(since_ms)])?
    .all()
    .await?
    .results()
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

/// One bot's writes for one run, all guarded by `token`.
pub struct Writes<'a> {
    db: &'a D1Database,
    bot: &'a BotRow,
    token: String,
    pub statements: Vec<D1PreparedStatement>,
}

const GUARD: &str = "EXISTS (SELECT 1 FROM bots WHERE id = ?1 AND tick_token = ?2)";

impl<'a> Writes<'a> {
    /// Starts with the state update: it applies only if the bot is still at the version read.
    pub fn new(
        db: &'a D1Database,
        bot: &'a BotRow,
        token: String,
        state: &str,
        ran_at_ms: i64,
        require_active: bool,
    ) -> worker::Result<Self> {
        let update = db
            .prepare(
                "UPDATE bots SET state = ?3, version = version + 1, tick_token = ?2, last_run_ms = ?4 \
                 WHERE id = ?1 AND version = ?5 AND (?6 = 0 OR is_active = 1)",
            )
            .bind(&[
                bot.id.as_str().into(),
                token.as_str().into(),
                state.into(),
                int(ran_at_ms),
                int(bot.version),
                int(require_active.into()),
            ])?;
        Ok(Self { db, bot, token, statements: vec![update] })
    }

    pub fn event(&mut self, event: &Event) -> worker::Result<()> {
        let bot = self.bot;
        let guard = [bot.id.as_str().into(), self.token.as_str().into()];
        match event {
            Event::Opened { trade_id, symbol, entry_price, quantity, fee, cost, time_ms } => {
                let statement = self.db.prepare(format!(
                    "INSERT OR IGNORE INTO trades (id, bot_id, user_id, exchange, symbol, quote_currency, side, status, \
                     entry_price, quantity, cost, fees, entry_ms) \
                     SELECT ?3, ?1, ?4, ?5, ?6, ?7, 'buy', 'open', ?8, ?9, ?10, ?11, ?12 WHERE {GUARD}"
                ));
                let values = [
                    format!("{}:{trade_id}", bot.id).into(),
                    bot.user_id.as_str().into(),
                    bot.exchange.as_str().into(),
                    symbol.to_string().into(),
                    bot.quote_currency.as_str().into(),
                    entry_price.to_string().into(),
                    quantity.to_string().into(),
                    cost.to_string().into(),
                    fee.to_string().into(),
                    int(*time_ms),
                ];
                self.statements.push(statement.bind(&[&guard[..], &values[..]].concat())?);
            }
            Event::Closed(trade) => {
                // An upsert: the close lands even if the open row was never written.
                let statement = self.db.prepare(format!(
                    "INSERT INTO trades (id, bot_id, user_id, exchange, symbol, quote_currency, side, status, \
                     entry_price, quantity, cost, fees, entry_ms, exit_price, profit_loss, profit_pct, exit_ms, exit_reason) \
                     SELECT ?3, ?1, ?4, ?5, ?6, ?7, 'buy', 'closed', ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17 \
                     WHERE {GUARD} ON CONFLICT (id) DO UPDATE SET status = 'closed', fees = excluded.fees, \
                     exit_price = excluded.exit_price, profit_loss = excluded.profit_loss, \
                     profit_pct = excluded.profit_pct, exit_ms = excluded.exit_ms, exit_reason = excluded.exit_reason \
                     WHERE trades.status = 'open'"
                ));
                let cost = trade.entry_price * trade.quantity;
                let values = [
                    format!("{}:{}", bot.id, trade.trade_id).into(),
                    bot.user_id.as_str().into(),
                    bot.exchange.as_str().into(),
                    trade.symbol.to_string().into(),
                    bot.quote_currency.as_str().into(),
                    trade.entry_price.to_string().into(),
                    trade.quantity.to_string().into(),
                    cost.to_string().into(),
                    trade.fees.to_string().into(),
                    int(trade.entry_time_ms),
                    trade.exit_price.to_string().into(),
                    trade.profit_loss.to_string().into(),
                    trade.profit_pct.round_dp(4).to_string().into(),
                    int(trade.exit_time_ms),
                    trade.exit_reason.as_str().into(),
                ];
                self.statements.push(statement.bind(&[&guard[..], &values[..]].concat())?);
            }
            _ => {}
        }
        let action = match event {
            Event::Opened { .. } => "buy",
            Event::Closed(_) => "sell",
            _ => "skipped",
        };
        self.activity(action, &event.activity_line(), crate::clock::now_ms())
    }

    pub fn activity(&mut self, action: &str, message: &str, at_ms: i64) -> worker::Result<()> {
        let statement = self.db.prepare(format!(
            "INSERT INTO bot_activity (user_id, bot_id, bot_name, action, message, at_ms) \
             SELECT ?3, ?1, ?4, ?5, ?6, ?7 WHERE {GUARD}"
        ));
        let bot = self.bot;
        let values = [
            bot.id.as_str().into(),
            self.token.as_str().into(),
            bot.user_id.as_str().into(),
            bot.name.as_str().into(),
            action.into(),
            message.into(),
            int(at_ms),
        ];
        self.statements.push(statement.bind(&values)?);
        Ok(())
    }
}

/// An activity line outside any state change (a bot that could not run, say).
pub fn activity(
    db: &D1Database,
    bot: &BotRow,
    action: &str,
    message: &str,
    at_ms: i64,
) -> worker::Result<D1PreparedStatement> {
    db.prepare(
        "INSERT INTO bot_activity (user_id, bot_id, bot_name, action, message, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(&[
        bot.user_id.as_str().into(),
        bot.id.as_str().into(),
        bot.name.as_str().into(),
        action.into(),
        message.into(),
        int(at_ms),
    ])
}
