//! D1 queries for payments, subscriptions and processed webhook events. Writes come as
//! prepared statements, so a provider's event can commit all its effects in one batch (a D1
//! batch is one transaction: all of it lands or none of it does, see [`super::commit`]).

use serde::{Deserialize, Serialize};
use worker::{D1Database, D1PreparedStatement};

use crate::db::{self, nullable};

fn changed(result: &worker::D1Result) -> bool {
    db::changes(result) > 0
}

/// Subscription statuses after which nothing about the same Stripe subscription changes the
/// plan again: canceled at Stripe, or ended here by a refund or a dispute.
pub const FINAL_STATUSES: [&str; 3] = ["canceled", "refunded", "disputed"];

pub fn is_final(status: &str) -> bool {
    FINAL_STATUSES.contains(&status)
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
pub fn insert_payment_statement(db: &D1Database, p: &NewPayment<'_>) -> worker::Result<D1PreparedStatement> {
    db.prepare(
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
    ])
}

pub async fn insert_payment(db: &D1Database, p: NewPayment<'_>) -> worker::Result<bool> {
    Ok(changed(&insert_payment_statement(db, &p)?.run().await?))
}

/// A refund or a dispute, recorded as its own row; a later event about the same refund or
/// dispute (Stripe sends `charge.refunded` again for each partial refund) updates its amount.
pub fn upsert_reversal_statement(db: &D1Database, p: &NewPayment<'_>) -> worker::Result<D1PreparedStatement> {
    db.prepare(
        "INSERT INTO payments (id, user_id, provider, provider_ref, kind, plan, amount, currency, status, \
         created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10) \
         ON CONFLICT (provider, provider_ref) DO UPDATE SET amount = excluded.amount, updated_at = excluded.updated_at",
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
    ])
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

/// Moves a payment to `status` from one of `from` (a paid payment becomes refunded, a pending
/// one paid); any other state is left as it is.
pub fn payment_status_statement(
    db: &D1Database,
    provider: &str,
    provider_ref: &str,
    from: &[&str],
    status: &str,
    now: &str,
) -> worker::Result<D1PreparedStatement> {
    let from = serde_json::to_string(from).unwrap_or_else(|_| "[]".into());
    db.prepare(
        "UPDATE payments SET status = ?3, updated_at = ?4 WHERE provider = ?1 AND provider_ref = ?2 \
         AND status IN (SELECT value FROM json_each(?5))",
    )
    .bind(&[provider.into(), provider_ref.into(), status.into(), now.into(), from.into()])
}

/// Closes a still-pending payment as `failed`, `expired` or `canceled` (a paid one stays paid).
pub async fn close_pending(
    db: &D1Database,
    provider: &str,
    provider_ref: &str,
    status: &str,
    now: &str,
) -> worker::Result<bool> {
    let statement = payment_status_statement(db, provider, provider_ref, &["pending"], status, now)?;
    Ok(changed(&statement.run().await?))
}

#[derive(Debug, Clone, Deserialize)]
pub struct SubscriptionRow {
    pub user_id: String,
    pub plan: String,
    pub provider: String,
    pub status: String,
    pub stripe_customer_id: Option<String>,
    pub stripe_subscription_id: Option<String>,
    pub expires_at: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    pub cancel_at_period_end: bool,
    pub current_period_end: Option<String>,
    pub updated_at: String,
}

/// D1 answers integers as numbers (floats in JavaScript).
fn flag<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Ok(Option::<f64>::deserialize(deserializer)?.is_some_and(|value| value != 0.0))
}

const SUBSCRIPTION_COLUMNS: &str = "user_id, plan, provider, status, stripe_customer_id, stripe_subscription_id, \
                                    expires_at, cancel_at_period_end, current_period_end, updated_at";

pub struct SubscriptionUpdate<'a> {
    pub user_id: &'a str,
    pub plan: &'a str,
    pub provider: &'a str,
    pub status: &'a str,
    pub stripe_customer_id: Option<&'a str>,
    pub stripe_subscription_id: Option<&'a str>,
    pub expires_at: Option<&'a str>,
    /// Stripe: the subscription ends at the end of the period it is paid for.
    pub cancel_at_period_end: bool,
    /// Stripe: the end of the paid period, when known (kept when an event does not say).
    pub current_period_end: Option<&'a str>,
    pub now: &'a str,
}

pub fn upsert_subscription_statement(
    db: &D1Database,
    s: &SubscriptionUpdate<'_>,
) -> worker::Result<D1PreparedStatement> {
    db.prepare(
        "INSERT INTO subscriptions (user_id, plan, provider, status, stripe_customer_id, stripe_subscription_id, \
         expires_at, cancel_at_period_end, current_period_end, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
         ON CONFLICT (user_id) DO UPDATE SET plan = excluded.plan, provider = excluded.provider, \
         status = excluded.status, stripe_customer_id = coalesce(excluded.stripe_customer_id, stripe_customer_id), \
         stripe_subscription_id = excluded.stripe_subscription_id, expires_at = excluded.expires_at, \
         cancel_at_period_end = excluded.cancel_at_period_end, \
         current_period_end = CASE WHEN excluded.stripe_subscription_id IS stripe_subscription_id \
             THEN coalesce(excluded.current_period_end, current_period_end) ELSE excluded.current_period_end END, \
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
        (s.cancel_at_period_end as i32).into(),
        nullable(s.current_period_end),
        s.now.into(),
    ])
}

/// A PIX plan bought for `days` more: added to the time left when the user already holds an
/// active PIX subscription to the same plan, else counted from `now`. Computed by SQLite from
/// the stored end, so two approvals committing at once cannot both start from the same end.
pub fn extend_pix_statement(
    db: &D1Database,
    user_id: &str,
    plan: &str,
    days: i64,
    now: &str,
) -> worker::Result<D1PreparedStatement> {
    db.prepare(
        "INSERT INTO subscriptions (user_id, plan, provider, status, expires_at, cancel_at_period_end, updated_at) \
         VALUES (?1, ?2, 'mercadopago', 'active', strftime('%Y-%m-%dT%H:%M:%fZ', ?4, ?3), 0, ?4) \
         ON CONFLICT (user_id) DO UPDATE SET \
         expires_at = CASE WHEN provider = 'mercadopago' AND status = 'active' AND plan = excluded.plan \
             AND expires_at > ?4 THEN strftime('%Y-%m-%dT%H:%M:%fZ', expires_at, ?3) ELSE excluded.expires_at END, \
         plan = excluded.plan, provider = 'mercadopago', status = 'active', stripe_subscription_id = NULL, \
         cancel_at_period_end = 0, current_period_end = NULL, updated_at = excluded.updated_at",
    )
    .bind(&[user_id.into(), plan.into(), format!("+{days} days").into(), now.into()])
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

/// The subscription row of a Stripe customer (charges name the customer only); it may since
/// have moved to another provider, which keeps the customer id.
pub async fn find_by_stripe_customer(db: &D1Database, customer: &str) -> worker::Result<Option<SubscriptionRow>> {
    db.prepare(format!(
        "SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE stripe_customer_id = ?1 ORDER BY updated_at DESC LIMIT 1"
    ))
    .bind(&[customer.into()])?
    .first::<SubscriptionRow>(None)
    .await
}

/// Sets the subscription's status unless it has ended for good ([`FINAL_STATUSES`]).
pub fn subscription_status_statement(
    db: &D1Database,
    user_id: &str,
    status: &str,
    now: &str,
) -> worker::Result<D1PreparedStatement> {
    db.prepare(
        "UPDATE subscriptions SET status = ?2, updated_at = ?3 WHERE user_id = ?1 \
         AND status NOT IN ('canceled', 'refunded', 'disputed')",
    )
    .bind(&[user_id.into(), status.into(), now.into()])
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

/// The processed-event marker, inserted in the same batch as the event's effects. A plain
/// INSERT: when the event was already processed the primary key refuses it, and with it the
/// whole batch, so a replay or a concurrent second delivery has no effect at all.
pub fn event_marker_statement(
    db: &D1Database,
    provider: &str,
    event_id: &str,
    kind: &str,
    user_id: Option<&str>,
    now: &str,
) -> worker::Result<D1PreparedStatement> {
    db.prepare(
        "INSERT INTO webhook_events (provider, event_id, type, user_id, received_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .bind(&[provider.into(), event_id.into(), kind.into(), nullable(user_id), now.into()])
}

#[derive(Debug, Deserialize)]
pub struct ProcessedEvent {
    pub user_id: Option<String>,
}

/// The marker of an event already processed, if it was.
pub async fn processed_event(
    db: &D1Database,
    provider: &str,
    event_id: &str,
) -> worker::Result<Option<ProcessedEvent>> {
    db.prepare("SELECT user_id FROM webhook_events WHERE provider = ?1 AND event_id = ?2")
        .bind(&[provider.into(), event_id.into()])?
        .first::<ProcessedEvent>(None)
        .await
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
