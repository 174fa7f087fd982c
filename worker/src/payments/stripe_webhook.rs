//! What each verified Stripe event does, as one [`Effect`] committed with the event's marker
//! ([`super::commit`]): a paid checkout records the payment and the subscription and applies
//! the plan; subscription changes keep, suspend or end the plan and record a cancellation set
//! for the period's end; a failed invoice is recorded; a full refund or a dispute ends the
//! plan (see "Refunds and chargebacks" in the README). Computing an effect only reads, except
//! that ending a plan first cancels the subscription at Stripe (idempotent: a retry finds it
//! canceled), so nothing is charged again for a plan that is gone.

use worker::{D1Database, Env};

use super::commit::{Effect, Snapshot};
use super::stripe_events::{standing, Charge, Dispute, Event, Invoice, Session, Standing, Subscription};
use super::{billing, from_cents, plans, repo};
use crate::crypto;
use crate::users::Plan;

fn log(event: &str, detail: serde_json::Value) {
    worker::console_log!("{}", serde_json::json!({"level": "info", "event": event, "detail": detail}));
}

/// The effect of `event` on what D1 holds now.
pub async fn effect(env: &Env, db: &D1Database, event: &Event, now: &str) -> worker::Result<Effect> {
    match event {
        Event::CheckoutPaid(session) => checkout_paid(db, session, now).await,
        Event::CheckoutExpired(session) => {
            let mut effect = Effect::none();
            effect.push(repo::payment_status_statement(db, "stripe", &session.id, &["pending"], "expired", now)?);
            Ok(effect)
        }
        Event::SubscriptionChanged(subscription) => subscription_changed(db, subscription, false, now).await,
        Event::SubscriptionDeleted(subscription) => subscription_changed(db, subscription, true, now).await,
        Event::InvoiceFailed(invoice) => invoice_failed(db, invoice, now).await,
        Event::ChargeRefunded(charge) => charge_refunded(env, db, charge, now).await,
        Event::DisputeCreated(dispute) => dispute_created(env, db, dispute, now).await,
        Event::Ignored => Ok(Effect::none()),
    }
}

async fn checkout_paid(db: &D1Database, session: &Session, now: &str) -> worker::Result<Effect> {
    let plan = session.metadata.get("plan").and_then(|plan| plans::paid(plan));
    let (Some(user_id), Some(plan)) = (session.user_id(), plan) else {
        log("stripe_checkout_ignored", serde_json::json!({"session": session.id, "why": "no user or plan"}));
        return Ok(Effect::none());
    };
    let Some(snapshot) = Snapshot::read(db, user_id).await? else {
        log("stripe_checkout_ignored", serde_json::json!({"session": session.id, "why": "unknown user"}));
        return Ok(Effect::none());
    };
    if let Some(id) = session.subscription.as_deref() {
        if ended(db, id).await? {
            log("stripe_checkout_ignored", serde_json::json!({"session": session.id, "why": "subscription ended"}));
            return Ok(Effect::none());
        }
    }
    let amount = from_cents(session.amount_total.unwrap_or(0));
    let currency = session.currency.as_deref().unwrap_or("usd").to_ascii_uppercase();
    let payment = repo::NewPayment {
        id: &crypto::random_id()?,
        user_id,
        provider: "stripe",
        provider_ref: &session.id,
        kind: "checkout",
        plan: plan.as_str(),
        amount: &amount,
        currency: &currency,
        status: "paid",
        now,
    };
    let mut effect = Effect::on(snapshot);
    // A new row for a session we did not start, or the pending row of ours moved to paid.
    effect.push(repo::insert_payment_statement(db, &payment)?);
    let unpaid = ["pending", "expired", "failed", "canceled"];
    effect.push(repo::payment_status_statement(db, "stripe", &session.id, &unpaid, "paid", now)?);
    let update = repo::SubscriptionUpdate {
        user_id,
        plan: plan.as_str(),
        provider: "stripe",
        status: "active",
        stripe_customer_id: session.customer.as_deref(),
        stripe_subscription_id: session.subscription.as_deref(),
        expires_at: None,
        cancel_at_period_end: false,
        current_period_end: None,
        now,
    };
    effect.push(repo::upsert_subscription_statement(db, &update)?);
    effect.set_plan(db, plan, now)?;
    Ok(effect)
}

/// Whether our record says this Stripe subscription has ended for good.
async fn ended(db: &D1Database, subscription_id: &str) -> worker::Result<bool> {
    let row = repo::find_by_stripe_subscription(db, subscription_id).await?;
    Ok(row.is_some_and(|row| repo::is_final(&row.status)))
}

/// The user a Stripe subscription belongs to: our record of it, else its metadata as long as
/// the user is not on a different Stripe subscription now (a stale event for an old one).
/// `None` for the row when the user has none yet.
async fn owner(
    db: &D1Database,
    subscription_id: &str,
    metadata_user: Option<&str>,
) -> worker::Result<Option<(String, Option<repo::SubscriptionRow>)>> {
    if let Some(row) = repo::find_by_stripe_subscription(db, subscription_id).await? {
        return Ok(Some((row.user_id.clone(), Some(row))));
    }
    let Some(user_id) = metadata_user else { return Ok(None) };
    match repo::find_subscription(db, user_id).await? {
        // The user moved on: another Stripe subscription, or a plan paid another way.
        Some(row)
            if row.provider != "stripe"
                || row.stripe_subscription_id.as_deref().is_some_and(|id| id != subscription_id) =>
        {
            Ok(None)
        }
        row => Ok(Some((user_id.to_string(), row))),
    }
}

/// `2026-01-01T00:00:00.000Z` from Stripe's Unix seconds.
fn at(secs: i64) -> String {
    crate::clock::rfc3339_from_ms(secs.saturating_mul(1000))
}

async fn subscription_changed(
    db: &D1Database,
    subscription: &Subscription,
    deleted: bool,
    now: &str,
) -> worker::Result<Effect> {
    let metadata_user = subscription.metadata.get("user_id").map(String::as_str);
    let Some((user_id, row)) = owner(db, &subscription.id, metadata_user).await? else {
        log("stripe_subscription_ignored", serde_json::json!({"subscription": subscription.id}));
        return Ok(Effect::none());
    };
    if let Some(row) = row.as_ref().filter(|row| row.stripe_subscription_id.as_deref() == Some(&subscription.id)) {
        if repo::is_final(&row.status) {
            // Ended for good; anything later about it is an older event arriving late.
            log(
                "stripe_subscription_ignored",
                serde_json::json!({"subscription": subscription.id, "why": "already ended", "status": row.status}),
            );
            return Ok(Effect::none());
        }
    }
    let Some(snapshot) = Snapshot::read(db, &user_id).await? else { return Ok(Effect::none()) };
    let stored_plan = row.as_ref().and_then(|row| plans::paid(&row.plan)).or(plans::paid(snapshot.plan.as_str()));
    let plan = subscription.metadata.get("plan").and_then(|plan| plans::paid(plan)).or(stored_plan);
    let Some(plan) = plan else { return Ok(Effect::none()) };
    let standing = if deleted { Standing::Ended } else { standing(&subscription.status) };
    let (status, new_plan) = match standing {
        Standing::Active => ("active", Some(plan)),
        Standing::PastDue => ("past_due", None),
        Standing::Ended => ("canceled", Some(Plan::Free)),
        Standing::Pending => return Ok(Effect::none()),
    };
    let period_end = subscription.current_period_end().map(at);
    let update = repo::SubscriptionUpdate {
        user_id: &user_id,
        plan: plan.as_str(),
        provider: "stripe",
        status,
        stripe_customer_id: subscription.customer.as_deref(),
        stripe_subscription_id: Some(&subscription.id),
        expires_at: None,
        cancel_at_period_end: subscription.cancel_at_period_end && status != "canceled",
        current_period_end: period_end.as_deref(),
        now,
    };
    let mut effect = Effect::on(snapshot);
    effect.push(repo::upsert_subscription_statement(db, &update)?);
    if let Some(new_plan) = new_plan {
        effect.set_plan(db, new_plan, now)?;
    }
    Ok(effect)
}

async fn invoice_failed(db: &D1Database, invoice: &Invoice, now: &str) -> worker::Result<Effect> {
    let Some(subscription_id) = invoice.subscription_id() else { return Ok(Effect::none()) };
    let owner = owner(db, subscription_id, invoice.metadata("user_id")).await?;
    let snapshot = match &owner {
        Some((user_id, _)) => Snapshot::read(db, user_id).await?,
        None => None,
    };
    let (Some((user_id, row)), Some(snapshot)) = (owner, snapshot) else {
        log("stripe_invoice_ignored", serde_json::json!({"invoice": invoice.id}));
        return Ok(Effect::none());
    };
    let stored_plan = row.as_ref().and_then(|row| plans::paid(&row.plan));
    let Some(plan) = invoice.metadata("plan").and_then(plans::paid).or(stored_plan) else {
        return Ok(Effect::none());
    };
    let payment = repo::NewPayment {
        id: &crypto::random_id()?,
        user_id: &user_id,
        provider: "stripe",
        provider_ref: &invoice.id,
        kind: "invoice",
        plan: plan.as_str(),
        amount: &from_cents(invoice.amount_due),
        currency: &invoice.currency.to_ascii_uppercase(),
        status: "failed",
        now,
    };
    let mut effect = Effect::on(snapshot);
    effect.push(repo::insert_payment_statement(db, &payment)?);
    // Stripe retries the charge; the plan ends only when the subscription does.
    effect.push(repo::subscription_status_statement(db, &user_id, "past_due", now)?);
    Ok(effect)
}

/// A money movement back to the customer: a refund (`kind` refund) or a dispute (`dispute`).
struct Reversal<'a> {
    kind: &'a str,
    provider_ref: &'a str,
    cents: i64,
    currency: &'a str,
    /// The payment row's status, and the subscription's once the plan ends.
    status: &'a str,
    /// Whether it ends the plan (a full refund, any dispute).
    ends_plan: bool,
}

async fn charge_refunded(env: &Env, db: &D1Database, charge: &Charge, now: &str) -> worker::Result<Effect> {
    let reversal = Reversal {
        kind: "refund",
        provider_ref: &charge.id,
        cents: charge.amount_refunded,
        currency: &charge.currency,
        status: "refunded",
        ends_plan: charge.refunded || (charge.amount > 0 && charge.amount_refunded >= charge.amount),
    };
    reverse(env, db, charge.customer.as_deref(), reversal, now).await
}

async fn dispute_created(env: &Env, db: &D1Database, dispute: &Dispute, now: &str) -> worker::Result<Effect> {
    // A Dispute names the charge only; the charge names the customer.
    let customer = billing::charge_customer(env, &dispute.charge).await?;
    log(
        "stripe_dispute",
        serde_json::json!({"dispute": dispute.id, "charge": dispute.charge, "reason": dispute.reason, "status": dispute.status}),
    );
    let reversal = Reversal {
        kind: "dispute",
        provider_ref: &dispute.id,
        cents: dispute.amount,
        currency: &dispute.currency,
        status: "disputed",
        ends_plan: true,
    };
    reverse(env, db, customer.as_deref(), reversal, now).await
}

async fn reverse(
    env: &Env,
    db: &D1Database,
    customer: Option<&str>,
    reversal: Reversal<'_>,
    now: &str,
) -> worker::Result<Effect> {
    let row = match customer {
        Some(customer) => repo::find_by_stripe_customer(db, customer).await?,
        None => None,
    };
    let snapshot = match &row {
        Some(row) => Snapshot::read(db, &row.user_id).await?,
        None => None,
    };
    let (Some(row), Some(snapshot)) = (row, snapshot) else {
        log("stripe_reversal_ignored", serde_json::json!({"ref": reversal.provider_ref, "why": "unknown customer"}));
        return Ok(Effect::none());
    };
    let Some(plan) = plans::paid(&row.plan) else { return Ok(Effect::none()) };
    let payment = repo::NewPayment {
        id: &crypto::random_id()?,
        user_id: &row.user_id,
        provider: "stripe",
        provider_ref: reversal.provider_ref,
        kind: reversal.kind,
        plan: plan.as_str(),
        amount: &from_cents(reversal.cents),
        currency: &reversal.currency.to_ascii_uppercase(),
        status: reversal.status,
        now,
    };
    let mut effect = Effect::on(snapshot);
    effect.push(repo::upsert_reversal_statement(db, &payment)?);
    if reversal.ends_plan && row.provider == "stripe" && !repo::is_final(&row.status) {
        if let Some(subscription) = row.stripe_subscription_id.as_deref() {
            // Before the commit, so a failure here is retried with the event.
            billing::cancel_now(env, subscription).await?;
        }
        let update = repo::SubscriptionUpdate {
            user_id: &row.user_id,
            plan: &row.plan,
            provider: "stripe",
            status: reversal.status,
            stripe_customer_id: row.stripe_customer_id.as_deref(),
            stripe_subscription_id: row.stripe_subscription_id.as_deref(),
            expires_at: None,
            cancel_at_period_end: false,
            current_period_end: row.current_period_end.as_deref(),
            now,
        };
        effect.push(repo::upsert_subscription_statement(db, &update)?);
        effect.set_plan(db, Plan::Free, now)?;
        log(
            "stripe_plan_ended",
            serde_json::json!({"user_id": row.user_id, "why": reversal.kind, "ref": reversal.provider_ref}),
        );
    }
    Ok(effect)
}
