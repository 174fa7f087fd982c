//! A subscriber's own billing: what they hold (`GET /api/payments/subscription`), ending a card
//! subscription at the close of the paid period (or taking that back), moving it to another
//! plan, and Stripe's customer portal. Also the two Stripe calls the webhook makes before it
//! commits an ended plan: cancelling the subscription now, and reading a disputed charge.

use serde::Serialize;
use worker::Env;

use super::commit::{Effect, Snapshot};
use super::stripe::{self, Api, PortalSession, Price};
use super::stripe_events::{standing, Standing, Subscription};
use super::{plans, provider_failed, repo, unavailable};
use crate::admin::settings;
use crate::config;
use crate::crypto;
use crate::http::outbound::{self, Answer, Outbound};
use crate::http::{ApiError, ApiResult};
use crate::users::{Plan, User};

/// Stripe's base URL and secret key; 503 when the key is not configured.
fn api_config(env: &Env) -> ApiResult<(String, String)> {
    let secret =
        config::optional(env, "STRIPE_SECRET_KEY").ok_or_else(|| unavailable("card billing", "STRIPE_SECRET_KEY"))?;
    let base = config::optional(env, "STRIPE_API_URL").unwrap_or_else(|| "https://api.stripe.com".into());
    Ok((base, secret))
}

async fn send(request: &Outbound) -> Result<Answer, String> {
    outbound::send_retrying(request, "stripe").await.map_err(|error| error.0)
}

fn failed(what: &str, answer: &Answer) -> String {
    format!("{what}: HTTP {} {}", answer.status, stripe::error_summary(&answer.body))
}

/// Cancels a Stripe subscription now. Safe to repeat: when Stripe refuses, the subscription is
/// read back, and one that is canceled already (or gone) counts as done.
pub async fn cancel_now(env: &Env, subscription: &str) -> worker::Result<()> {
    let (base, secret) = api_config(env).map_err(|e| worker::Error::RustError(e.message))?;
    let api = Api { base_url: &base, secret_key: &secret };
    let answer = send(&stripe::cancel_now_request(&api, subscription)).await.map_err(worker::Error::RustError)?;
    if (200..300).contains(&answer.status) {
        return Ok(());
    }
    let read = send(&stripe::get_subscription_request(&api, subscription)).await.map_err(worker::Error::RustError)?;
    let canceled = serde_json::from_str::<Subscription>(&read.body).is_ok_and(|s| s.status == "canceled");
    let gone = read.status == 404 && stripe::error_code(&read.body).as_deref() == Some("resource_missing");
    if (200..300).contains(&read.status) && canceled || gone {
        return Ok(());
    }
    Err(worker::Error::RustError(failed("cancelling a subscription", &answer)))
}

#[derive(serde::Deserialize)]
struct ChargeCustomer {
    #[serde(default)]
    customer: Option<String>,
}

/// The customer a charge belongs to (`GET /v1/charges/{id}`).
pub async fn charge_customer(env: &Env, charge: &str) -> worker::Result<Option<String>> {
    let (base, secret) = api_config(env).map_err(|e| worker::Error::RustError(e.message))?;
    let api = Api { base_url: &base, secret_key: &secret };
    let answer = send(&stripe::get_charge_request(&api, charge)).await.map_err(worker::Error::RustError)?;
    if !(200..300).contains(&answer.status) {
        return Err(worker::Error::RustError(failed("reading a charge", &answer)));
    }
    let charge: ChargeCustomer = serde_json::from_str(&answer.body)
        .map_err(|_| worker::Error::RustError("unreadable charge from Stripe".into()))?;
    Ok(charge.customer)
}

/// What the billing page shows.
#[derive(Serialize)]
pub struct View {
    pub plan: &'static str,
    pub subscription: Option<SubscriptionView>,
}

#[derive(Serialize)]
pub struct SubscriptionView {
    pub provider: String,
    pub plan: String,
    pub status: String,
    /// Card plans: ends when the paid period closes instead of renewing.
    pub cancel_at_period_end: bool,
    /// Card plans: the end of the period paid for.
    pub current_period_end: Option<String>,
    /// PIX plans: when the paid time runs out.
    pub expires_at: Option<String>,
    /// Whether Stripe's customer portal can be opened for this user.
    pub portal: bool,
}

pub async fn view(env: &Env, user: &User) -> ApiResult<View> {
    let db = env.d1("DB")?;
    let plan = plans::current(&db, &user.id).await?.unwrap_or(user.plan);
    let subscription = repo::find_subscription(&db, &user.id).await?.map(|row| SubscriptionView {
        portal: row.stripe_customer_id.is_some(),
        provider: row.provider,
        plan: row.plan,
        status: row.status,
        cancel_at_period_end: row.cancel_at_period_end,
        current_period_end: row.current_period_end,
        expires_at: row.expires_at,
    });
    Ok(View { plan: plan.as_str(), subscription })
}

/// The caller's live card subscription, or 409.
async fn card_subscription(env: &Env, user: &User) -> ApiResult<(repo::SubscriptionRow, String)> {
    let db = env.d1("DB")?;
    let row = repo::find_subscription(&db, &user.id).await?;
    match row {
        Some(row) if row.provider == "stripe" && matches!(row.status.as_str(), "active" | "past_due") => {
            match row.stripe_subscription_id.clone() {
                Some(id) => Ok((row, id)),
                None => Err(no_card_subscription()),
            }
        }
        _ => Err(no_card_subscription()),
    }
}

fn no_card_subscription() -> ApiError {
    ApiError::conflict(
        "no_card_subscription",
        "you have no card subscription to change; PIX plans do not renew, buy the plan you want with PIX",
    )
}

/// Reads Stripe's answer about a subscription, or says why it could not.
fn subscription_answer(what: &str, answer: Result<Answer, String>) -> ApiResult<Subscription> {
    let answer = answer.map_err(|detail| provider_failed("Stripe", &detail))?;
    if !(200..300).contains(&answer.status) {
        return Err(provider_failed("Stripe", &failed(what, &answer)));
    }
    serde_json::from_str(&answer.body).map_err(|_| provider_failed("Stripe", "unreadable subscription"))
}

/// Records what Stripe now says about the caller's subscription (and the plan it carries), in
/// one batch; a lower plan then stops the bots over its limit.
async fn record(
    env: &Env,
    user: &User,
    row: &repo::SubscriptionRow,
    answer: &Subscription,
    plan: Plan,
) -> ApiResult<()> {
    let db = env.d1("DB")?;
    let Some(snapshot) = Snapshot::read(&db, &user.id).await? else { return Err(ApiError::not_found()) };
    let now = crate::clock::now_rfc3339();
    let status = match standing(&answer.status) {
        Standing::PastDue => "past_due",
        _ => "active",
    };
    let period_end = answer.current_period_end().map(|secs| crate::clock::rfc3339_from_ms(secs * 1000));
    let update = repo::SubscriptionUpdate {
        user_id: &user.id,
        plan: plan.as_str(),
        provider: "stripe",
        status,
        stripe_customer_id: answer.customer.as_deref().or(row.stripe_customer_id.as_deref()),
        stripe_subscription_id: Some(&answer.id),
        expires_at: None,
        cancel_at_period_end: answer.cancel_at_period_end,
        current_period_end: period_end.as_deref().or(row.current_period_end.as_deref()),
        now: &now,
    };
    let mut effect = Effect::on(snapshot);
    effect.push(repo::upsert_subscription_statement(&db, &update)?);
    effect.set_plan(&db, plan, &now)?;
    effect.commit_alone(env, &db).await?;
    Ok(())
}

/// Ends the card subscription when the paid period closes (`cancel: true`), or takes that
/// back; the plan stays until Stripe ends the subscription (`customer.subscription.deleted`).
pub async fn cancel_at_period_end(env: &Env, user: &User, cancel: bool) -> ApiResult<View> {
    let (row, subscription) = card_subscription(env, user).await?;
    let (base, secret) = api_config(env)?;
    let api = Api { base_url: &base, secret_key: &secret };
    let request = stripe::cancel_at_period_end_request(&api, &crypto::random_id()?, &subscription, cancel);
    let answer = subscription_answer("updating a subscription", send(&request).await)?;
    let plan = plans::paid(&row.plan).unwrap_or(Plan::Pro);
    record(env, user, &row, &answer, plan).await?;
    view(env, user).await
}

/// Moves the card subscription to `plan` now: the difference is charged (or credited) at once
/// and the change is refused if that payment fails (402); the new plan applies when Stripe
/// accepts it, and a lower one stops the bots over its limit.
pub async fn change_plan(env: &Env, user: &User, plan: Plan) -> ApiResult<View> {
    let (row, subscription) = card_subscription(env, user).await?;
    if plans::paid(&row.plan) == Some(plan) {
        return Err(ApiError::conflict("same_plan", "your subscription is on this plan already"));
    }
    let (base, secret) = api_config(env)?;
    let api = Api { base_url: &base, secret_key: &secret };
    let db = env.d1("DB")?;
    let price = settings::load(&db).await?.price(plan.as_str()).map(|price| price.usd);
    let price = price.ok_or_else(|| ApiError::validation("plan", "this plan has no price"))?;
    let current = subscription_answer(
        "reading a subscription",
        send(&stripe::get_subscription_request(&api, &subscription)).await,
    )?;
    let item = current.item_id().ok_or_else(|| provider_failed("Stripe", "the subscription has no item"))?;
    let price_request = stripe::price_request(
        &api,
        &crypto::random_id()?,
        plan.as_str(),
        plans::display_name(plan),
        settings::cents(price),
        "usd",
    );
    let answer = send(&price_request).await.map_err(|detail| provider_failed("Stripe", &detail))?;
    if !(200..300).contains(&answer.status) {
        return Err(provider_failed("Stripe", &failed("creating a price", &answer)));
    }
    let price: Price = serde_json::from_str(&answer.body).map_err(|_| provider_failed("Stripe", "unreadable price"))?;
    let request = stripe::change_plan_request(
        &api,
        &crypto::random_id()?,
        &subscription,
        item,
        &price.id,
        &user.id,
        plan.as_str(),
    );
    let answer = send(&request).await.map_err(|detail| provider_failed("Stripe", &detail))?;
    if answer.status == 402 {
        return Err(ApiError::new(402, "payment_failed", "the card was declined; the plan did not change"));
    }
    let answer = subscription_answer("changing a subscription's plan", Ok(answer))?;
    record(env, user, &row, &answer, plan).await?;
    view(env, user).await
}

/// A Stripe customer portal session for the caller (invoices, payment method, cancellation).
pub async fn portal(env: &Env, user: &User, return_url: &str) -> ApiResult<String> {
    let db = env.d1("DB")?;
    let customer = repo::find_subscription(&db, &user.id).await?.and_then(|row| row.stripe_customer_id);
    let customer = customer.ok_or_else(|| {
        ApiError::conflict("no_stripe_customer", "you have not paid by card; there is no portal to open")
    })?;
    let (base, secret) = api_config(env)?;
    let api = Api { base_url: &base, secret_key: &secret };
    let request = stripe::portal_request(&api, &crypto::random_id()?, &customer, return_url);
    let answer = send(&request).await.map_err(|detail| provider_failed("Stripe", &detail))?;
    if !(200..300).contains(&answer.status) {
        return Err(provider_failed("Stripe", &failed("creating a portal session", &answer)));
    }
    let session: PortalSession =
        serde_json::from_str(&answer.body).map_err(|_| provider_failed("Stripe", "unreadable portal session"))?;
    Ok(session.url)
}
