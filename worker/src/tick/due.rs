//! One tick of one speed: select the active bots of that speed that are due, and run them in
//! this invocation, or, past one invocation's budget, split them into partitions (see `split`)
//! each run by its own `BotRunner` invocation. A failed partition is logged and costs only its
//! own bots this tick.

use std::collections::BTreeMap;

use auronex_exchanges::{ExchangeId, Symbol};
use futures_util::future::join_all;
use serde::Deserialize;
use worker::Env;

use super::split::{split, Budget, DueBot};
use super::{run, runner, Summary};
use crate::bots::repo::int;
use crate::clock::now_ms;
use crate::config;
use crate::market::{freshness, MarketData};

/// Bots read per tick; the rest are due again at the next one (oldest run first).
const MAX_BOTS: i64 = 50_000;
/// Defaults of the per-invocation budget (`TICK_BOTS_PER_INVOCATION`, `TICK_MARKETS_PER_INVOCATION`).
const BOTS_PER_INVOCATION: usize = 1_000;
const MARKETS_PER_INVOCATION: usize = 200;

#[derive(Deserialize)]
struct DueRow {
    id: String,
    exchange: String,
    symbols: String,
}

/// A bot is due a little before a full interval has passed, so a trigger firing slightly early
/// does not skip it: a quarter of the interval, at most 5 s.
pub fn slack_ms(interval_secs: u32) -> i64 {
    (i64::from(interval_secs) * 250).min(5_000)
}

pub fn budget(env: &Env) -> Budget {
    let var = |name: &str, default: usize| {
        config::optional(env, name).and_then(|v| v.trim().parse::<usize>().ok()).filter(|n| *n > 0).unwrap_or(default)
    };
    Budget {
        bots: var("TICK_BOTS_PER_INVOCATION", BOTS_PER_INVOCATION),
        markets: var("TICK_MARKETS_PER_INVOCATION", MARKETS_PER_INVOCATION),
    }
}

/// Runs the due bots whose `analysis_interval` is `speed` seconds.
pub async fn tick(env: &Env, speed: u32) -> worker::Result<Summary> {
    let db = env.d1("DB")?;
    let due_by = now_ms() - i64::from(speed) * 1000 + slack_ms(speed);
    let rows: Vec<DueRow> = db
        .prepare(
            "SELECT id, exchange, symbols FROM bots WHERE is_active = 1 AND analysis_interval = ?1 \
             AND last_run_ms <= ?2 ORDER BY last_run_ms LIMIT ?3",
        )
        .bind(&[int(speed.into()), int(due_by), int(MAX_BOTS)])?
        .all()
        .await?
        .results()?;
    let mut summary = Summary { statements: 1, ..Summary::default() };
    if rows.is_empty() {
        return Ok(summary);
    }
    let bots: Vec<DueBot> = rows
        .iter()
        .map(|row| {
            let symbols: Vec<String> = serde_json::from_str(&row.symbols).unwrap_or_default();
            let markets = symbols.into_iter().map(|symbol| format!("{}|{symbol}", row.exchange)).collect();
            DueBot { id: row.id.clone(), markets }
        })
        .collect();
    let partitions = split(&bots, budget(env));
    if let [only] = partitions.as_slice() {
        summary.add(&run::run_bots(env, only, due_by, speed).await?);
        summary.partitions = 1;
        return Ok(summary);
    }
    summary.statements += prefetch_quotes(env, &rows, speed).await;
    let runs = partitions.iter().enumerate().map(|(index, ids)| runner::run_partition(env, speed, index, ids, due_by));
    for (index, outcome) in join_all(runs).await.into_iter().enumerate() {
        summary.partitions += 1;
        match outcome {
            Ok(part) => summary.add(&part),
            Err(error) => {
                summary.failed_partitions += 1;
                crate::log::error("tick_partition_failed", &format!("speed {speed} partition {index}: {error}"));
            }
        }
    }
    Ok(summary)
}

/// Fetches the quotes of every market the partitions will need, in as few requests as each
/// venue batches, so that the partitions find them cached instead of each sending its own.
/// Returns the D1 statements it cost; a failure only leaves the partitions to fetch.
async fn prefetch_quotes(env: &Env, rows: &[DueRow], speed: u32) -> u64 {
    let mut pairs = BTreeMap::new();
    for row in rows {
        let (Ok(exchange), Ok(symbols)) =
            (row.exchange.parse::<ExchangeId>(), serde_json::from_str::<Vec<Symbol>>(&row.symbols))
        else {
            continue;
        };
        pairs.extend(symbols.into_iter().map(|symbol| ((exchange.id(), symbol.clone()), (exchange, symbol))));
    }
    let pairs: Vec<(ExchangeId, Symbol)> = pairs.into_values().collect();
    let Ok(md) = MarketData::for_trading(env) else { return 0 };
    md.quotes_within(&pairs, freshness::quote_max_age_ms(speed)).await;
    md.statements()
}

/// Whether any active bot runs at `speed` (a runner keeps its alarm only while one does).
pub async fn any_active(env: &Env, speed: u32) -> worker::Result<bool> {
    let db = env.d1("DB")?;
    let found = db
        .prepare("SELECT 1 AS found FROM bots WHERE is_active = 1 AND analysis_interval = ?1 LIMIT 1")
        .bind(&[int(speed.into())])?
        .first::<f64>(Some("found"))
        .await?;
    Ok(found.is_some())
}

/// The sub-minute speeds some active bot runs at.
pub async fn active_fast_speeds(env: &Env) -> worker::Result<Vec<u32>> {
    #[derive(Deserialize)]
    struct Speed {
        analysis_interval: f64,
    }
    let db = env.d1("DB")?;
    let rows: Vec<Speed> = db
        .prepare("SELECT DISTINCT analysis_interval FROM bots WHERE is_active = 1 AND analysis_interval < 60")
        .all()
        .await?
        .results()?;
    Ok(rows.into_iter().map(|r| r.analysis_interval as u32).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_is_a_quarter_interval_up_to_five_seconds() {
        assert_eq!(slack_ms(1), 250);
        assert_eq!(slack_ms(5), 1_250);
        assert_eq!(slack_ms(60), 5_000);
    }
}
