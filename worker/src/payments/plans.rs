//! Plan changes. `users.plan` is read on every request, so a change applies at once; a
//! downgrade then calls the bot-limit hook; PIX plans lapse when their paid time runs out.

use worker::D1Database;

use super::repo;
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

/// Sets the user's plan; returns the previous one (`None`: no such user). A downgrade calls
/// [`deactivate_bots_over_limit`].
pub async fn set_plan(db: &D1Database, user_id: &str, plan: Plan, now: &str) -> worker::Result<Option<Plan>> {
    let Some(previous) = current(db, user_id).await? else { return Ok(None) };
    if previous != plan {
        db.prepare("UPDATE users SET plan = ?2, updated_at = ?3 WHERE id = ?1")
            .bind(&[user_id.into(), plan.as_str().into(), now.into()])?
            .run()
            .await?;
        if bot_limit(plan) < bot_limit(previous) {
            deactivate_bots_over_limit(db, user_id, plan).await?;
        }
    }
    Ok(Some(previous))
}

pub async fn current(db: &D1Database, user_id: &str) -> worker::Result<Option<Plan>> {
    let plan = db
        .prepare("SELECT plan FROM users WHERE id = ?1")
        .bind(&[user_id.into()])?
        .first::<String>(Some("plan"))
        .await?;
    Ok(plan.as_deref().and_then(parse))
}

/// After a downgrade, stops (never deletes) the user's running bots beyond the new plan's limit,
/// newest first, keeping their configuration so an upgrade can start them again. Their open
/// positions stay open and visible; the owner closes them from the trades list.
pub async fn deactivate_bots_over_limit(db: &D1Database, user_id: &str, plan: Plan) -> worker::Result<u32> {
    let limit = bot_limit(plan);
    let result = db
        .prepare(
            "UPDATE bots SET is_active = 0, updated_at = ?3 WHERE user_id = ?1 AND is_active = 1 AND id NOT IN (
                 SELECT id FROM bots WHERE user_id = ?1 AND is_active = 1 ORDER BY created_at, id LIMIT ?2)",
        )
        .bind(&[user_id.into(), limit.into(), crate::clock::now_rfc3339().into()])?
        .run()
        .await?;
    let stopped = result.meta()?.and_then(|meta| meta.changes).unwrap_or(0) as u32;
    worker::console_log!(
        "{}",
        serde_json::json!({"level": "info", "event": "plan_downgrade", "user_id": user_id, "plan": plan.as_str(),
                           "bot_limit": limit, "bots_deactivated": stopped})
    );
    Ok(stopped)
}

/// Downgrades to free every user whose PIX-paid time ran out (called by the scheduled tick).
pub async fn expire_lapsed(db: &D1Database, now: &str) -> worker::Result<u32> {
    let lapsed = repo::lapsed_subscriptions(db, now).await?;
    let mut expired = 0;
    for subscription in lapsed {
        if current(db, &subscription.user_id).await? == parse(&subscription.plan) {
            set_plan(db, &subscription.user_id, Plan::Free, now).await?;
        }
        repo::set_subscription_status(db, &subscription.user_id, "expired", now).await?;
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
