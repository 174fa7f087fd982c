//! The guarded writes a tick (or a manual close) makes for one bot. Every write after the
//! first is conditional on the bot's `tick_token`, which only the state update that won the
//! version race sets, so a batch that lost the race writes nothing at all (a D1 batch is one
//! transaction). Trade ids are `{bot_id}:{n}` and never reused: inserting an id that exists,
//! or changing a closed trade, is an error that fails the whole unit (the database refuses it,
//! see migration 0010), never a silent no-op. Amounts are written as [`Money`] rounded to the
//! ledger's places, as text and as units. Each write that the user should hear about carries a
//! notice, kept only if that write changed a row.

use auronex_core::engine::Event;
use auronex_core::money::{Amount, Currency, Money};
use worker::wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement, D1Result};

use super::repo::int;
use super::BotRow;
use crate::notify::{self, Notice};

/// One bot's writes for one run, all guarded by `token`.
pub struct Writes<'a> {
    db: &'a D1Database,
    bot: &'a BotRow,
    token: String,
    pub statements: Vec<D1PreparedStatement>,
    pub notices: Vec<Notice>,
}

/// Statements that must land together, and what to tell the user once they have.
pub struct Unit {
    pub statements: Vec<D1PreparedStatement>,
    pub notices: Vec<Notice>,
    /// The bot whose run this is (none for a line outside a run).
    pub bot: Option<BotRow>,
}

impl Unit {
    /// The notices whose writes landed, given the unit's statement results in order.
    pub fn proven(self, results: &[D1Result]) -> Vec<Notice> {
        let changes: Vec<usize> =
            results.iter().map(|r| r.meta().ok().flatten().and_then(|m| m.changes).unwrap_or(0)).collect();
        notify::events::proven(self.notices, &changes)
    }
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
        Ok(Self { db, bot, token, statements: vec![update], notices: Vec::new() })
    }

    pub fn finish(self) -> Unit {
        Unit { statements: self.statements, notices: self.notices, bot: Some(self.bot.clone()) }
    }

    pub fn event(&mut self, event: &Event) -> worker::Result<()> {
        let bot = self.bot;
        let guard = [bot.id.as_str().into(), self.token.as_str().into()];
        match event {
            Event::Opened { trade_id, symbol, entry_price, quantity, fee, cost, time_ms } => {
                let statement = self.db.prepare(format!(
                    "INSERT INTO trades (id, bot_id, user_id, exchange, symbol, quote_currency, side, status, \
                     entry_price, quantity, cost, fees, entry_ms, cost_units, fees_units) \
                     SELECT ?3, ?1, ?4, ?5, ?6, ?7, 'buy', 'open', ?8, ?9, ?10, ?11, ?12, ?13, ?14 WHERE {GUARD}"
                ));
                let currency = currency_of(bot)?;
                let (cost, cost_units) = ledger_amount(*cost, &currency)?;
                let (fee, fee_units) = ledger_amount(*fee, &currency)?;
                let values = [
                    format!("{}:{trade_id}", bot.id).into(),
                    bot.user_id.as_str().into(),
                    bot.exchange.as_str().into(),
                    symbol.to_string().into(),
                    bot.quote_currency.as_str().into(),
                    entry_price.to_string().into(),
                    quantity.to_string().into(),
                    cost,
                    fee,
                    int(*time_ms),
                    cost_units,
                    fee_units,
                ];
                self.statements.push(statement.bind(&[&guard[..], &values[..]].concat())?);
            }
            Event::Reduced { trade_id, quantity, fee, cost, .. } => {
                // A partial take-profit: the open row keeps the rest (the sold part is the
                // `Closed` event that follows, under a new id).
                let statement = self.db.prepare(format!(
                    "UPDATE trades SET quantity = ?4, cost = ?5, cost_units = ?6, fees = ?7, fees_units = ?8 \
                     WHERE id = ?3 AND status = 'open' AND {GUARD}"
                ));
                let currency = currency_of(bot)?;
                let (cost, cost_units) = ledger_amount(*cost, &currency)?;
                let (fee, fee_units) = ledger_amount(*fee, &currency)?;
                let values = [
                    format!("{}:{trade_id}", bot.id).into(),
                    quantity.to_string().into(),
                    cost,
                    cost_units,
                    fee,
                    fee_units,
                ];
                self.statements.push(statement.bind(&[&guard[..], &values[..]].concat())?);
            }
            Event::Closed(trade) => {
                // An upsert: the close lands even if the open row was never written. Closing a
                // trade that is already closed is refused by the database (an error, not a no-op).
                let statement = self.db.prepare(format!(
                    "INSERT INTO trades (id, bot_id, user_id, exchange, symbol, quote_currency, side, status, \
                     entry_price, quantity, cost, fees, entry_ms, exit_price, profit_loss, profit_pct, exit_ms, exit_reason, \
                     cost_units, fees_units, pnl_units) \
                     SELECT ?3, ?1, ?4, ?5, ?6, ?7, 'buy', 'closed', ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
                     ?18, ?19, ?20 WHERE {GUARD} ON CONFLICT (id) DO UPDATE SET status = 'closed', fees = excluded.fees, \
                     fees_units = excluded.fees_units, exit_price = excluded.exit_price, profit_loss = excluded.profit_loss, \
                     pnl_units = excluded.pnl_units, profit_pct = excluded.profit_pct, exit_ms = excluded.exit_ms, \
                     exit_reason = excluded.exit_reason"
                ));
                let currency = currency_of(bot)?;
                let (cost, cost_units) = ledger_amount(trade.entry_price * trade.quantity, &currency)?;
                let (fees, fees_units) = ledger_amount(trade.fees, &currency)?;
                let (pnl, pnl_units) = ledger_amount(trade.profit_loss, &currency)?;
                let values = [
                    format!("{}:{}", bot.id, trade.trade_id).into(),
                    bot.user_id.as_str().into(),
                    bot.exchange.as_str().into(),
                    trade.symbol.to_string().into(),
                    bot.quote_currency.as_str().into(),
                    trade.entry_price.to_string().into(),
                    trade.quantity.to_string().into(),
                    cost,
                    fees,
                    int(trade.entry_time_ms),
                    trade.exit_price.to_string().into(),
                    pnl,
                    trade.profit_pct.round_dp(4).to_string().into(),
                    int(trade.exit_time_ms),
                    trade.exit_reason.as_str().into(),
                    cost_units,
                    fees_units,
                    pnl_units,
                ];
                self.statements.push(statement.bind(&[&guard[..], &values[..]].concat())?);
            }
            _ => {}
        }
        if let Some(notice) = notify::events::trade(bot, event, self.statements.len() - 1) {
            self.notices.push(notice);
        }
        let action = match event {
            Event::Opened { .. } => "buy",
            Event::Closed(_) => "sell",
            Event::Paused { .. } => "protection",
            _ => "skipped",
        };
        self.activity(action, &event.activity_line(), crate::clock::now_ms())
    }

    pub fn activity(&mut self, action: &str, message: &str, at_ms: i64) -> worker::Result<()> {
        let bot = self.bot;
        let author = (bot.user_id.as_str(), bot.id.as_str(), bot.name.as_str());
        let (statements, notice) = activity_lines(self.db, author, Some(&self.token), action, message, at_ms)?;
        let offset = self.statements.len();
        self.statements.extend(statements);
        self.notices.push(Notice { proof: offset + notice.proof, ..notice });
        Ok(())
    }
}

fn currency_of(bot: &BotRow) -> worker::Result<Currency> {
    bot.quote_currency.parse().map_err(|e: auronex_core::money::MoneyError| worker::Error::RustError(e.to_string()))
}

/// `amount` as the ledger stores it: the rounded decimal text and its units.
fn ledger_amount(amount: Amount, currency: &Currency) -> worker::Result<(JsValue, JsValue)> {
    let money = Money::new(amount, currency.clone()).to_ledger();
    let units = money.to_units().map_err(|e| worker::Error::RustError(format!("{money}: {e}")))?;
    // Units fit in an f64 exactly up to 2^53 (90 million of the currency); past that, text.
    let units = if units.unsigned_abs() < (1 << 53) { int(units) } else { units.to_string().into() };
    Ok((money.amount().to_string().into(), units))
}

/// An activity line outside any state change (a bot that could not run, say).
pub fn activity(db: &D1Database, bot: &BotRow, action: &str, message: &str, at_ms: i64) -> worker::Result<Unit> {
    let author = (bot.user_id.as_str(), bot.id.as_str(), bot.name.as_str());
    let (statements, notice) = activity_lines(db, author, None, action, message, at_ms)?;
    Ok(Unit { statements, notices: vec![notice], bot: None })
}

/// The (user id, bot id, bot name) an activity line is filed under.
pub type Author<'a> = (&'a str, &'a str, &'a str);

/// The bot's line saying exactly `?5 ?6`, among its repeatable lines (errors, refused entries,
/// notifications that could not be sent) since its last other line (a trade): with several
/// symbols failing each run, each failure is still one line.
const SAME_ERROR: &str = "SELECT id FROM bot_activity WHERE bot_id = ?1 AND action = ?5 AND message = ?6 \
    AND ?5 IN ('error', 'skipped', 'telegram') AND id > COALESCE((SELECT MAX(id) FROM bot_activity \
    WHERE bot_id = ?1 AND action NOT IN ('error', 'skipped', 'telegram')), 0)";

/// A repeatable line the bot already has since its last trade bumps that line's `repeats` and
/// `last_at_ms`; anything else is a new line (whose insert is the notice's proof). With
/// `token`, both are guarded by it.
pub fn activity_lines(
    db: &D1Database,
    (user_id, bot_id, bot_name): Author<'_>,
    token: Option<&str>,
    action: &str,
    message: &str,
    at_ms: i64,
) -> worker::Result<(Vec<D1PreparedStatement>, Notice)> {
    let guard = "(?2 IS NULL OR EXISTS (SELECT 1 FROM bots WHERE id = ?1 AND tick_token = ?2))";
    let values = [
        bot_id.into(),
        token.map(JsValue::from).unwrap_or(JsValue::NULL),
        user_id.into(),
        bot_name.into(),
        action.into(),
        message.into(),
        int(at_ms),
    ];
    let repeat = db
        .prepare(format!(
            "UPDATE bot_activity SET repeats = repeats + 1, last_at_ms = ?7 WHERE id IN ({SAME_ERROR}) AND {guard}"
        ))
        .bind(&values)?;
    let insert = db
        .prepare(format!(
            "INSERT INTO bot_activity (user_id, bot_id, bot_name, action, message, at_ms) \
             SELECT ?3, ?1, ?4, ?5, ?6, ?7 WHERE {guard} AND NOT EXISTS ({SAME_ERROR})"
        ))
        .bind(&values)?;
    let notice = notify::events::activity((user_id, bot_id, bot_name), action, message, at_ms, 1);
    Ok((vec![repeat, insert], notice))
}
