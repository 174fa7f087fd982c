//! Copy trading of bots: a bot linked to a channel its owner publishes (`bot_channels`) has its
//! paper trades published there by the tick. Each trade is one ticket (the trade id): its open
//! is a `signal` (`BUY` for the long spot position) and its close a full `close`. The tick
//! publishes every linked trade opened or closed since the bot's previous run, so a publish
//! that failed in one tick is retried by the next; the room's idempotency on (ticket, action)
//! makes the repeat a no-op.

use auronex_core::copier::{Action, OpenSignal};
use auronex_durable_objects::copier::protocol::Kind;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::json;
use worker::{D1Database, Env};

use super::publish::publish;
use crate::bots::BotRow;

#[derive(Debug, Deserialize)]
pub struct Link {
    pub channel_id: String,
}

pub async fn find_link(db: &D1Database, bot_id: &str) -> worker::Result<Option<Link>> {
    db.prepare("SELECT channel_id FROM bot_channels WHERE bot_id = ?1")
        .bind(&[bot_id.into()])?
        .first::<Link>(None)
        .await
}

pub async fn link(db: &D1Database, bot_id: &str, channel_id: &str, user_id: &str, now: &str) -> worker::Result<()> {
    db.prepare(
        "INSERT INTO bot_channels (bot_id, channel_id, user_id, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (bot_id) DO UPDATE SET channel_id = excluded.channel_id, created_at = excluded.created_at",
    )
    .bind(&[bot_id.into(), channel_id.into(), user_id.into(), now.into()])?
    .run()
    .await?;
    Ok(())
}

pub async fn unlink(db: &D1Database, bot_id: &str) -> worker::Result<()> {
    db.prepare("DELETE FROM bot_channels WHERE bot_id = ?1").bind(&[bot_id.into()])?.run().await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
struct LinkedTrade {
    bot_id: String,
    channel_id: String,
    id: String,
    symbol: String,
    side: String,
    status: String,
    entry_price: String,
    quantity: String,
    entry_ms: i64,
    exit_ms: Option<i64>,
}

/// Linked trades of the bots this tick ran, opened or closed since their previous run.
async fn recent_trades(db: &D1Database, bots: &[BotRow]) -> worker::Result<Vec<LinkedTrade>> {
    let Some(since) = bots.iter().map(|bot| bot.last_run_ms).min() else { return Ok(Vec::new()) };
    let rows: Vec<LinkedTrade> = db
        .prepare(
            "SELECT l.bot_id, l.channel_id, t.id, t.symbol, t.side, t.status, t.entry_price, t.quantity, t.entry_ms,
                    t.exit_ms
             FROM bot_channels l JOIN trades t ON t.bot_id = l.bot_id
             WHERE t.entry_ms >= ?1 OR t.exit_ms >= ?1 ORDER BY t.entry_ms, t.id",
        )
        .bind(&[crate::bots::repo::int(since)])?
        .all()
        .await?
        .results()?;
    let since_of = |bot_id: &str| bots.iter().find(|bot| bot.id == bot_id).map(|bot| bot.last_run_ms);
    Ok(rows
        .into_iter()
        .filter(|trade| {
            since_of(&trade.bot_id)
                .is_some_and(|since| trade.entry_ms >= since || trade.exit_ms.is_some_and(|exit| exit >= since))
        })
        .collect())
}

fn open_signal(trade: &LinkedTrade) -> Option<OpenSignal> {
    let signal = OpenSignal {
        ticket: trade.id.clone(),
        symbol: trade.symbol.clone(),
        action: if trade.side == "sell" { Action::Sell } else { Action::Buy },
        volume: trade.quantity.parse::<Decimal>().ok()?,
        price: trade.entry_price.parse::<Decimal>().ok()?,
        sl: None,
        tp: None,
    };
    signal.validate().is_ok().then_some(signal)
}

async fn publish_trade(env: &Env, trade: &LinkedTrade) -> worker::Result<()> {
    let signal = open_signal(trade)
        .ok_or_else(|| worker::Error::RustError(format!("trade {} is not a valid signal", trade.id)))?;
    let key = format!("open:{}:{}", trade.id, signal.action.as_str());
    let data = serde_json::to_value(&signal)?;
    publish(env, &trade.channel_id, Kind::Signal, trade.id.clone(), key, data).await?;
    if trade.status == "closed" {
        let data = json!({"ticket": trade.id});
        publish(env, &trade.channel_id, Kind::Close, trade.id.clone(), format!("close:{}:all", trade.id), data).await?;
    }
    Ok(())
}

/// The tick's hook: publishes the linked bots' recent opens and closes; failures are logged
/// and retried at the bot's next run, never fatal to the tick.
pub async fn publish_recent(env: &Env, bots: &[BotRow]) {
    let trades = match env.d1("DB") {
        Ok(db) => recent_trades(&db, bots).await,
        Err(error) => Err(error),
    };
    let trades = match trades {
        Ok(trades) => trades,
        Err(error) => return log_failure("", &error),
    };
    for trade in &trades {
        if let Err(error) = publish_trade(env, trade).await {
            log_failure(&trade.id, &error);
        }
    }
}

fn log_failure(trade_id: &str, error: &worker::Error) {
    worker::console_error!(
        "{}",
        json!({"level": "error", "event": "bot_signal_failed", "trade_id": trade_id, "detail": error.to_string()})
    );
}
