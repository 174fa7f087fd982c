//! PIX through Mercado Pago: creating the charge (QR code and copy-and-paste code) and acting
//! on a verified notification by reading the payment back from the API; an approved payment
//! buys 30 days of the plan, added to any PIX time left on the same plan, exactly once; a
//! refund takes those days back and a chargeback ends the PIX plan.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Serialize;
use worker::{D1Database, Env};

use super::commit::{self, Effect, Snapshot};
use super::mercadopago::{self, Payment, PixOrder};
use super::{plans, provider_failed, repo, unavailable};
use crate::admin::settings;
use crate::clock;
use crate::config;
use crate::crypto;
use crate::http::outbound;
use crate::http::{ApiError, ApiResult};
use crate::users::{Plan, User};

pub const PLAN_DAYS: i64 = 30;

#[derive(Serialize)]
pub struct Created {
    pub payment_id: String,
    pub qr_code: String,
    pub qr_code_base64: String,
    pub expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_url: Option<String>,
    pub amount: f64,
    pub currency: &'static str,
}

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

/// `yyyy-MM-ddTHH:mm:ss.SSS+00:00`, the form Mercado Pago documents for dates.
pub fn mp_date(ms: i64) -> String {
    at(ms).format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string()
}

/// Sends a request whose answer is a payment document; any failure is a 502 for our caller.
async fn call(request: &outbound::Outbound, what: &str) -> ApiResult<Payment> {
    let answer = outbound::send_retrying(request, "mercadopago")
        .await
        .map_err(|error| provider_failed("Mercado Pago", &error.0))?;
    if !(200..300).contains(&answer.status) {
        return Err(provider_failed("Mercado Pago", &format!("HTTP {} {what}", answer.status)));
    }
    serde_json::from_str(&answer.body).map_err(|_| provider_failed("Mercado Pago", "unreadable payment document"))
}

fn config(env: &Env) -> ApiResult<(String, String)> {
    let token = config::optional(env, "MERCADOPAGO_ACCESS_TOKEN")
        .ok_or_else(|| unavailable("PIX", "MERCADOPAGO_ACCESS_TOKEN"))?;
    let base = config::optional(env, "MERCADOPAGO_API_URL").unwrap_or_else(|| "https://api.mercadopago.com".into());
    Ok((base, token))
}

/// Creates a PIX charge for `plan` at the BRL price in the settings and records it pending.
pub async fn create(env: &Env, user: &User, plan: Plan, origin: &str) -> ApiResult<Created> {
    let (base, token) = config(env)?;
    let db = env.d1("DB")?;
    if let Some(subscription) = repo::find_subscription(&db, &user.id).await? {
        if subscription.provider == "stripe" && matches!(subscription.status.as_str(), "active" | "past_due") {
            return Err(ApiError::conflict(
                "subscription_exists",
                "you already pay by card; cancel that subscription first",
            ));
        }
    }
    let price = settings::load(&db)
        .await?
        .price(plan.as_str())
        .map(|price| price.brl)
        .ok_or_else(|| ApiError::validation("plan", "this plan has no price"))?;
    let reference = crypto::random_id()?;
    let now_ms = clock::now_ms();
    let expires_at = mp_date(now_ms + mercadopago::PIX_VALID_MINUTES * 60_000);
    let description = format!("{} ({PLAN_DAYS} days)", plans::display_name(plan));
    // Mercado Pago only notifies public HTTPS addresses; local development relies on the
    // webhook URL configured in the Mercado Pago panel instead.
    let notification_url = origin.starts_with("https://").then(|| format!("{origin}/api/payments/pix/webhook"));
    let amount = rust_decimal::prelude::ToPrimitive::to_f64(&price.0).unwrap_or(0.0);
    let order = PixOrder {
        reference: &reference,
        user_id: &user.id,
        email: &user.email,
        plan: plan.as_str(),
        description: &description,
        amount,
        expires_at: &expires_at,
        notification_url: notification_url.as_deref(),
    };
    let payment = call(&mercadopago::create_request(&base, &token, &order), "creating a payment").await?;
    let data = payment.transaction_data().ok_or_else(|| provider_failed("Mercado Pago", "no transaction_data"))?;
    let (Some(qr_code), Some(qr_code_base64)) = (data.qr_code.clone(), data.qr_code_base64.clone()) else {
        return Err(provider_failed("Mercado Pago", "no QR code in transaction_data"));
    };
    let payment_id = payment.id.to_string();
    let row = repo::NewPayment {
        id: &reference,
        user_id: &user.id,
        provider: "mercadopago",
        provider_ref: &payment_id,
        kind: "pix",
        plan: plan.as_str(),
        amount: &price.0.to_string(),
        currency: "BRL",
        status: "pending",
        now: &clock::now_rfc3339(),
    };
    repo::insert_payment(&db, row).await?;
    Ok(Created {
        payment_id,
        qr_code,
        qr_code_base64,
        expires_at: payment.date_of_expiration.clone(),
        ticket_url: data.ticket_url.clone(),
        amount,
        currency: "BRL",
    })
}

/// Acts on a (verified) notification about payment `id`: reads it back from Mercado Pago and
/// applies what it says to our record of it. Payments that are not ours are ignored. Each
/// state a payment reaches (approved, refunded, charged back) is applied once, its effect and
/// its marker (`payment:{id}:{status}`) committed together ([`super::commit`]).
pub async fn notified(env: &Env, payment_id: &str) -> ApiResult<()> {
    let (base, token) = config(env)?;
    let db = env.d1("DB")?;
    let Some(row) = repo::find_payment(&db, "mercadopago", payment_id).await? else {
        return Ok(());
    };
    if matches!(row.status.as_str(), "refunded" | "charged_back") {
        return Ok(()); // nothing follows a refund or a chargeback
    }
    let payment = call(&mercadopago::get_request(&base, &token, payment_id), "reading a payment").await?;
    if payment.id.to_string() != payment_id || payment.external_reference.as_deref() != Some(row.id.as_str()) {
        return Err(provider_failed("Mercado Pago", "answered about another payment"));
    }
    let now = clock::now_rfc3339();
    let change = match mercadopago::row_status(&payment.status) {
        "paid" if row.status == "paid" => return Ok(()), // already applied: a repeated notification
        "paid" => {
            check_amount(&row, &payment, payment_id)?;
            Change::Approved
        }
        "refunded" if row.status == "paid" => Change::Refunded,
        "charged_back" if row.status == "paid" => Change::ChargedBack,
        "pending" => return Ok(()),
        closed => {
            let closed = if matches!(closed, "refunded" | "charged_back") { "canceled" } else { closed };
            repo::close_pending(&db, "mercadopago", payment_id, closed, &now).await?;
            return Ok(());
        }
    };
    let event_id = format!("payment:{payment_id}:{}", payment.status);
    let kind = format!("payment.{}", payment.status);
    let marker = commit::Marker { provider: "mercadopago", event_id: &event_id, kind: &kind, now: &now };
    let (db, row, now) = (&db, &row, now.as_str());
    commit::apply(env, db, &marker, move || change.effect(db, row, payment_id, now)).await?;
    Ok(())
}

fn check_amount(row: &repo::PaymentRow, payment: &Payment, payment_id: &str) -> ApiResult<()> {
    let expected: f64 = row.amount.parse().unwrap_or(f64::NAN);
    if (payment.transaction_amount - expected).abs() > 0.005 || !payment.currency_id.eq_ignore_ascii_case(&row.currency)
    {
        return Err(provider_failed(
            "Mercado Pago",
            &format!("payment {payment_id} amount or currency differs from ours"),
        ));
    }
    Ok(())
}

/// A state a PIX payment reached that changes what the user holds.
#[derive(Clone, Copy)]
enum Change {
    /// Paid: 30 days of the plan, added to the PIX time left on the same plan.
    Approved,
    /// Refunded: the payment's 30 days come off the time left; none left ends the plan now.
    Refunded,
    /// Charged back: the PIX plan ends now, whatever time is left.
    ChargedBack,
}

impl Change {
    async fn effect(
        self,
        db: &D1Database,
        row: &repo::PaymentRow,
        payment_id: &str,
        now: &str,
    ) -> worker::Result<Effect> {
        let Some(plan) = plans::paid(&row.plan) else { return Ok(Effect::none()) };
        let Some(snapshot) = Snapshot::read(db, &row.user_id).await? else { return Ok(Effect::none()) };
        let mut effect = Effect::on(snapshot);
        if let Change::Approved = self {
            let unpaid = ["pending", "expired", "canceled", "failed"];
            effect.push(repo::payment_status_statement(db, "mercadopago", payment_id, &unpaid, "paid", now)?);
            effect.push(repo::extend_pix_statement(db, &row.user_id, plan.as_str(), PLAN_DAYS, now)?);
            effect.set_plan(db, plan, now)?;
            return Ok(effect);
        }
        let status = if let Change::Refunded = self { "refunded" } else { "charged_back" };
        effect.push(repo::payment_status_statement(db, "mercadopago", payment_id, &["paid"], status, now)?);
        let Some(subscription) = repo::find_subscription(db, &row.user_id).await? else { return Ok(effect) };
        if subscription.provider != "mercadopago" || subscription.status != "active" {
            return Ok(effect); // the plan this paid for is over already, or paid another way now
        }
        let remaining = match self {
            // Only the same plan's time was extended by this payment; another plan since
            // restarted the clock, and this payment's days are gone already.
            Change::Refunded if subscription.plan != row.plan => return Ok(effect),
            Change::Refunded => subscription.expires_at.as_deref().map(|end| shortened(end, PLAN_DAYS)),
            _ => None,
        };
        let ends_now = remaining.as_ref().is_none_or(|end| end.as_str() <= now);
        let expires_at = if ends_now { now.to_string() } else { remaining.unwrap_or_default() };
        let update = repo::SubscriptionUpdate {
            user_id: &row.user_id,
            plan: &subscription.plan,
            provider: "mercadopago",
            status: if ends_now { status } else { "active" },
            stripe_customer_id: None,
            stripe_subscription_id: None,
            expires_at: Some(&expires_at),
            cancel_at_period_end: false,
            current_period_end: None,
            now,
        };
        effect.push(repo::upsert_subscription_statement(db, &update)?);
        if ends_now {
            effect.set_plan(db, Plan::Free, now)?;
        }
        Ok(effect)
    }
}

/// `end` moved `days` earlier (an unreadable end counts as already past).
fn shortened(end: &str, days: i64) -> String {
    DateTime::parse_from_rfc3339(end)
        .map(|end| (end.with_timezone(&Utc) - Duration::days(days)).to_rfc3339_opts(SecondsFormat::Millis, true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_795_420_800_000; // 2026-11-23T08:00:00Z

    #[test]
    fn dates_in_mercado_pago_form() {
        assert_eq!(mp_date(NOW), "2026-11-23T08:00:00.000+00:00");
    }

    #[test]
    fn a_refund_takes_its_days_off_the_paid_time() {
        assert_eq!(shortened("2026-12-31T00:00:00.000Z", PLAN_DAYS), "2026-12-01T00:00:00.000Z");
        assert_eq!(shortened("garbage", PLAN_DAYS), "");
    }
}
