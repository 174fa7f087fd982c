//! The scheduled tick: fired by the cron trigger (and, locally, by the dev driver). It runs
//! every active bot that is due (see `run`) and records the run in `tick_runs`.

mod evaluate;
mod markets;
mod run;

use worker::Env;

use crate::clock::now_rfc3339;

pub use run::close_positions;

pub async fn run(env: &Env, cron: &str) {
    let started_at = now_rfc3339();
    if let Err(error) = expire_paid_plans(env, &started_at).await {
        log_error("plan_expiry_failed", &error.to_string());
    }
    let evaluated = match run::run_due(env).await {
        Ok(count) => count,
        Err(error) => {
            log_error("tick_bots_failed", &error.to_string());
            0
        }
    };
    if let Err(error) = record(env, cron, &started_at, evaluated).await {
        log_error("tick_failed", &error.to_string());
    }
}

/// PIX plans whose 30 paid days ran out go back to free.
async fn expire_paid_plans(env: &Env, now: &str) -> worker::Result<()> {
    let expired = crate::payments::plans::expire_lapsed(&env.d1("DB")?, now).await?;
    if expired > 0 {
        worker::console_log!("{}", serde_json::json!({"level": "info", "event": "plans_expired", "count": expired}));
    }
    Ok(())
}

fn log_error(event: &str, detail: &str) {
    worker::console_error!("{}", serde_json::json!({"level": "error", "event": event, "detail": detail}));
}

async fn record(env: &Env, cron: &str, started_at: &str, evaluated: usize) -> worker::Result<()> {
    let db = env.d1("DB")?;
    let finished_at = now_rfc3339();
    db.prepare("INSERT INTO tick_runs (cron, started_at, finished_at, bots_evaluated) VALUES (?1, ?2, ?3, ?4)")
        .bind(&[cron.into(), started_at.into(), finished_at.into(), (evaluated as f64).into()])?
        .run()
        .await?;
    worker::console_log!(
        "{}",
        serde_json::json!({"level": "info", "event": "tick", "cron": cron, "bots_evaluated": evaluated})
    );
    Ok(())
}
