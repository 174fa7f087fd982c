//! D1 queries for payments, subscriptions and processed webhook events.

use serde::{Deserialize, Serialize};
use worker::D1Database;

use crate::db::{self, nullable};

fn changed(result: &worker::D1Result) -> bool {
    db::changes(result) > 0
}

pub struct NewPayment<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub provider: &'a str,
    pub provider_ref: &'a str,
    pub kind: &'a str,
    pub plan: &'a str,
    pub amount: &'a str,
    pub currency: &'a str,
    pub status: &'a str,
    pub now: &'a str,
}

/// Inserts a payment; a second insert of the same (provider, provider_ref) changes nothing.
pub async fn insert_payment(db: &D1Database, p: NewPayment<'_>) -> worker::Result<bool> {
    let result = db
        .prepare(
            "INSERT INTO payments (id, user_id, provider, provider_ref, kind, plan, amount, currency, status, \
             created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) \
             ON CONFLICT (provider, provider_ref) DO NOTHING",
        )
        .bind(&[
            p.id.into(),
            p.user_id.into(),
            p.provider.into(),
            p.provider_ref.into(),
            p.kind.into(),
            p.plan.into(),
            p.amount.into(),
            p.currency.into(),
            p.status.into(),
            p.now.into(),
        ])?
        .run()
        .await?;
    Ok(changed(&result))
}

#[derive(Debug, Clone, Deserialize)]
pub struct PaymentRow {
    pub id: String,
    pub user_id: String,
    pub plan: String,
    pub amount: String,
    pub currency: String,
    pub status: String,
}

pub async fn find_payment(db: &D1Database, provider: &str, provider_ref: &str) -> worker::Result<Option<PaymentRow>> {
    db.prepare(
        "SELECT id, user_id, plan, amount, currency, status FROM payments WHERE provider = ?1 AND provider_ref = ?2",
    )
    .bind(&[provider.into(), provider_ref.into()])?
    .first::<PaymentRow>(None)
    .await
}

/// Marks a payment paid unless it already is; `true` only for the request that moved it,
/// which is what makes "activate on approval" happen once however often the news arrives.
pub async fn mark_paid(db: &D1Database, provider: &str, provider_ref: &str, now: &str) -> worker::Result<bool> {
    let result = db
        .prepare(
            "UPDATE payments SET status = 'paid', updated_at = ?3 \
             WHERE provider = ?1 AND provider_ref = ?2 AND status != 'paid'",
        )
        .bind(&[provider.into(), provider_ref.into(), now.into()])?
        .run()
        .await?;
    Ok(changed(&result))
}

/// Closes a still-pending payment as `failed`, `expired` or `canceled` (a paid one stays paid).
pub async fn close_pending(
    db: &D1Database,
    provider: &str,
    provider_ref: &str,
    status: &str,
    now: &str,
) -> worker::Result<bool> {
    let result = db
        .prepare(
            "UPDATE payments SET status = ?3, updated_at = ?4 \
             WHERE provider = ?1 AND provider_ref = ?2 AND status = 'pending'",
        )
        .bind(&[provider.into(), provider_ref.into(), status.into(), now.into()])?
        .run()
        .await?;
    Ok(changed(&result))
}

#[derive(Debug, Clone, Deserialize)]
pub struct SubscriptionRow {
    pub user_id: String,
    pub plan: String,
    pub provider: String,
    pub status: String,
    pub stripe_subscription_id: Option<String>,
    pub expires_at: Option<String>,
}

const SUBSCRIPTION_COLUMNS: &str = "user_id, plan, provider, status, stripe_subscription_id, expires_at";

pub struct SubscriptionUpdate<'a> {
    pub user_id: &'a str,
    pub plan: &'a str,
    pub provider: &'a str,
    pub status: &'a str,
    pub stripe_customer_id: Option<&'a str>,
    pub stripe_subscription_id: Option<&'a str>,
    pub expires_at: Option<&'a str>,
    pub now: &'a str,
}

pub async fn upsert_subscription(db: &D1Database, s: SubscriptionUpdate<'_>) -> worker::Result<()> {
    db.prepare(
        "INSERT INTO subscriptions (user_id, plan, provider, status, stripe_customer_id, stripe_subscription_id, \
         expires_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
         ON CONFLICT (user_id) DO UPDATE SET plan = excluded.plan, provider = excluded.provider, \
         status = excluded.status, stripe_customer_id = coalesce(excluded.stripe_customer_id, stripe_customer_id), \
         stripe_subscription_id = excluded.stripe_subscription_id, expires_at = excluded.expires_at, \
         updated_at = excluded.updated_at",
    )
    .bind(&[
        s.user_id.into(),
        s.plan.into(),
        s.provider.into(),
        s.status.into(),
        nullable(s.stripe_customer_id),
        nullable(s.stripe_subscription_id),
        nullable(s.expires_at),
        s.now.into(),
    ])?
    .run()
    .await?;
    Ok(())
}

pub async fn find_subscription(db: &D1Database, user_id: &str) -> worker::Result<Option<SubscriptionRow>> {
    db.prepare(format!("SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE user_id = ?1"))
        .bind(&[user_id.into()])?
        .first::<SubscriptionRow>(None)
        .await
}

pub async fn find_by_stripe_subscription(db: &D1Database, id: &str) -> worker::Result<Option<SubscriptionRow>> {
    db.prepare(format!("SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE stripe_subscription_id = ?1"))
        .bind(&[id.into()])?
        .first::<SubscriptionRow>(None)
        .await
}

pub async fn set_subscription_status(db: &D1Database, user_id: &str, status: &str, now: &str) -> worker::Result<()> {
    db.prepare("UPDATE subscriptions SET status = ?2, updated_at = ?3 WHERE user_id = ?1")
        .bind(&[user_id.into(), status.into(), now.into()])?
        .run()
        .await?;
    Ok(())
}

/// Active time-limited (PIX) subscriptions whose time ran out before `now`.
pub async fn lapsed_subscriptions(db: &D1Database, now: &str) -> worker::Result<Vec<SubscriptionRow>> {
    db.prepare(format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions \
         WHERE status = 'active' AND expires_at IS NOT NULL AND expires_at <= ?1 LIMIT 500"
    ))
    .bind(&[now.into()])?
    .all()
    .await?
    .results()
}

/// Records that an event is being handled; `false` when it already was (a replay).
pub async fn claim_event(
    db: &D1Database,
    provider: &str,
    event_id: &str,
    kind: &str,
    now: &str,
) -> worker::Result<bool> {
    let result = db
        .prepare(
            "INSERT INTO webhook_events (provider, event_id, type, received_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (provider, event_id) DO NOTHING",
        )
        .bind(&[provider.into(), event_id.into(), kind.into(), now.into()])?
        .run()
        .await?;
    Ok(changed(&result))
}

/// Forgets a claimed event whose handling failed, so the provider's retry is handled.
pub async fn release_event(db: &D1Database, provider: &str, event_id: &str) -> worker::Result<()> {
    db.prepare("DELETE FROM webhook_events WHERE provider = ?1 AND event_id = ?2")
        .bind(&[provider.into(), event_id.into()])?
        .run()
        .await?;
    Ok(())
}

#[derive(Debug, Deserialize, Serialize)]
pub struct PaymentView {
    pub id: String,
    pub user_id: String,
    pub user_email: Option<String>,
    pub provider: String,
    pub provider_ref: String,
    pub kind: String,
    pub plan: String,
    #[serde(serialize_with = "as_number")]
    pub amount: String,
    pub currency: String,
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
}

fn as_number<S: serde::Serializer>(amount: &str, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(amount.parse().unwrap_or(0.0))
}

pub struct PaymentFilter {
    pub status: Option<String>,
    pub provider: Option<String>,
    pub user_id: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

/// Every payment, newest first, with the user's email, and the total matching the filter.
pub async fn list_payments(db: &D1Database, filter: &PaymentFilter) -> worker::Result<(Vec<PaymentView>, u64)> {
    let condition =
        "(?1 IS NULL OR p.status = ?1) AND (?2 IS NULL OR p.provider = ?2) AND (?3 IS NULL OR p.user_id = ?3)";
    let binds =
        [nullable(filter.status.as_deref()), nullable(filter.provider.as_deref()), nullable(filter.user_id.as_deref())];
    let items = db
        .prepare(format!(
            "SELECT p.id, p.user_id, u.email AS user_email, p.provider, p.provider_ref, p.kind, p.plan, p.amount, \
             p.currency, p.status, p.created_at, p.updated_at FROM payments p LEFT JOIN users u ON u.id = p.user_id \
             WHERE {condition} ORDER BY p.created_at DESC, p.id LIMIT ?4 OFFSET ?5"
        ))
        .bind(&[binds[0].clone(), binds[1].clone(), binds[2].clone(), filter.limit.into(), filter.offset.into()])?
        .all()
        .await?
        .results()?;
    let total = db::count(db, &format!("SELECT count(*) AS n FROM payments p WHERE {condition}"), &binds).await?;
    Ok((items, total))
}
