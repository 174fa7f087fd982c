//! D1 queries over bots. Every read by a user is scoped to that user: another user's bot is
//! simply not found.

use worker::wasm_bindgen::JsValue;
use worker::D1Database;

use super::BotRow;

pub const COLUMNS: &str = "id, user_id, name, exchange, symbols, quote_currency, capital, strategy, params, \
    analysis_interval, is_testnet, is_active, config, state, version, last_run_ms, last_trade_no, created_at, updated_at";

/// Everything written when a bot is created or edited.
pub struct Fields<'a> {
    pub name: &'a str,
    pub exchange: &'a str,
    pub symbols: &'a str,
    pub quote_currency: &'a str,
    pub capital: &'a str,
    pub strategy: &'a str,
    pub params: &'a str,
    pub analysis_interval: u32,
    pub is_testnet: bool,
    pub config: &'a str,
}

impl Fields<'_> {
    /// Bound as ?3 to ?12, in column order.
    fn values(&self) -> [JsValue; 10] {
        [
            self.name.into(),
            self.exchange.into(),
            self.symbols.into(),
            self.quote_currency.into(),
            self.capital.into(),
            self.strategy.into(),
            self.params.into(),
            int(self.analysis_interval.into()),
            int(self.is_testnet.into()),
            self.config.into(),
        ]
    }
}

pub fn int(value: i64) -> JsValue {
    JsValue::from_f64(value as f64)
}

pub async fn list(db: &D1Database, user_id: &str) -> worker::Result<Vec<BotRow>> {
    db.prepare(format!("SELECT {COLUMNS} FROM bots WHERE user_id = ?1 ORDER BY created_at, id"))
        .bind(&[user_id.into()])?
        .all()
        .await?
        .results()
}

pub async fn find(db: &D1Database, user_id: &str, id: &str) -> worker::Result<Option<BotRow>> {
    db.prepare(format!("SELECT {COLUMNS} FROM bots WHERE id = ?1 AND user_id = ?2"))
        .bind(&[id.into(), user_id.into()])?
        .first::<BotRow>(None)
        .await
}

/// Any user's bot (the admin back office).
pub async fn find_any(db: &D1Database, id: &str) -> worker::Result<Option<BotRow>> {
    db.prepare(format!("SELECT {COLUMNS} FROM bots WHERE id = ?1")).bind(&[id.into()])?.first::<BotRow>(None).await
}

/// Every bot, newest first, a page at a time (the admin back office).
pub async fn list_all(db: &D1Database, limit: u32, offset: u32) -> worker::Result<Vec<BotRow>> {
    db.prepare(format!("SELECT {COLUMNS} FROM bots ORDER BY created_at DESC, id LIMIT ?1 OFFSET ?2"))
        .bind(&[limit.into(), offset.into()])?
        .all()
        .await?
        .results::<BotRow>()
}

/// Inserts the bot unless the user already owns `limit` bots (checked in the same statement,
/// so two concurrent creations cannot both pass); false when the limit stopped it.
pub async fn insert(
    db: &D1Database,
    id: &str,
    user_id: &str,
    fields: &Fields<'_>,
    now: &str,
    limit: usize,
) -> worker::Result<bool> {
    let result = db
        .prepare(
            "INSERT INTO bots (id, user_id, name, exchange, symbols, quote_currency, capital, strategy, params, \
             analysis_interval, is_testnet, is_active, config, created_at, updated_at) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0, ?12, ?13, ?13 \
             WHERE (SELECT COUNT(*) FROM bots WHERE user_id = ?2) < ?14",
        )
        .bind(&[&[id.into(), user_id.into()][..], &fields.values(), &[now.into(), int(limit as i64)]].concat())?
        .run()
        .await?;
    Ok(result.meta()?.and_then(|meta| meta.changes).unwrap_or(0) > 0)
}

/// No open trade of the bot is left: the condition an edit and a delete are guarded on, so
/// neither can orphan a position a tick opened after the caller closed the others.
const NO_OPEN_TRADE: &str = "NOT EXISTS (SELECT 1 FROM trades WHERE bot_id = ?1 AND status = 'open')";

/// Rewrites a stopped bot's settings; its old run state is dropped (a new config starts fresh,
/// its trade numbers continue from `last_trade_no`). False when the bot is running or still
/// holds an open trade.
pub async fn update(db: &D1Database, id: &str, user_id: &str, fields: &Fields<'_>, now: &str) -> worker::Result<bool> {
    let result = db
        .prepare(format!(
            "UPDATE bots SET name = ?3, exchange = ?4, symbols = ?5, quote_currency = ?6, capital = ?7, strategy = ?8, \
             params = ?9, analysis_interval = ?10, is_testnet = ?11, config = ?12, state = NULL, \
             version = version + 1, updated_at = ?13 WHERE id = ?1 AND user_id = ?2 AND is_active = 0 AND {NO_OPEN_TRADE}"
        ))
        .bind(&[&[id.into(), user_id.into()][..], &fields.values(), &[now.into()]].concat())?
        .run()
        .await?;
    Ok(result.meta()?.and_then(|meta| meta.changes).unwrap_or(0) > 0)
}

/// Deletes the bot unless it still holds an open trade (false then).
pub async fn delete(db: &D1Database, id: &str, user_id: &str) -> worker::Result<bool> {
    let result = db
        .prepare(format!("DELETE FROM bots WHERE id = ?1 AND user_id = ?2 AND {NO_OPEN_TRADE}"))
        .bind(&[id.into(), user_id.into()])?
        .run()
        .await?;
    Ok(result.meta()?.and_then(|meta| meta.changes).unwrap_or(0) > 0)
}

/// Switches a bot on or off if its state is still at `version`. Starting keeps the state
/// (lanes resume); the tick seeds a bot without state from recent candles.
pub async fn set_active(
    db: &D1Database,
    bot: &BotRow,
    active: bool,
    state: Option<&str>,
    now: &str,
) -> worker::Result<bool> {
    let state: JsValue = state.map(JsValue::from).unwrap_or(JsValue::NULL);
    let result = db
        .prepare(
            "UPDATE bots SET is_active = ?2, state = coalesce(?3, state), version = version + 1, last_run_ms = 0, \
             updated_at = ?4 WHERE id = ?1 AND version = ?5",
        )
        .bind(&[bot.id.as_str().into(), int(active.into()), state, now.into(), int(bot.version)])?
        .run()
        .await?;
    Ok(result.meta()?.and_then(|meta| meta.changes).unwrap_or(0) > 0)
}

/// How many bots the user owns (only running ones with `only_active`).
pub async fn count(db: &D1Database, user_id: &str, only_active: bool) -> worker::Result<usize> {
    let count = db
        .prepare("SELECT COUNT(*) AS n FROM bots WHERE user_id = ?1 AND (?2 = 0 OR is_active = 1)")
        .bind(&[user_id.into(), int(only_active.into())])?
        .first::<i64>(Some("n"))
        .await?;
    Ok(count.unwrap_or(0).max(0) as usize)
}
