//! Runs a set of due bots (a whole tick or one partition of it): read them, fetch each of
//! their markets once, advance every bot, and write each bot's state, trades and activity as
//! one guarded unit (several bots per D1 batch). Also the forced close used by manual closes
//! and by stopping a bot.

use std::collections::BTreeMap;

use auronex_core::engine::{BotConfig, BotState, Event};
use auronex_core::market::Quote;
use auronex_exchanges::{ExchangeId, Symbol};
use worker::{D1Database, D1PreparedStatement, Env};

use super::evaluate::{advance, close_at};
use super::markets;
use super::Summary;
use crate::bots::repo::{int, COLUMNS};
use crate::bots::writes::{self, Unit, Writes};
use crate::bots::BotRow;
use crate::clock::now_ms;
use crate::crypto::random_id;
use crate::http::{ApiError, ApiResult};
use crate::market::MarketData;

/// Statements per D1 batch (several bots' units together).
const BATCH_STATEMENTS: usize = 200;

pub fn exchange_and_symbols(bot: &BotRow) -> Result<(ExchangeId, Vec<Symbol>), String> {
    let exchange = bot.exchange.parse().map_err(|_| format!("unknown exchange {}", bot.exchange))?;
    let symbols = serde_json::from_str(&bot.symbols).map_err(|e| format!("bad symbols: {e}"))?;
    Ok((exchange, symbols))
}

/// The bot's run state; a bot without one (new, or edited) starts fresh, numbering its trades
/// after the last one it ever recorded, so a trade id is never reused.
pub fn load_state(bot: &BotRow) -> Result<BotState, String> {
    let mut state: BotState = match &bot.state {
        Some(state) => serde_json::from_str(state).map_err(|e| format!("bad state: {e}"))?,
        None => {
            let config: BotConfig = serde_json::from_str(&bot.config).map_err(|e| format!("bad config: {e}"))?;
            BotState::new(config).map_err(|e| e.to_string())?
        }
    };
    state.last_trade_id = state.last_trade_id.max(u64::try_from(bot.last_trade_no).unwrap_or(0));
    Ok(state)
}

/// Runs the bots `ids` that are still active and due (last run at or before `due_by_ms`):
/// fetches each of their markets once, advances every bot and writes the results.
pub async fn run_bots(env: &Env, ids: &[String], due_by_ms: i64, speed: u32) -> worker::Result<Summary> {
    let db = env.d1("DB")?;
    let ids = serde_json::to_string(ids)?;
    let bots: Vec<BotRow> = db
        .prepare(format!(
            "SELECT {COLUMNS} FROM bots WHERE id IN (SELECT value FROM json_each(?1)) \
             AND is_active = 1 AND last_run_ms <= ?2 ORDER BY last_run_ms"
        ))
        .bind(&[ids.into(), int(due_by_ms)])?
        .all()
        .await?
        .results()?;
    let mut summary = Summary { statements: 1, ..Summary::default() };
    if bots.is_empty() {
        return Ok(summary);
    }
    let now = now_ms();
    let mut pairs = BTreeMap::new();
    for bot in &bots {
        if let Ok((exchange, symbols)) = exchange_and_symbols(bot) {
            pairs.extend(symbols.into_iter().map(|symbol| ((exchange.id(), symbol.clone()), (exchange, symbol))));
        }
    }
    let pairs: Vec<(ExchangeId, Symbol)> = pairs.into_values().collect();
    let md = MarketData::for_trading(env).map_err(|e| worker::Error::RustError(e.detail()))?;
    let feeds = markets::fetch(&md, &pairs, now, speed).await;
    let mut units = Vec::with_capacity(bots.len());
    for bot in &bots {
        match unit(&db, bot, &feeds, now) {
            Ok(unit) => units.push(unit),
            Err(error) => units.push(writes::activity(&db, bot, "error", &error, now)?),
        }
    }
    let (written, sent) = write(&db, units).await;
    crate::notify::dispatch(env, written).await;
    crate::copier::bot_trades::publish_recent(env, &bots).await;
    summary.bots = bots.len() as u64;
    summary.markets = pairs.len() as u64;
    summary.statements += md.statements() + sent;
    Ok(summary)
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
/// cannot hold back the others. Returns the notices of what landed and how many statements
/// were sent.
async fn write(db: &D1Database, units: Vec<Unit>) -> (Vec<crate::notify::Notice>, u64) {
    let mut sent = 0;
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
        sent += all.len() as u64;
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
            sent += unit.statements.len() as u64;
            match db.batch(unit.statements.clone()).await {
                Ok(results) => written.extend(unit.proven(&results)),
                Err(error) => written.extend(report_failed_unit(db, &unit, &error).await),
            }
        }
    }
    (written, sent)
}

/// A bot's run that could not be written (a trade the database refused, say) is logged and
/// told to its owner; its state did not advance, so the next run retries it.
async fn report_failed_unit(db: &D1Database, unit: &Unit, error: &worker::Error) -> Vec<crate::notify::Notice> {
    let detail = error.to_string();
    let Some(bot) = &unit.bot else {
        crate::log::error("tick_unit_failed", &detail);
        return Vec::new();
    };
    let event = if detail.contains("trade_closed") || detail.contains("UNIQUE") {
        "trade_write_conflict"
    } else {
        "tick_unit_failed"
    };
    crate::log::error(event, &format!("bot {}: {detail}", bot.id));
    let message = format!("could not record this run ({event}); the next run retries it");
    let line = match writes::activity(db, bot, "error", &message, now_ms()) {
        Ok(line) => line,
        Err(_) => return Vec::new(),
    };
    match db.batch(line.statements.clone()).await {
        Ok(results) => line.proven(&results),
        Err(error) => {
            crate::log::error("tick_unit_failed", &error.to_string());
            Vec::new()
        }
    }
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
    let md = MarketData::for_trading(env).map_err(|e| e.to_api_error())?;
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
