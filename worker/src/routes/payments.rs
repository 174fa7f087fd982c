//! `/api/payments/*`: Stripe Checkout and its webhook, PIX charges and their webhook, and the
//! subscriber's own billing (subscription, cancel at period end, plan change, Stripe's portal).
//! Webhooks are unauthenticated by token but verified by signature over the raw body before
//! anything is read from it.

use serde::Deserialize;
use worker::Response;

use crate::admin::settings;
use crate::app::{json, Ctx};
use crate::auth;
use crate::clock;
use crate::config;
use crate::crypto;
use crate::http::outbound;
use crate::http::{body, ApiError, ApiResult};
use crate::payments::stripe::{self, CheckoutOrder, CreatedSession, SignatureError};
use crate::payments::{
    billing, commit, mercadopago, pix, plans, provider_failed, repo, stripe_events, stripe_webhook, unavailable,
};
use crate::users::Plan;

/// Stripe and Mercado Pago events are small, but an invoice with many lines can pass 64 KiB;
/// refusing one would make the provider retry it for days.
const WEBHOOK_MAX_BYTES: usize = 512 * 1024;

#[derive(Deserialize)]
struct PlanRequest {
    plan: String,
}

fn requested_plan(input: &PlanRequest) -> ApiResult<Plan> {
    plans::paid(input.plan.trim()).ok_or_else(|| ApiError::validation("plan", "plan must be pro or premium"))
}

fn origin(ctx: &Ctx) -> ApiResult<String> {
    Ok(config::optional(&ctx.env, "APP_URL")
        .unwrap_or_else(|| ctx.req.url().map(|url| url.origin().ascii_serialization()).unwrap_or_default())
        .trim_end_matches('/')
        .to_string())
}

/// `POST /api/payments/create-checkout` `{plan}` -> `{url, session_id}`.
pub async fn create_checkout(mut ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let plan = requested_plan(&body::json(&mut ctx.req).await?)?;
    let secret = config::optional(&ctx.env, "STRIPE_SECRET_KEY")
        .ok_or_else(|| unavailable("card payment", "STRIPE_SECRET_KEY"))?;
    let base = config::optional(&ctx.env, "STRIPE_API_URL").unwrap_or_else(|| "https://api.stripe.com".into());
    let db = ctx.env.d1("DB")?;
    if let Some(subscription) = repo::find_subscription(&db, &caller.user.id).await? {
        if subscription.provider == "stripe" && matches!(subscription.status.as_str(), "active" | "past_due") {
            return Err(ApiError::conflict("subscription_exists", "you already have a card subscription"));
        }
    }
    let price = settings::load(&db).await?.price(plan.as_str()).map(|price| price.usd);
    let price = price.ok_or_else(|| ApiError::validation("plan", "this plan has no price"))?;
    let origin = origin(&ctx)?;
    let success_url = format!("{origin}/billing?checkout=success&session_id={{CHECKOUT_SESSION_ID}}");
    let cancel_url = format!("{origin}/billing?checkout=canceled");
    let order = CheckoutOrder {
        user_id: &caller.user.id,
        email: &caller.user.email,
        plan: plan.as_str(),
        plan_name: plans::display_name(plan),
        unit_amount_cents: settings::cents(price),
        currency: "usd",
        success_url: &success_url,
        cancel_url: &cancel_url,
    };
    let request = stripe::checkout_request(&base, &secret, &crypto::random_id()?, &order);
    let answer =
        outbound::send_retrying(&request, "stripe").await.map_err(|error| provider_failed("Stripe", &error.0))?;
    if !(200..300).contains(&answer.status) {
        let detail = format!("HTTP {} {}", answer.status, stripe::error_summary(&answer.body));
        return Err(provider_failed("Stripe", &detail));
    }
    let session: CreatedSession =
        serde_json::from_str(&answer.body).map_err(|_| provider_failed("Stripe", "unreadable checkout session"))?;
    let payment = repo::NewPayment {
        id: &crypto::random_id()?,
        user_id: &caller.user.id,
        provider: "stripe",
        provider_ref: &session.id,
        kind: "checkout",
        plan: plan.as_str(),
        amount: &price.0.to_string(),
        currency: "USD",
        status: "pending",
        now: &clock::now_rfc3339(),
    };
    repo::insert_payment(&db, payment).await?;
    json(200, &serde_json::json!({"url": session.url, "session_id": session.id}))
}

/// `POST /api/payments/webhook`: Stripe events, verified and handled once each.
pub async fn stripe_webhook(mut ctx: Ctx) -> ApiResult<Response> {
    let secret = config::optional(&ctx.env, "STRIPE_WEBHOOK_SECRET")
        .ok_or_else(|| unavailable("Stripe webhooks", "STRIPE_WEBHOOK_SECRET"))?;
    let header = ctx.req.headers().get("stripe-signature")?.unwrap_or_default();
    let payload = body::read_up_to(&mut ctx.req, WEBHOOK_MAX_BYTES).await?;
    stripe::verify_signature(&header, &payload, &secret, clock::now_ms() / 1000).map_err(|error| match error {
        SignatureError::Stale => ApiError::bad_request("stale_signature", "the signature's timestamp is too old"),
        SignatureError::Malformed | SignatureError::Mismatch => {
            ApiError::bad_request("invalid_signature", "the Stripe-Signature header does not verify")
        }
    })?;
    let (envelope, event) =
        stripe_events::parse(&payload).map_err(|message| ApiError::bad_request("invalid_event", message))?;
    let db = ctx.env.d1("DB")?;
    let now = clock::now_rfc3339();
    let marker = commit::Marker { provider: "stripe", event_id: &envelope.id, kind: &envelope.kind, now: &now };
    let (env, db_ref, event, now_ref) = (&ctx.env, &db, &event, now.as_str());
    let outcome = commit::apply(env, db_ref, &marker, move || stripe_webhook::effect(env, db_ref, event, now_ref))
        .await
        // Nothing of the event was applied; Stripe retries it.
        .map_err(|error| ApiError::internal(format!("stripe event {} ({}): {error}", envelope.id, envelope.kind)))?;
    json(200, &serde_json::json!({"received": true, "duplicate": outcome == commit::Outcome::Duplicate}))
}

/// `GET /api/payments/subscription`: the caller's plan and what pays for it.
pub async fn subscription(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    json(200, &billing::view(&ctx.env, &caller.user).await?)
}

/// `POST /api/payments/subscription/cancel`: the card subscription ends when the paid period
/// closes (the plan stays until then).
pub async fn cancel_subscription(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    json(200, &billing::cancel_at_period_end(&ctx.env, &caller.user, true).await?)
}

/// `POST /api/payments/subscription/resume`: takes back a cancellation set for the period's end.
pub async fn resume_subscription(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    json(200, &billing::cancel_at_period_end(&ctx.env, &caller.user, false).await?)
}

/// `POST /api/payments/subscription/plan` `{plan}`: moves the card subscription to another plan.
pub async fn change_plan(mut ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let plan = requested_plan(&body::json(&mut ctx.req).await?)?;
    json(200, &billing::change_plan(&ctx.env, &caller.user, plan).await?)
}

/// `POST /api/payments/portal` -> `{url}`: Stripe's customer portal, back to the billing page.
pub async fn portal(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let return_url = format!("{}/billing", origin(&ctx)?);
    json(200, &serde_json::json!({"url": billing::portal(&ctx.env, &caller.user, &return_url).await?}))
}

/// `POST /api/payments/pix/create` `{plan}` -> `{payment_id, qr_code, qr_code_base64, expires_at}`.
pub async fn pix_create(mut ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let plan = requested_plan(&body::json(&mut ctx.req).await?)?;
    let origin = origin(&ctx)?;
    let created = pix::create(&ctx.env, &caller.user, plan, &origin).await?;
    json(200, &created)
}

#[derive(Deserialize)]
struct Notification {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    data: Option<NotificationData>,
}

#[derive(Deserialize)]
struct NotificationData {
    #[serde(default)]
    id: Option<serde_json::Value>,
}

/// `POST /api/payments/pix/webhook?data.id=...&type=payment`: verified by `x-signature`, then
/// the payment is read back from Mercado Pago (the notification itself is never trusted).
pub async fn pix_webhook(mut ctx: Ctx) -> ApiResult<Response> {
    let secret = config::optional(&ctx.env, "MERCADOPAGO_WEBHOOK_SECRET")
        .ok_or_else(|| unavailable("PIX webhooks", "MERCADOPAGO_WEBHOOK_SECRET"))?;
    let url = ctx.req.url()?;
    let query = |name: &str| url.query_pairs().find(|(key, _)| key == name).map(|(_, value)| value.into_owned());
    let signature = ctx.req.headers().get("x-signature")?.unwrap_or_default();
    let request_id = ctx.req.headers().get("x-request-id")?;
    let payload = body::read_up_to(&mut ctx.req, WEBHOOK_MAX_BYTES).await?;
    let notification: Option<Notification> = serde_json::from_slice(&payload).ok();
    let body_id = notification.as_ref().and_then(|n| n.data.as_ref()?.id.as_ref()).map(|id| match id {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    });
    let data_id = query("data.id").or(body_id);
    mercadopago::verify_signature(&signature, data_id.as_deref(), request_id.as_deref(), &secret)
        .map_err(|_| ApiError::bad_request("invalid_signature", "the x-signature header does not verify"))?;
    let kind = query("type").or_else(|| notification.and_then(|n| n.kind)).unwrap_or_default();
    let Some(payment_id) = data_id.filter(|id| kind == "payment" && !id.is_empty()) else {
        return json(200, &serde_json::json!({"received": true, "ignored": true}));
    };
    if payment_id.len() > 32 || !payment_id.chars().all(|c| c.is_ascii_digit()) {
        return Err(ApiError::bad_request("invalid_notification", "data.id is not a payment id"));
    }
    pix::notified(&ctx.env, &payment_id).await?;
    json(200, &serde_json::json!({"received": true}))
}
