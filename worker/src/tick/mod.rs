//! Paper-trading ticks. The cron trigger (and, locally, the dev driver) runs the minute bots
//! and re-arms the sub-minute runners as a safety net; `BotRunner` alarms run the 1, 3 and
//! 5-second bots. Either way a tick selects the due bots of one speed (`due`), splits them
//! across invocations past one invocation's budget (`split`), and runs them (`run`).

mod due;
mod evaluate;
mod markets;
mod run;
pub mod runner;
mod split;

use serde::{Deserialize, Serialize};
use worker::Env;

use crate::clock::{now_ms, now_rfc3339};

pub use run::close_positions;

/// The speed the cron trigger runs; faster bots run on their runner's alarm.
const MINUTE: u32 = 60;

/// What a tick (or one partition of it) did.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub bots: u64,
    /// Distinct markets fetched.
    pub markets: u64,
    pub partitions: u64,
    pub failed_partitions: u64,
    /// D1 statements: bot reads, market cache and rate-limit bookkeeping, writes.
    pub statements: u64,
}

impl Summary {
    fn add(&mut self, other: &Summary) {
        self.bots += other.bots;
        self.markets += other.markets;
        self.failed_partitions += other.failed_partitions;
        self.statements += other.statements;
    }
}

pub async fn run(env: &Env, cron: &str) {
    let started_at = now_rfc3339();
    let started_ms = now_ms();
    if let Err(error) = expire_paid_plans(env, &started_at).await {
        crate::log::error("plan_expiry_failed", &error.to_string());
    }
    let summary = due::tick(env, MINUTE).await.unwrap_or_else(|error| {
        crate::log::error("tick_bots_failed", &error.to_string());
        Summary::default()
    });
    rearm_runners(env).await;
    if let Err(error) = record(env, cron, &started_at, &summary, now_ms() - started_ms).await {
        crate::log::error("tick_failed", &error.to_string());
    }
}

/// Arms the runner of a sub-minute speed when a bot of that speed starts; a failure is logged
/// only, since the next cron tick re-arms it.
pub async fn arm_for(env: &Env, analysis_interval: i64) {
    if analysis_interval < i64::from(MINUTE) {
        if let Err(error) = runner::arm(env, analysis_interval as u32).await {
            crate::log::error("runner_arm_failed", &error.to_string());
        }
    }
}

/// Every speed with an active bot gets its runner armed (idempotent), so a lost alarm is
/// restored within a minute.
async fn rearm_runners(env: &Env) {
    match due::active_fast_speeds(env).await {
        Ok(speeds) => {
            for speed in speeds {
                arm_for(env, speed.into()).await;
            }
        }
        Err(error) => crate::log::error("runner_rearm_failed", &error.to_string()),
    }
}

/// PIX plans whose 30 paid days ran out go back to free.
async fn expire_paid_plans(env: &Env, now: &str) -> worker::Result<()> {
    let expired = crate::payments::plans::expire_lapsed(env, now).await?;
    if expired > 0 {
        worker::console_log!("{}", serde_json::json!({"level": "info", "event": "plans_expired", "count": expired}));
    }
    Ok(())
}

async fn record(env: &Env, cron: &str, started_at: &str, summary: &Summary, duration_ms: i64) -> worker::Result<()> {
    let db = env.d1("DB")?;
    let finished_at = now_rfc3339();
    let count = |n: u64| (n as f64).into();
    db.prepare(
        "INSERT INTO tick_runs (cron, started_at, finished_at, bots_evaluated, markets, partitions, \
         failed_partitions, d1_statements, duration_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .bind(&[
        cron.into(),
        started_at.into(),
        finished_at.into(),
        count(summary.bots),
        count(summary.markets),
        count(summary.partitions),
        count(summary.failed_partitions),
        count(summary.statements),
        (duration_ms as f64).into(),
    ])?
    .run()
    .await?;
    worker::console_log!(
        "{}",
        serde_json::json!({"level": "info", "event": "tick", "cron": cron, "bots_evaluated": summary.bots,
                           "markets": summary.markets, "partitions": summary.partitions,
                           "failed_partitions": summary.failed_partitions, "d1_statements": summary.statements,
                           "duration_ms": duration_ms})
    );
    Ok(())
}
