//! What each verified Stripe event does: a paid checkout activates the plan and records the
//! payment and subscription; subscription changes keep, suspend or end the plan; a failed
//! invoice is recorded. Every effect is safe to repeat (the event id guard is the first line of
//! defence, these are the second).

use worker::{D1Database, Env};

use super::stripe_events::{standing, Event, Invoice, Session, Standing, Subscription};
use super::{from_cents, plans, repo};
use crate::crypto;
use crate::users::Plan;

fn log(event: &str, detail: serde_json::Value) {
    worker::console_log!("{}", serde_json::json!({"level": "info", "event": event, "detail": detail}));
}

pub async fn apply(env: &Env, event: Event, now: &str) -> worker::Result<()> {
    let db = &env.d1("DB")?;
    match event {
        Event::CheckoutPaid(session) => checkout_paid(env, db, session, now).await,
        Event::CheckoutExpired(session) => {
            repo::close_pending(db, "stripe", &session.id, "expired", now).await?;
            Ok(())
        }
        Event::SubscriptionChanged(subscription) => subscription_changed(env, db, subscription, now).await,
        Event::SubscriptionDeleted(mut subscription) => {
            subscription.status = "canceled".into();
            subscription_changed(env, db, subscription, now).await
        }
        Event::InvoiceFailed(invoice) => invoice_failed(db, invoice, now).await,
        Event::Ignored => Ok(()),
    }
}

async fn checkout_paid(env: &Env, db: &D1Database, session: Session, now: &str) -> worker::Result<()> {
    let plan = session.metadata.get("plan").and_then(|plan| plans::paid(plan));
    let (Some(user_id), Some(plan)) = (session.user_id(), plan) else {
        log("stripe_checkout_ignored", serde_json::json!({"session": session.id, "why": "no user or plan"}));
        return Ok(());
    };
    if plans::current(db, user_id).await?.is_none() {
        log("stripe_checkout_ignored", serde_json::json!({"session": session.id, "why": "unknown user"}));
        return Ok(());
    }
    if let Some(id) = session.subscription.as_deref() {
        if ended(db, id).await? {
            log("stripe_checkout_ignored", serde_json::json!({"session": session.id, "why": "subscription ended"}));
            return Ok(());
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
    repo::insert_payment(db, payment).await?;
    repo::mark_paid(db, "stripe", &session.id, now).await?;
    let update = repo::SubscriptionUpdate {
        user_id,
        plan: plan.as_str(),
        provider: "stripe",
        status: "active",
        stripe_customer_id: session.customer.as_deref(),
        stripe_subscription_id: session.subscription.as_deref(),
        expires_at: None,
        now,
    };
    repo::upsert_subscription(db, update).await?;
    plans::set_plan(env, user_id, plan, now).await?;
    Ok(())
}

/// Whether our record says this Stripe subscription has ended (canceled is final at Stripe).
async fn ended(db: &D1Database, subscription_id: &str) -> worker::Result<bool> {
    let row = repo::find_by_stripe_subscription(db, subscription_id).await?;
    Ok(row.is_some_and(|row| row.status == "canceled"))
}

/// The user a Stripe subscription belongs to: our record of it, else its metadata as long as
/// the user is not on a different Stripe subscription now (a stale event for an old one).
async fn owner(
    db: &D1Database,
    subscription_id: &str,
    metadata_user: Option<&str>,
) -> worker::Result<Option<repo::SubscriptionRow>> {
    if let Some(row) = repo::find_by_stripe_subscription(db, subscription_id).await? {
        return Ok(Some(row));
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
        _ => Ok(plans::current(db, user_id).await?.map(|plan| repo::SubscriptionRow {
            user_id: user_id.to_string(),
            plan: plan.as_str().to_string(),
            provider: "stripe".into(),
            status: "pending".into(),
            stripe_subscription_id: None,
            expires_at: None,
        })),
    }
}

async fn subscription_changed(env: &Env, db: &D1Database, subscription: Subscription, now: &str) -> worker::Result<()> {
    let metadata_user = subscription.metadata.get("user_id").map(String::as_str);
    let Some(row) = owner(db, &subscription.id, metadata_user).await? else {
        log("stripe_subscription_ignored", serde_json::json!({"subscription": subscription.id}));
        return Ok(());
    };
    if row.status == "canceled" && row.stripe_subscription_id.as_deref() == Some(subscription.id.as_str()) {
        // Canceled is final at Stripe; anything later about it is an older event arriving late.
        log(
            "stripe_subscription_ignored",
            serde_json::json!({"subscription": subscription.id, "why": "already ended"}),
        );
        return Ok(());
    }
    let plan = subscription.metadata.get("plan").and_then(|plan| plans::paid(plan)).or_else(|| plans::paid(&row.plan));
    let Some(plan) = plan else { return Ok(()) };
    let (status, new_plan) = match standing(&subscription.status) {
        Standing::Active => ("active", Some(plan)),
        Standing::PastDue => ("past_due", None),
        Standing::Ended => ("canceled", Some(Plan::Free)),
        Standing::Pending => return Ok(()),
    };
    let update = repo::SubscriptionUpdate {
        user_id: &row.user_id,
        plan: plan.as_str(),
        provider: "stripe",
        status,
        stripe_customer_id: subscription.customer.as_deref(),
        stripe_subscription_id: Some(&subscription.id),
        expires_at: None,
        now,
    };
    repo::upsert_subscription(db, update).await?;
    if let Some(new_plan) = new_plan {
        plans::set_plan(env, &row.user_id, new_plan, now).await?;
    }
    Ok(())
}

async fn invoice_failed(db: &D1Database, invoice: Invoice, now: &str) -> worker::Result<()> {
    let Some(subscription_id) = invoice.subscription_id() else { return Ok(()) };
    let Some(row) = owner(db, subscription_id, invoice.metadata("user_id")).await? else {
        log("stripe_invoice_ignored", serde_json::json!({"invoice": invoice.id}));
        return Ok(());
    };
    let plan = invoice.metadata("plan").and_then(plans::paid).or_else(|| plans::paid(&row.plan));
    let Some(plan) = plan else { return Ok(()) };
    let payment = repo::NewPayment {
        id: &crypto::random_id()?,
        user_id: &row.user_id,
        provider: "stripe",
        provider_ref: &invoice.id,
        kind: "invoice",
        plan: plan.as_str(),
        amount: &from_cents(invoice.amount_due),
        currency: &invoice.currency.to_ascii_uppercase(),
        status: "failed",
        now,
    };
    repo::insert_payment(db, payment).await?;
    // Stripe retries the charge; the plan ends only when the subscription does.
    repo::set_subscription_status(db, &row.user_id, "past_due", now).await?;
    Ok(())
}
