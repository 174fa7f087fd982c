//! The scheduled tick: fired by the cron trigger (and, locally, by the dev driver). Each run is
//! recorded in `tick_runs`; the paper-trading work it will drive lands with the bots.

use worker::Env;

use crate::clock::now_rfc3339;

pub async fn run(env: &Env, cron: &str) {
    let started_at = now_rfc3339();
    if let Err(error) = expire_paid_plans(env, &started_at).await {
        worker::console_error!(
            "{}",
            serde_json::json!({"level": "error", "event": "plan_expiry_failed", "detail": error.to_string()})
        );
    }
    if let Err(error) = record(env, cron, &started_at).await {
        worker::console_error!(
            "{}",
            serde_json::json!({"level": "error", "event": "tick_failed", "detail": error.to_string()})
        );
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

async fn record(env: &Env, cron: &str, started_at: &str) -> worker::Result<()> {
    let db = env.d1("DB")?;
    let finished_at = now_rfc3339();
    db.prepare("INSERT INTO tick_runs (cron, started_at, finished_at, bots_evaluated) VALUES (?1, ?2, ?3, 0)")
        .bind(&[cron.into(), started_at.into(), finished_at.into()])?
        .run()
        .await?;
    worker::console_log!(
        "{}",
        serde_json::json!({"level": "info", "event": "tick", "cron": cron, "bots_evaluated": 0})
    );
    Ok(())
}
