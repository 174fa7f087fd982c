//! Runs the due bots: read them, fetch each of their markets once, advance every bot, and
//! write each bot's state, trades and activity as one guarded unit (several bots per D1
//! batch). Also the forced close used by manual closes and by stopping a bot.

use std::collections::BTreeMap;

use auronex_core::engine::{BotConfig, BotState, Event};
use auronex_core::market::Quote;
use auronex_exchanges::{ExchangeId, Symbol};
use worker::{D1Database, D1PreparedStatement, Env};

use super::evaluate::{advance, close_at};
use super::markets;
use crate::bots::repo::{int, COLUMNS};
use crate::bots::writes::{self, Unit, Writes};
use crate::bots::BotRow;
use crate::clock::now_ms;
use crate::crypto::random_id;
use crate::http::{ApiError, ApiResult};
use crate::market::MarketData;

/// Bots read per tick; the rest are due again at the next one (oldest run first).
const MAX_BOTS: i64 = 1_000;
/// A minute bot is due a little early so a cron firing slightly early does not skip it.
const DUE_SLACK_MS: i64 = 5_000;
/// Statements per D1 batch (several bots' units together).
const BATCH_STATEMENTS: usize = 200;

pub fn exchange_and_symbols(bot: &BotRow) -> Result<(ExchangeId, Vec<Symbol>), String> {
    let exchange = bot.exchange.parse().map_err(|_| format!("unknown exchange {}", bot.exchange))?;
    let symbols = serde_json::from_str(&bot.symbols).map_err(|e| format!("bad symbols: {e}"))?;
    Ok((exchange, symbols))
}

pub fn load_state(bot: &BotRow) -> Result<BotState, String> {
    match &bot.state {
        Some(state) => serde_json::from_str(state).map_err(|e| format!("bad state: {e}")),
        None => {
            let config: BotConfig = serde_json::from_str(&bot.config).map_err(|e| format!("bad config: {e}"))?;
            BotState::new(config).map_err(|e| e.to_string())
        }
    }
}

pub async fn run_due(env: &Env) -> worker::Result<usize> {
    let db = env.d1("DB")?;
    let now = now_ms();
    let bots: Vec<BotRow> = db
        .prepare(format!(
            "SELECT {COLUMNS} FROM bots WHERE is_active = 1 AND last_run_ms <= ?1 - analysis_interval * 1000 + ?2 \
             ORDER BY last_run_ms LIMIT ?3"
        ))
        .bind(&[int(now), int(DUE_SLACK_MS), int(MAX_BOTS)])?
        .all()
        .await?
        .results()?;
    if bots.is_empty() {
        return Ok(0);
    }
    let mut pairs = BTreeMap::new();
    for bot in &bots {
        if let Ok((exchange, symbols)) = exchange_and_symbols(bot) {
            pairs.extend(symbols.into_iter().map(|symbol| ((exchange.id(), symbol.clone()), (exchange, symbol))));
        }
    }
    let pairs: Vec<(ExchangeId, Symbol)> = pairs.into_values().collect();
    let md = MarketData::new(env).map_err(|e| worker::Error::RustError(e.detail()))?;
    let feeds = markets::fetch(&md, &pairs, now).await;
    let mut units = Vec::with_capacity(bots.len());
    for bot in &bots {
        match unit(&db, bot, &feeds, now) {
            Ok(unit) => units.push(unit),
            Err(error) => units.push(writes::activity(&db, bot, "error", &error, now)?),
        }
    }
    let written = write(&db, units).await;
    crate::notify::dispatch(env, written).await;
    crate::copier::bot_trades::publish_recent(env, &bots).await;
    Ok(bots.len())
}

/// One bot's guarded statements for this tick.
fn unit(db: &D1Database, bot: &BotRow, feeds: &markets::Feeds, now: i64) -> Result<Unit, String> {
    let (exchange, _) = exchange_and_symbols(bot)?;
    let mut state = load_state(bot)?;
    let outcome = advance(
        &mut state,
        |symbol| match feeds.get(&(exchange, symbol.clone())) {
            Some(Ok(feed)) => Ok(feed),
            Some(Err(error)) => Err(error.clone()),
            None => Err("no market data".to_string()),
        },
        now,
    );
    let token = random_id().map_err(|e| e.to_string())?;
    let state = serde_json::to_string(&state).map_err(|e| e.to_string())?;
    let mut writes = Writes::new(db, bot, token, &state, now, true).map_err(|e| e.to_string())?;
    for event in &outcome.events {
        writes.event(event).map_err(|e| e.to_string())?;
    }
    for error in &outcome.errors {
        writes.activity("error", error, now).map_err(|e| e.to_string())?;
    }
    Ok(writes.finish())
}

/// Writes units in batches; a batch that fails is retried unit by unit so one bad unit
/// cannot hold back the others. Returns the notices of what landed.
async fn write(db: &D1Database, units: Vec<Unit>) -> Vec<crate::notify::Notice> {
    let mut batches: Vec<Vec<Unit>> = vec![Vec::new()];
    for unit in units {
        let size: usize = batches.last().map(|b| b.iter().map(|u| u.statements.len()).sum()).unwrap_or(0);
        if size + unit.statements.len() > BATCH_STATEMENTS && size > 0 {
            batches.push(Vec::new());
        }
        if let Some(last) = batches.last_mut() {
            last.push(unit);
        }
    }
    let mut written = Vec::new();
    for batch in batches {
        let all: Vec<D1PreparedStatement> = batch.iter().flat_map(|u| u.statements.iter().cloned()).collect();
        if all.is_empty() {
            continue;
        }
        if let Ok(results) = db.batch(all).await {
            let mut rest = results.as_slice();
            for unit in batch {
                let (mine, others) = rest.split_at(unit.statements.len().min(rest.len()));
                written.extend(unit.proven(mine));
                rest = others;
            }
            continue;
        }
        for unit in batch {
            match db.batch(unit.statements.clone()).await {
                Ok(results) => written.extend(unit.proven(&results)),
                Err(error) => super::log_error("tick_unit_failed", &error.to_string()),
            }
        }
    }
    written
}

/// Closes the bot's open positions (only `symbol`'s when given) at the current bid, as one
/// guarded write. 409 when a tick changed the bot meanwhile; the caller may retry.
pub async fn close_positions(env: &Env, bot: &BotRow, symbol: Option<&Symbol>) -> ApiResult<Vec<Event>> {
    let db = env.d1("DB")?;
    let (exchange, _) = exchange_and_symbols(bot).map_err(ApiError::internal)?;
    let mut state = load_state(bot).map_err(ApiError::internal)?;
    let open: Vec<Symbol> =
        state.open_positions().map(|(s, _)| s.clone()).filter(|s| symbol.is_none_or(|wanted| wanted == s)).collect();
    if open.is_empty() {
        return Ok(Vec::new());
    }
    let md = MarketData::new(env).map_err(|e| e.to_api_error())?;
    let pairs: Vec<(ExchangeId, Symbol)> = open.iter().map(|s| (exchange, s.clone())).collect();
    let quotes = md.quotes(&pairs).await;
    let now = now_ms();
    let mut events = Vec::new();
    for pair in &pairs {
        let quote = match quotes.get(pair) {
            Some(Ok(quote)) => Quote { bid: quote.bid, ask: quote.ask },
            Some(Err(error)) => return Err(error.to_api_error()),
            None => return Err(ApiError::new(503, "exchange_unavailable", "no quote for the market")),
        };
        let closed;
        (state, closed) = close_at(state, &pair.1, quote, now);
        events.extend(closed);
    }
    let token = random_id()?;
    let text = serde_json::to_string(&state).map_err(ApiError::internal)?;
    let mut writes = Writes::new(&db, bot, token, &text, bot.last_run_ms, false)?;
    for event in &events {
        writes.event(event)?;
    }
    let unit = writes.finish();
    let results = db.batch(unit.statements.clone()).await?;
    let changed = results.first().and_then(|r| r.meta().ok().flatten()).and_then(|m| m.changes).unwrap_or(0);
    if changed == 0 {
        return Err(ApiError::conflict("bot_busy", "the bot changed meanwhile; try again"));
    }
    crate::notify::dispatch(env, unit.proven(&results)).await;
    Ok(events)
}
