//! PIX through Mercado Pago: creating the charge (QR code and copy-and-paste code) and acting
//! on a verified notification by reading the payment back from the API; an approved payment
//! buys 30 days of the plan, added to any PIX time left on the same plan, exactly once.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Serialize;
use worker::Env;

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

/// When paid time ends: `PLAN_DAYS` after the current end if that is still ahead, else after now.
pub fn extended_expiry(current_end: Option<&str>, now_ms: i64) -> String {
    let now = at(now_ms);
    let start = current_end
        .and_then(|end| DateTime::parse_from_rfc3339(end).ok())
        .map(|end| end.with_timezone(&Utc))
        .filter(|end| *end > now)
        .unwrap_or(now);
    (start + Duration::days(PLAN_DAYS)).to_rfc3339_opts(SecondsFormat::Millis, true)
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
/// applies what it says to our record of it. Payments that are not ours are ignored.
pub async fn notified(env: &Env, payment_id: &str) -> ApiResult<()> {
    let (base, token) = config(env)?;
    let db = env.d1("DB")?;
    let Some(row) = repo::find_payment(&db, "mercadopago", payment_id).await? else {
        return Ok(());
    };
    if row.status == "paid" {
        return Ok(()); // already applied: a repeated notification
    }
    let payment = call(&mercadopago::get_request(&base, &token, payment_id), "reading a payment").await?;
    if payment.id.to_string() != payment_id || payment.external_reference.as_deref() != Some(row.id.as_str()) {
        return Err(provider_failed("Mercado Pago", "answered about another payment"));
    }
    let now = clock::now_rfc3339();
    match mercadopago::row_status(&payment.status) {
        "paid" => approve(env, &row, &payment, payment_id, &now).await,
        "pending" => Ok(()),
        closed => {
            repo::close_pending(&db, "mercadopago", payment_id, closed, &now).await?;
            Ok(())
        }
    }
}

async fn approve(
    env: &Env,
    row: &repo::PaymentRow,
    payment: &Payment,
    payment_id: &str,
    now: &str,
) -> ApiResult<()> {
    let expected: f64 = row.amount.parse().unwrap_or(f64::NAN);
    if (payment.transaction_amount - expected).abs() > 0.005 || !payment.currency_id.eq_ignore_ascii_case(&row.currency)
    {
        return Err(provider_failed(
            "Mercado Pago",
            &format!("payment {payment_id} amount or currency differs from ours"),
        ));
    }
    let Some(plan) = plans::paid(&row.plan) else { return Ok(()) };
    let db = &env.d1("DB")?;
    if !repo::mark_paid(db, "mercadopago", payment_id, now).await? {
        return Ok(()); // already applied: a repeated notification
    }
    let current = repo::find_subscription(db, &row.user_id).await?;
    let current_end = current
        .as_ref()
        .filter(|s| s.provider == "mercadopago" && s.status == "active" && s.plan == row.plan)
        .and_then(|s| s.expires_at.as_deref());
    let expires_at = extended_expiry(current_end, clock::now_ms());
    let update = repo::SubscriptionUpdate {
        user_id: &row.user_id,
        plan: plan.as_str(),
        provider: "mercadopago",
        status: "active",
        stripe_customer_id: None,
        stripe_subscription_id: None,
        expires_at: Some(&expires_at),
        now,
    };
    repo::upsert_subscription(db, update).await?;
    plans::set_plan(env, &row.user_id, plan, now).await?;
    Ok(())
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
    fn paid_time_extends_from_the_later_of_now_and_the_current_end() {
        assert_eq!(extended_expiry(None, NOW), "2026-12-23T08:00:00.000Z");
        assert_eq!(extended_expiry(Some("2026-12-01T00:00:00.000Z"), NOW), "2026-12-31T00:00:00.000Z");
        assert_eq!(extended_expiry(Some("2026-11-01T00:00:00.000Z"), NOW), "2026-12-23T08:00:00.000Z");
        assert_eq!(extended_expiry(Some("garbage"), NOW), "2026-12-23T08:00:00.000Z");
    }
}
