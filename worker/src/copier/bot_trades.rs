//! Copy trading of bots: a bot linked to a channel its owner publishes (`bot_channels`) has its
//! paper trades published there by the tick. Each trade is one ticket (the trade id): its open
//! is a `signal` (`BUY` for the long spot position) and its close a full `close`. Every trade
//! event is published exactly once, ever: each link keeps a durable watermark (migration 0013)
//! of the highest trade number whose open is published and of the trades whose close is still
//! due, so neither a start (which resets the bot's `last_run_ms`) nor an edit nor the room's
//! idempotency window passing brings an old trade back. A publish that fails stops the run's
//! publishing for that link where it is, and the next run carries on from there (a repeat of
//! what landed before a crash is a no-op in the room).

use std::collections::BTreeSet;

use auronex_core::copier::{Action, OpenSignal};
use auronex_durable_objects::copier::protocol::Kind;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::json;
use worker::{D1Database, Env};

use super::publish::publish;
use crate::bots::repo::int;
use crate::bots::BotRow;

/// How far behind the newest trade seen the search for new trades starts: wider than any clock
/// difference between a tick and a manual close, far shorter than the bot's history.
const SCAN_MARGIN_MS: i64 = 10 * 60 * 1000;

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

/// Links (or moves) the bot. A new link, or one moved to another channel, starts after the
/// bot's last trade: its history is not sent to the channel. Linking again to the same channel
/// keeps the watermark.
pub async fn link(db: &D1Database, bot_id: &str, channel_id: &str, user_id: &str, now: &str) -> worker::Result<()> {
    let scan_from = crate::clock::now_ms() - SCAN_MARGIN_MS;
    db.prepare(
        "INSERT INTO bot_channels (bot_id, channel_id, user_id, created_at, published_no, open_tickets, scan_from_ms)
         SELECT ?1, ?2, ?3, ?4, last_trade_no, '[]', ?5 FROM bots WHERE id = ?1
         ON CONFLICT (bot_id) DO UPDATE SET
           published_no = iif(channel_id = excluded.channel_id, published_no, excluded.published_no),
           open_tickets = iif(channel_id = excluded.channel_id, open_tickets, '[]'),
           scan_from_ms = iif(channel_id = excluded.channel_id, scan_from_ms, excluded.scan_from_ms),
           created_at = iif(channel_id = excluded.channel_id, created_at, excluded.created_at),
           channel_id = excluded.channel_id",
    )
    .bind(&[bot_id.into(), channel_id.into(), user_id.into(), now.into(), int(scan_from)])?
    .run()
    .await?;
    Ok(())
}

pub async fn unlink(db: &D1Database, bot_id: &str) -> worker::Result<()> {
    db.prepare("DELETE FROM bot_channels WHERE bot_id = ?1").bind(&[bot_id.into()])?.run().await?;
    Ok(())
}

/// A link's watermark as stored.
#[derive(Debug, Clone, Deserialize)]
struct Watermark {
    bot_id: String,
    channel_id: String,
    published_no: i64,
    open_tickets: String,
    scan_from_ms: i64,
}

#[derive(Debug, Deserialize)]
struct LinkedTrade {
    id: String,
    trade_no: i64,
    symbol: String,
    side: String,
    status: String,
    entry_price: String,
    quantity: String,
    entry_ms: i64,
    exit_ms: Option<i64>,
}

/// The links of the bots this tick ran.
async fn watermarks(db: &D1Database, bots: &[BotRow]) -> worker::Result<Vec<Watermark>> {
    let ids: Vec<&str> = bots.iter().map(|bot| bot.id.as_str()).collect();
    db.prepare(
        "SELECT bot_id, channel_id, published_no, open_tickets, scan_from_ms FROM bot_channels
         WHERE bot_id IN (SELECT value FROM json_each(?1))",
    )
    .bind(&[serde_json::to_string(&ids)?.into()])?
    .all()
    .await?
    .results()
}

/// The link's bot's trades that may hold an unpublished event: opened or closed since the scan
/// start, or open when last published. Only this bot's rows (indexed by bot and time).
async fn candidates(db: &D1Database, mark: &Watermark) -> worker::Result<Vec<LinkedTrade>> {
    db.prepare(
        "SELECT id, CAST(substr(id, length(bot_id) + 2) AS INTEGER) AS trade_no, symbol, side, status, entry_price,
                quantity, entry_ms, exit_ms
         FROM trades WHERE bot_id = ?1
           AND (entry_ms >= ?2 OR exit_ms >= ?2 OR id IN (SELECT value FROM json_each(?3)))",
    )
    .bind(&[mark.bot_id.as_str().into(), int(mark.scan_from_ms), mark.open_tickets.as_str().into()])?
    .all()
    .await?
    .results()
}

/// One event still to publish, in the order they go out: by trade number, open before close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Due {
    Open,
    Close,
}

/// The events of `trades` the watermark has not published, in publishing order.
fn due_events<'a>(
    mark: &Watermark,
    open: &BTreeSet<String>,
    trades: &'a [LinkedTrade],
) -> Vec<(i64, Due, &'a LinkedTrade)> {
    let mut due = Vec::new();
    for trade in trades {
        let closed = trade.status == "closed";
        if trade.trade_no > mark.published_no {
            due.push((trade.trade_no, Due::Open, trade));
            if closed {
                due.push((trade.trade_no, Due::Close, trade));
            }
        } else if closed && open.contains(&trade.id) {
            due.push((trade.trade_no, Due::Close, trade));
        }
    }
    due.sort_by_key(|(no, kind, _)| (*no, *kind));
    due
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

/// Publishes what the link has not published yet and moves its watermark past what landed.
async fn publish_link(env: &Env, db: &D1Database, mark: &Watermark) -> worker::Result<()> {
    let trades = candidates(db, mark).await?;
    let mut open: BTreeSet<String> = serde_json::from_str(&mark.open_tickets).unwrap_or_default();
    let mut published_no = mark.published_no;
    let mut newest_ms = None::<i64>;
    let mut stopped = None;
    for (no, due, trade) in due_events(mark, &open.clone(), &trades) {
        let outcome = match due {
            Due::Open => match open_signal(trade) {
                Some(signal) => {
                    let key = format!("open:{}:{}", trade.id, signal.action.as_str());
                    let data = serde_json::to_value(&signal)?;
                    publish(env, &mark.channel_id, Kind::Signal, trade.id.clone(), key, data).await.map(|_| true)
                }
                None => {
                    // Never a valid signal: skipped for good (its close too), not retried forever.
                    log_failure("bot_signal_skipped", ("trade_id", &trade.id), "the trade is not a valid signal");
                    Ok(false)
                }
            },
            Due::Close => {
                let data = json!({"ticket": trade.id});
                let key = format!("close:{}:all", trade.id);
                publish(env, &mark.channel_id, Kind::Close, trade.id.clone(), key, data).await.map(|_| true)
            }
        };
        match (due, outcome) {
            (Due::Open, Ok(published)) => {
                published_no = published_no.max(no);
                if published {
                    open.insert(trade.id.clone());
                }
            }
            (Due::Close, Ok(_)) => {
                open.remove(&trade.id);
            }
            (_, Err(error)) => {
                stopped = Some(error);
                break;
            }
        }
        let at = if due == Due::Open { trade.entry_ms } else { trade.exit_ms.unwrap_or(trade.entry_ms) };
        newest_ms = Some(newest_ms.map_or(at, |newest| newest.max(at)));
    }
    // A run that stopped early keeps its scan start, so the trades it did not reach stay found.
    let scan_from_ms = match (&stopped, newest_ms) {
        (None, Some(newest)) => mark.scan_from_ms.max(newest - SCAN_MARGIN_MS),
        _ => mark.scan_from_ms,
    };
    let open_tickets = serde_json::to_string(&open)?;
    if (published_no, open_tickets.as_str(), scan_from_ms)
        != (mark.published_no, mark.open_tickets.as_str(), mark.scan_from_ms)
    {
        // Guarded on the watermark read: a concurrent run that moved it wins, and whatever both
        // published is one signal in the room.
        db.prepare(
            "UPDATE bot_channels SET published_no = ?3, open_tickets = ?4, scan_from_ms = ?5
             WHERE bot_id = ?1 AND channel_id = ?2 AND published_no = ?6 AND open_tickets = ?7",
        )
        .bind(&[
            mark.bot_id.as_str().into(),
            mark.channel_id.as_str().into(),
            int(published_no),
            open_tickets.as_str().into(),
            int(scan_from_ms),
            int(mark.published_no),
            mark.open_tickets.as_str().into(),
        ])?
        .run()
        .await?;
    }
    match stopped {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// The tick's hook: publishes the linked bots' unpublished opens and closes; failures are
/// logged and retried at the bot's next run, never fatal to the tick.
pub async fn publish_recent(env: &Env, bots: &[BotRow]) {
    let db = match env.d1("DB") {
        Ok(db) => db,
        Err(error) => return log_failure("bot_signal_failed", ("bot_id", ""), &error.to_string()),
    };
    let marks = match watermarks(&db, bots).await {
        Ok(marks) => marks,
        Err(error) => return log_failure("bot_signal_failed", ("bot_id", ""), &error.to_string()),
    };
    for mark in &marks {
        if let Err(error) = publish_link(env, &db, mark).await {
            log_failure("bot_signal_failed", ("bot_id", &mark.bot_id), &error.to_string());
        }
    }
}

fn log_failure(event: &str, (key, id): (&str, &str), detail: &str) {
    let mut line = json!({"level": "error", "event": event, "detail": detail});
    line[key] = id.into();
    worker::console_error!("{line}");
}
