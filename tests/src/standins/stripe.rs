//! Stripe stand-in: `POST /v1/checkout/sessions` as Stripe answers it (bearer secret key,
//! form-encoded parameters in bracket notation, the Checkout Session object or Stripe's error
//! body), plus what Stripe does on its side of a webhook: building events from the documented
//! fixtures and signing them (`Stripe-Signature: t=...,v1=...`).

use std::sync::Mutex;

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::{Recorded, Reply};

pub const SECRET_KEY: &str = "sk_test_auronexE2E00000000000000000000";
pub const WEBHOOK_SECRET: &str = "whsec_auronexE2E0000000000000000000000";

const SESSION: &str = include_str!("../../../worker/fixtures/stripe/checkout_session.json");
const COMPLETED: &str = include_str!("../../../worker/fixtures/stripe/event_checkout.session.completed.json");
const UPDATED: &str = include_str!("../../../worker/fixtures/stripe/event_customer.subscription.updated.json");
const DELETED: &str = include_str!("../../../worker/fixtures/stripe/event_customer.subscription.deleted.json");
const INVOICE_FAILED: &str = include_str!("../../../worker/fixtures/stripe/event_invoice.payment_failed.json");

const REQUIRED: &[&str] = &[
    "mode",
    "success_url",
    "line_items[0][price_data][currency]",
    "line_items[0][price_data][unit_amount]",
    "line_items[0][quantity]",
];

#[derive(Default)]
pub struct Stripe {
    sessions: Mutex<u32>,
}

fn error(status: u16, kind: &str, message: &str, param: Option<&str>) -> Reply {
    let mut error = json!({"type": kind, "message": message});
    if let Some(param) = param {
        error["param"] = param.into();
        error["code"] = "parameter_missing".into();
    }
    Reply::json(status, json!({ "error": error }))
}

impl Stripe {
    pub fn handle(&self, request: &Recorded) -> Reply {
        if request.header("authorization") != Some(&format!("Bearer {SECRET_KEY}")) {
            return error(401, "invalid_request_error", "Invalid API Key provided: sk_test_****0000", None);
        }
        if request.method != "POST" || request.path != "/v1/checkout/sessions" {
            return error(404, "invalid_request_error", "Unrecognized request URL.", None);
        }
        if !request.header("content-type").is_some_and(|t| t.starts_with("application/x-www-form-urlencoded")) {
            return error(400, "invalid_request_error", "Invalid request: expected form parameters", None);
        }
        for param in REQUIRED {
            if request.form_value(param).is_none_or(|v| v.is_empty()) {
                return error(400, "invalid_request_error", &format!("Missing required param: {param}."), Some(param));
            }
        }
        let n = {
            let mut sessions = self.sessions.lock().unwrap();
            *sessions += 1;
            *sessions
        };
        let id = format!("cs_test_e2e{n:06}{}", std::process::id());
        let mut session: Value = serde_json::from_str(SESSION).unwrap();
        let form = |key: &str| request.form_value(key).map(Value::from).unwrap_or(Value::Null);
        session["id"] = id.clone().into();
        session["url"] = format!("https://checkout.stripe.com/c/pay/{id}").into();
        session["client_reference_id"] = form("client_reference_id");
        session["customer_email"] = form("customer_email");
        session["metadata"] = json!({"user_id": form("metadata[user_id]"), "plan": form("metadata[plan]")});
        session["mode"] = form("mode");
        session["currency"] = form("line_items[0][price_data][currency]");
        let amount: i64 =
            request.form_value("line_items[0][price_data][unit_amount]").and_then(|a| a.parse().ok()).unwrap_or(0);
        session["amount_total"] = amount.into();
        session["amount_subtotal"] = amount.into();
        session["success_url"] = form("success_url");
        session["cancel_url"] = form("cancel_url");
        Reply::json(200, session)
    }
}

/// `Stripe-Signature` for `payload` signed at `t` with `secret`, as Stripe computes it.
pub fn signature_header(payload: &str, t: i64, secret: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{payload}").as_bytes());
    let v1: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("t={t},v1={v1}")
}

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// `checkout.session.completed` (paid) for a session created through the Worker.
pub fn checkout_completed(event_id: &str, session_id: &str, user_id: &str, plan: &str, subscription: &str) -> String {
    let mut event: Value = serde_json::from_str(COMPLETED).unwrap();
    event["id"] = event_id.into();
    let object = &mut event["data"]["object"];
    object["id"] = session_id.into();
    object["client_reference_id"] = user_id.into();
    object["metadata"] = json!({"user_id": user_id, "plan": plan});
    object["subscription"] = subscription.into();
    object["customer"] = format!("cus_{}", &user_id[..8]).into();
    object["amount_total"] = if plan == "premium" { 5900 } else { 2900 }.into();
    event.to_string()
}

/// `customer.subscription.updated` with `status`, or `customer.subscription.deleted`.
pub fn subscription_event(
    event_id: &str,
    deleted: bool,
    subscription: &str,
    user_id: &str,
    plan: &str,
    status: &str,
) -> String {
    let mut event: Value = serde_json::from_str(if deleted { DELETED } else { UPDATED }).unwrap();
    event["id"] = event_id.into();
    let object = &mut event["data"]["object"];
    object["id"] = subscription.into();
    object["metadata"] = json!({"user_id": user_id, "plan": plan});
    object["status"] = status.into();
    event.to_string()
}

/// `invoice.payment_failed` for a subscription renewal.
pub fn invoice_failed(event_id: &str, invoice_id: &str, subscription: &str, user_id: &str, plan: &str) -> String {
    let mut event: Value = serde_json::from_str(INVOICE_FAILED).unwrap();
    event["id"] = event_id.into();
    let object = &mut event["data"]["object"];
    object["id"] = invoice_id.into();
    object["parent"]["subscription_details"] =
        json!({"subscription": subscription, "metadata": {"user_id": user_id, "plan": plan}});
    event.to_string()
}
