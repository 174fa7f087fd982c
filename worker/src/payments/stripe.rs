//! Stripe, pure: the `Stripe-Signature` check (HMAC-SHA256 over `{t}.{payload}`, any matching
//! `v1`, a tolerance on `t`, constant-time comparison) and the API requests, form-encoded with
//! bracket notation (`line_items[0][price_data][currency]=usd`): Checkout Sessions, customer
//! portal sessions, subscription updates (cancel at period end, plan change) and cancellation,
//! prices, and reading a charge.

use serde::Deserialize;

use crate::http::outbound::{join, Outbound};
use crate::venues::sign::{hex_digest_matches, hmac_sha256_hex};

/// Stripe's default and recommended tolerance.
pub const TOLERANCE_SECONDS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// No `t=` or no `v1=` in the header.
    Malformed,
    /// No `v1` signature matches the payload under the secret.
    Mismatch,
    /// Correctly signed, but `t` is further than the tolerance from now (a replay).
    Stale,
}

/// Verifies a `Stripe-Signature` header (`t=...,v1=...,v1=...,v0=...`) for `payload`.
pub fn verify_signature(header: &str, payload: &[u8], secret: &str, now_secs: i64) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for item in header.split(',') {
        match item.trim().split_once('=') {
            Some(("t", value)) => timestamp = value.trim().parse::<i64>().ok(),
            Some(("v1", value)) => signatures.push(value.trim()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(payload);
    let expected = hmac_sha256_hex(secret.as_bytes(), &signed);
    // Check every candidate so the time taken does not depend on which one matched.
    let matched = signatures.iter().fold(false, |found, candidate| found | hex_digest_matches(&expected, candidate));
    if !matched {
        return Err(SignatureError::Mismatch);
    }
    if (now_secs - timestamp).abs() > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale);
    }
    Ok(())
}

/// What a checkout is for.
pub struct CheckoutOrder<'a> {
    pub user_id: &'a str,
    pub email: &'a str,
    pub plan: &'a str,
    pub plan_name: &'a str,
    pub unit_amount_cents: i64,
    pub currency: &'a str,
    pub success_url: &'a str,
    pub cancel_url: &'a str,
}

/// The parameters of `POST /v1/checkout/sessions`: a monthly subscription with an inline price
/// (from the admin settings), the user and plan in `client_reference_id` and `metadata`, and
/// again in `subscription_data[metadata]` so subscription and invoice events carry them too.
pub fn checkout_params(order: &CheckoutOrder<'_>) -> Vec<(&'static str, String)> {
    vec![
        ("mode", "subscription".into()),
        ("line_items[0][quantity]", "1".into()),
        ("line_items[0][price_data][currency]", order.currency.into()),
        ("line_items[0][price_data][unit_amount]", order.unit_amount_cents.to_string()),
        ("line_items[0][price_data][recurring][interval]", "month".into()),
        ("line_items[0][price_data][product_data][name]", order.plan_name.into()),
        ("client_reference_id", order.user_id.into()),
        ("customer_email", order.email.into()),
        ("metadata[user_id]", order.user_id.into()),
        ("metadata[plan]", order.plan.into()),
        ("subscription_data[metadata][user_id]", order.user_id.into()),
        ("subscription_data[metadata][plan]", order.plan.into()),
        ("success_url", order.success_url.into()),
        ("cancel_url", order.cancel_url.into()),
    ]
}

/// `application/x-www-form-urlencoded`, brackets percent-encoded as Stripe's own libraries do.
pub fn encode_form(params: &[(&str, String)]) -> String {
    let mut serializer = worker::url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in params {
        serializer.append_pair(key, value);
    }
    serializer.finish()
}

/// Where the API is and how to authenticate to it.
pub struct Api<'a> {
    pub base_url: &'a str,
    pub secret_key: &'a str,
}

impl Api<'_> {
    /// A form-encoded POST with an `Idempotency-Key`, so a retried request acts once.
    pub fn post(&self, path: &str, idempotency_key: &str, params: &[(&str, String)]) -> Outbound {
        Outbound::post(join(self.base_url, path), "application/x-www-form-urlencoded", encode_form(params))
            .header("authorization", format!("Bearer {}", self.secret_key))
            .header("idempotency-key", idempotency_key.to_string())
    }

    pub fn get(&self, path: &str) -> Outbound {
        Outbound::get(join(self.base_url, path)).header("authorization", format!("Bearer {}", self.secret_key))
    }

    pub fn delete(&self, path: &str) -> Outbound {
        Outbound { method: "DELETE", ..self.get(path) }
    }
}

pub fn checkout_request(
    base_url: &str,
    secret_key: &str,
    idempotency_key: &str,
    order: &CheckoutOrder<'_>,
) -> Outbound {
    Api { base_url, secret_key }.post("/v1/checkout/sessions", idempotency_key, &checkout_params(order))
}

/// `POST /v1/billing_portal/sessions`: a customer portal session for `customer`, back to
/// `return_url` when they are done.
pub fn portal_request(api: &Api<'_>, idempotency_key: &str, customer: &str, return_url: &str) -> Outbound {
    api.post(
        "/v1/billing_portal/sessions",
        idempotency_key,
        &[("customer", customer.into()), ("return_url", return_url.into())],
    )
}

/// `POST /v1/subscriptions/{id}` with `cancel_at_period_end`: end (or no longer end) the
/// subscription when the period already paid for closes.
pub fn cancel_at_period_end_request(
    api: &Api<'_>,
    idempotency_key: &str,
    subscription: &str,
    cancel: bool,
) -> Outbound {
    api.post(
        &format!("/v1/subscriptions/{subscription}"),
        idempotency_key,
        &[("cancel_at_period_end", cancel.to_string())],
    )
}

/// `DELETE /v1/subscriptions/{id}`: cancel now (after a refund or a dispute; no further charge).
pub fn cancel_now_request(api: &Api<'_>, subscription: &str) -> Outbound {
    api.delete(&format!("/v1/subscriptions/{subscription}"))
}

pub fn get_subscription_request(api: &Api<'_>, subscription: &str) -> Outbound {
    api.get(&format!("/v1/subscriptions/{subscription}"))
}

/// `GET /v1/charges/{id}`: whose a disputed charge was (a Dispute names only the charge).
pub fn get_charge_request(api: &Api<'_>, charge: &str) -> Outbound {
    api.get(&format!("/v1/charges/{charge}"))
}

/// `POST /v1/prices`: the monthly price of a plan, with its product, to move a subscription to.
pub fn price_request(
    api: &Api<'_>,
    idempotency_key: &str,
    plan: &str,
    plan_name: &str,
    cents: i64,
    currency: &str,
) -> Outbound {
    api.post(
        "/v1/prices",
        idempotency_key,
        &[
            ("currency", currency.into()),
            ("unit_amount", cents.to_string()),
            ("recurring[interval]", "month".into()),
            ("product_data[name]", plan_name.into()),
            ("metadata[plan]", plan.into()),
        ],
    )
}

/// `POST /v1/subscriptions/{id}`: the subscription's one item moves to `price` now, the
/// difference invoiced and charged at once (`proration_behavior=always_invoice`), and the
/// change refused if that payment fails (`payment_behavior=error_if_incomplete`); the plan in
/// the metadata follows, so later events carry it. Any pending cancellation is withdrawn.
pub fn change_plan_request(
    api: &Api<'_>,
    idempotency_key: &str,
    subscription: &str,
    item: &str,
    price: &str,
    user_id: &str,
    plan: &str,
) -> Outbound {
    api.post(
        &format!("/v1/subscriptions/{subscription}"),
        idempotency_key,
        &[
            ("items[0][id]", item.into()),
            ("items[0][price]", price.into()),
            ("proration_behavior", "always_invoice".into()),
            ("payment_behavior", "error_if_incomplete".into()),
            ("cancel_at_period_end", "false".into()),
            ("metadata[user_id]", user_id.into()),
            ("metadata[plan]", plan.into()),
        ],
    )
}

#[derive(Debug, Deserialize)]
pub struct PortalSession {
    pub url: String,
}

#[derive(Debug, Deserialize)]
pub struct Price {
    pub id: String,
}

#[derive(Debug, Deserialize)]
pub struct CreatedSession {
    pub id: String,
    pub url: String,
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
struct ErrorDetail {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    code: Option<String>,
}

/// Stripe's error `code` (`resource_missing`, `card_declined`, ...), when it sent one.
pub fn error_code(body: &str) -> Option<String> {
    serde_json::from_str::<ErrorBody>(body).ok()?.error.code
}

/// Stripe's error `type` and `code`, safe to log (its `message` may echo part of a key).
pub fn error_summary(body: &str) -> String {
    match serde_json::from_str::<ErrorBody>(body) {
        Ok(body) => format!("{} {}", body.error.kind, body.error.code.unwrap_or_default()).trim().to_string(),
        Err(_) => "unreadable error body".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const PAYLOAD: &[u8] = br#"{"id":"evt_test_webhook","object":"event"}"#;
    /// HMAC-SHA256 of `1492774577.` + PAYLOAD under SECRET, computed independently with
    /// Python's `hmac` module.
    const SIGNATURE: &str = "88a022085c6bdb887b02cb26ff76dd681234d9675c0f22844059f55552a8883a";
    const T: i64 = 1_492_774_577;

    #[test]
    fn a_correct_signature_within_tolerance_verifies() {
        let header =
            format!("t={T},v1={SIGNATURE},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39");
        assert_eq!(verify_signature(&header, PAYLOAD, SECRET, T + 10), Ok(()));
        assert_eq!(verify_signature(&header, PAYLOAD, SECRET, T + TOLERANCE_SECONDS), Ok(()));
    }

    #[test]
    fn any_matching_v1_is_enough() {
        let header = format!("t={T}, v1={}, v1={SIGNATURE}", "0".repeat(64));
        assert_eq!(verify_signature(&header, PAYLOAD, SECRET, T), Ok(()));
    }

    #[test]
    fn wrong_secret_payload_or_signature_is_a_mismatch() {
        let header = format!("t={T},v1={SIGNATURE}");
        assert_eq!(verify_signature(&header, PAYLOAD, "whsec_other", T), Err(SignatureError::Mismatch));
        assert_eq!(verify_signature(&header, b"{}", SECRET, T), Err(SignatureError::Mismatch));
        let shifted = format!("t={},v1={SIGNATURE}", T + 1);
        assert_eq!(verify_signature(&shifted, PAYLOAD, SECRET, T), Err(SignatureError::Mismatch));
    }

    #[test]
    fn stale_or_future_timestamps_are_refused() {
        let header = format!("t={T},v1={SIGNATURE}");
        assert_eq!(verify_signature(&header, PAYLOAD, SECRET, T + 301), Err(SignatureError::Stale));
        assert_eq!(verify_signature(&header, PAYLOAD, SECRET, T - 301), Err(SignatureError::Stale));
    }

    #[test]
    fn malformed_headers_are_refused() {
        for header in
            ["", "garbage", "v1=abc", &format!("t={T}"), "t=notanumber,v1=00", &format!("t={T},v0={SIGNATURE}")]
        {
            assert_eq!(verify_signature(header, PAYLOAD, SECRET, T), Err(SignatureError::Malformed), "{header}");
        }
    }

    #[test]
    fn checkout_form_uses_bracket_notation() {
        let order = CheckoutOrder {
            user_id: "u-1",
            email: "ana+bots@example.com",
            plan: "premium",
            plan_name: "Auronex Premium",
            unit_amount_cents: 5900,
            currency: "usd",
            success_url: "https://app.example/billing?s={CHECKOUT_SESSION_ID}",
            cancel_url: "https://app.example/billing",
        };
        let request = checkout_request("https://api.stripe.com", "sk_test_x", "idem-1", &order);
        assert_eq!((request.method, request.url.as_str()), ("POST", "https://api.stripe.com/v1/checkout/sessions"));
        let body = request.body.clone().unwrap();
        assert!(body.starts_with("mode=subscription&line_items%5B0%5D%5Bquantity%5D=1&"), "{body}");
        assert!(body.contains("line_items%5B0%5D%5Bprice_data%5D%5Bunit_amount%5D=5900"));
        assert!(body.contains("customer_email=ana%2Bbots%40example.com"));
        assert!(body.contains("subscription_data%5Bmetadata%5D%5Bplan%5D=premium"));
        assert!(body.contains("success_url=https%3A%2F%2Fapp.example%2Fbilling%3Fs%3D%7BCHECKOUT_SESSION_ID%7D"));
        assert!(request.headers.contains(&("authorization", "Bearer sk_test_x".into())));
        assert!(request.headers.contains(&("idempotency-key", "idem-1".into())));
        assert!(request.headers.contains(&("content-type", "application/x-www-form-urlencoded".into())));
    }

    #[test]
    fn subscription_requests_are_form_encoded_with_an_idempotency_key() {
        let api = Api { base_url: "https://api.stripe.com/", secret_key: "sk_test_x" };
        let cancel = cancel_at_period_end_request(&api, "idem-2", "sub_1", true);
        assert_eq!((cancel.method, cancel.url.as_str()), ("POST", "https://api.stripe.com/v1/subscriptions/sub_1"));
        assert_eq!(cancel.body.as_deref(), Some("cancel_at_period_end=true"));
        assert!(cancel.headers.contains(&("idempotency-key", "idem-2".into())));
        let change = change_plan_request(&api, "idem-3", "sub_1", "si_1", "price_1", "u-1", "premium");
        let body = change.body.unwrap();
        assert!(body.starts_with("items%5B0%5D%5Bid%5D=si_1&items%5B0%5D%5Bprice%5D=price_1&"), "{body}");
        assert!(body.contains("proration_behavior=always_invoice&payment_behavior=error_if_incomplete"));
        assert!(body.contains("metadata%5Bplan%5D=premium"));
        let price = price_request(&api, "idem-4", "premium", "Auronex Premium", 5900, "usd");
        assert_eq!(price.url, "https://api.stripe.com/v1/prices");
        assert!(price.body.unwrap().contains("recurring%5Binterval%5D=month&product_data%5Bname%5D=Auronex+Premium"));
        let portal = portal_request(&api, "idem-5", "cus_1", "https://app.example/billing");
        assert_eq!(portal.url, "https://api.stripe.com/v1/billing_portal/sessions");
        assert_eq!(portal.body.as_deref(), Some("customer=cus_1&return_url=https%3A%2F%2Fapp.example%2Fbilling"));
        let now = cancel_now_request(&api, "sub_1");
        assert_eq!((now.method, now.body.as_deref()), ("DELETE", None));
        assert!(now.headers.contains(&("authorization", "Bearer sk_test_x".into())));
        assert_eq!(get_charge_request(&api, "ch_1").url, "https://api.stripe.com/v1/charges/ch_1");
    }

    #[test]
    fn reads_portal_sessions_prices_and_error_codes() {
        let portal: PortalSession =
            serde_json::from_str(include_str!("../../fixtures/stripe/billing_portal_session.json")).unwrap();
        assert!(portal.url.starts_with("https://billing.stripe.com/p/session/"));
        let price: Price = serde_json::from_str(include_str!("../../fixtures/stripe/price.json")).unwrap();
        assert!(price.id.starts_with("price_"));
        let missing =
            r#"{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such subscription"}}"#;
        assert_eq!(error_code(missing).as_deref(), Some("resource_missing"));
        assert_eq!(error_code("garbage"), None);
    }

    #[test]
    fn reads_the_created_session_and_error_bodies() {
        let session: CreatedSession =
            serde_json::from_str(include_str!("../../fixtures/stripe/checkout_session.json")).unwrap();
        assert!(session.id.starts_with("cs_test_") && session.url.starts_with("https://checkout.stripe.com/"));
        let summary = error_summary(include_str!("../../fixtures/stripe/error_invalid_api_key.json"));
        assert_eq!(summary, "invalid_request_error");
        assert!(!summary.contains("sk_test"));
    }
}
