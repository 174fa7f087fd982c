//! Plan changes. `users.plan` is read on every request, so a change applies at once; a
//! downgrade then stops the bots over the new limit as their owner's stop would; PIX plans
//! lapse when their paid time runs out.

use worker::{D1Database, D1PreparedStatement, Env};

use super::repo;
use crate::bots::{self, BotRow};
use crate::db;
use crate::tick::close_positions;
use crate::users::Plan;

pub fn parse(text: &str) -> Option<Plan> {
    match text {
        "free" => Some(Plan::Free),
        "pro" => Some(Plan::Pro),
        "premium" => Some(Plan::Premium),
        _ => None,
    }
}

/// A paid plan a customer can buy (`free` is not for sale).
pub fn paid(text: &str) -> Option<Plan> {
    parse(text).filter(|plan| *plan != Plan::Free)
}

/// Bots a plan allows (product: free 1, pro 3, premium 5).
pub fn bot_limit(plan: Plan) -> u32 {
    crate::bots::plan_limit(plan) as u32
}

pub fn display_name(plan: Plan) -> &'static str {
    match plan {
        Plan::Free => "Auronex Free",
        Plan::Pro => "Auronex Pro",
        Plan::Premium => "Auronex Premium",
    }
}

/// Sets the user's plan; returns the previous one (`None`: no such user). A downgrade then
/// stops the bots over the new limit ([`stop_bots_over_limit`]).
pub async fn set_plan(env: &Env, user_id: &str, plan: Plan, now: &str) -> worker::Result<Option<Plan>> {
    let db = env.d1("DB")?;
    let Some(previous) = current(&db, user_id).await? else { return Ok(None) };
    if previous != plan {
        plan_statement(&db, user_id, plan, now)?.run().await?;
        after_plan_change(env, user_id, previous, plan).await?;
    }
    Ok(Some(previous))
}

/// The plan change as a statement, for a batch that commits it with its cause (a payment,
/// a subscription row); run [`after_plan_change`] once the batch has committed.
pub fn plan_statement(db: &D1Database, user_id: &str, plan: Plan, now: &str) -> worker::Result<D1PreparedStatement> {
    db.prepare("UPDATE users SET plan = ?2, updated_at = ?3 WHERE id = ?1 AND plan != ?2").bind(&[
        user_id.into(),
        plan.as_str().into(),
        now.into(),
    ])
}

/// What follows a committed plan change: a lower bot limit stops the bots over it.
pub async fn after_plan_change(env: &Env, user_id: &str, previous: Plan, plan: Plan) -> worker::Result<()> {
    if bot_limit(plan) < bot_limit(previous) {
        stop_bots_over_limit(env, user_id, plan).await?;
    }
    Ok(())
}

/// Stops the bots over the limit of the user's current plan, if any run beyond it (a replayed
/// event finishing a downgrade whose stop a crash cut short); the number stopped.
pub async fn enforce_bot_limit(env: &Env, user_id: &str) -> worker::Result<u32> {
    let db = env.d1("DB")?;
    let Some(plan) = current(&db, user_id).await? else { return Ok(0) };
    let running = bots::repo::list(&db, user_id).await?.iter().filter(|bot| bot.is_active()).count();
    if running <= bot_limit(plan) as usize {
        return Ok(0);
    }
    stop_bots_over_limit(env, user_id, plan).await
}

pub async fn current(db: &D1Database, user_id: &str) -> worker::Result<Option<Plan>> {
    let plan = db
        .prepare("SELECT plan FROM users WHERE id = ?1")
        .bind(&[user_id.into()])?
        .first::<String>(Some("plan"))
        .await?;
    Ok(plan.as_deref().and_then(parse))
}

/// After a downgrade, stops (never deletes) the user's running bots beyond the new plan's
/// limit, newest first, exactly as the owner's stop does: open positions closed at the bid with
/// the fee, then the bot switched off, and an activity line saying why. The configuration stays,
/// so an upgrade can start them again. A bot whose positions cannot be closed now (the venue is
/// down) is stopped anyway and says so; its positions keep their cash reserved (the wallet
/// counts them) until a later stop, edit or delete closes them.
pub async fn stop_bots_over_limit(env: &Env, user_id: &str, plan: Plan) -> worker::Result<u32> {
    let db = env.d1("DB")?;
    let limit = bot_limit(plan) as usize;
    let running: Vec<BotRow> = bots::repo::list(&db, user_id).await?.into_iter().filter(BotRow::is_active).collect();
    let mut stopped = 0;
    for bot in running.iter().skip(limit) {
        let why = format!("stopped: the {} plan allows {limit} running bots", plan.as_str());
        let message = match close_positions(env, bot, None).await {
            Ok(_) => why,
            Err(error) => format!("{why}; its open positions could not be closed now ({})", error.message),
        };
        stop(env, &db, &bots::repo::find(&db, user_id, &bot.id).await?.unwrap_or_else(|| bot.clone())).await?;
        let line = bots::writes::activity(&db, bot, "stopped", &message, crate::clock::now_ms())?;
        db.batch(line.statements.clone()).await?;
        stopped += 1;
    }
    worker::console_log!(
        "{}",
        serde_json::json!({"level": "info", "event": "plan_downgrade", "user_id": user_id, "plan": plan.as_str(),
                           "bot_limit": limit, "bots_deactivated": stopped})
    );
    Ok(stopped)
}

/// Switches the bot off whatever its version (a tick may have moved it meanwhile).
async fn stop(env: &Env, db: &D1Database, bot: &BotRow) -> worker::Result<()> {
    let now = crate::clock::now_rfc3339();
    let mut bot = bot.clone();
    for _ in 0..5 {
        if bots::repo::set_active(db, &bot, false, None, &now).await? {
            return Ok(());
        }
        match bots::repo::find(db, &bot.user_id, &bot.id).await? {
            Some(fresh) if fresh.is_active() => {
                // A tick ran in between: close what it may have opened, then try again.
                let _ = close_positions(env, &fresh, None).await;
                bot = bots::repo::find(db, &bot.user_id, &bot.id).await?.unwrap_or(fresh);
            }
            _ => return Ok(()),
        }
    }
    Err(worker::Error::RustError(format!("bot {} kept changing; it was not stopped", bot.id)))
}

/// Downgrades to free every user whose PIX-paid time ran out (called by the scheduled tick).
/// The plan and the subscription's status change in one batch, both guarded on the
/// subscription still being lapsed (a renewal committing meanwhile wins).
pub async fn expire_lapsed(env: &Env, now: &str) -> worker::Result<u32> {
    let db = env.d1("DB")?;
    let lapsed = repo::lapsed_subscriptions(&db, now).await?;
    let mut expired = 0;
    for subscription in lapsed {
        let lapsed = "EXISTS (SELECT 1 FROM subscriptions WHERE user_id = ?1 AND status = 'active' \
                      AND expires_at IS NOT NULL AND expires_at <= ?2)";
        let downgrade = db
            .prepare(format!(
                "UPDATE users SET plan = 'free', updated_at = ?2 WHERE id = ?1 AND plan = ?3 AND plan != 'free' AND {lapsed}"
            ))
            .bind(&[subscription.user_id.as_str().into(), now.into(), subscription.plan.as_str().into()])?;
        let close = db
            .prepare(format!(
                "UPDATE subscriptions SET status = 'expired', updated_at = ?2 WHERE user_id = ?1 AND {lapsed}"
            ))
            .bind(&[subscription.user_id.as_str().into(), now.into()])?;
        let results = db.batch(vec![downgrade, close]).await?;
        if let (Some(previous), true) = (parse(&subscription.plan), results.first().is_some_and(|r| db::changes(r) > 0))
        {
            after_plan_change(env, &subscription.user_id, previous, Plan::Free).await?;
        }
        expired += 1;
    }
    Ok(expired)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_parse_and_limit() {
        assert_eq!(parse("pro"), Some(Plan::Pro));
        assert_eq!(paid("free"), None);
        assert_eq!(paid("Premium"), None);
        assert_eq!([Plan::Free, Plan::Pro, Plan::Premium].map(bot_limit), [1, 3, 5]);
    }
}
