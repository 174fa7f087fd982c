//! Stripe stand-in, speaking the API as Stripe documents it (bearer secret key, form-encoded
//! parameters in bracket notation, the documented objects or Stripe's error body):
//! `POST /v1/checkout/sessions`, `POST /v1/billing_portal/sessions`, `GET`/`POST`/`DELETE
//! /v1/subscriptions/{id}` (cancel at period end, a new price for the item, cancel now),
//! `POST /v1/prices` and `GET /v1/charges/{id}`, over subscriptions and charges the tests put
//! there the way a customer's payment would ([`Stripe::subscribe`]). Plus what Stripe does on
//! its side of a webhook: building events from the documented fixtures and signing them
//! (`Stripe-Signature: t=...,v1=...`).

use std::collections::HashMap;
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
const REFUNDED: &str = include_str!("../../../worker/fixtures/stripe/event_charge.refunded.json");
const DISPUTED: &str = include_str!("../../../worker/fixtures/stripe/event_charge.dispute.created.json");
const SUBSCRIPTION: &str = include_str!("../../../worker/fixtures/stripe/subscription_cancel_at_period_end.json");
const CHARGE: &str = include_str!("../../../worker/fixtures/stripe/charge.json");
const PORTAL: &str = include_str!("../../../worker/fixtures/stripe/billing_portal_session.json");
const PRICE: &str = include_str!("../../../worker/fixtures/stripe/price.json");

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
    subscriptions: Mutex<HashMap<String, Value>>,
    charges: Mutex<HashMap<String, Value>>,
    prices: Mutex<HashMap<String, Value>>,
    /// Subscriptions whose card is declined for a plan change (402 `card_declined`).
    declined: Mutex<std::collections::HashSet<String>>,
}

fn missing(kind: &str, id: &str) -> Reply {
    let error = json!({"type": "invalid_request_error", "code": "resource_missing", "message": format!("No such {kind}: '{id}'")});
    Reply::json(404, json!({ "error": error }))
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
        let form_encoded =
            request.header("content-type").is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
        if request.method == "POST" && !form_encoded {
            return error(400, "invalid_request_error", "Invalid request: expected form parameters", None);
        }
        let path = request.path.as_str();
        match (request.method.as_str(), path) {
            ("POST", "/v1/checkout/sessions") => self.checkout(request),
            ("POST", "/v1/billing_portal/sessions") => self.portal(request),
            ("POST", "/v1/prices") => self.price(request),
            (method, _) if path.starts_with("/v1/subscriptions/") => {
                self.subscription_call(method, &path["/v1/subscriptions/".len()..], request)
            }
            ("GET", _) if path.starts_with("/v1/charges/") => {
                let id = &path["/v1/charges/".len()..];
                match self.charges.lock().unwrap().get(id) {
                    Some(charge) => Reply::json(200, charge.clone()),
                    None => missing("charge", id),
                }
            }
            _ => error(404, "invalid_request_error", "Unrecognized request URL.", None),
        }
    }

    fn checkout(&self, request: &Recorded) -> Reply {
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

    fn known_customer(&self, customer: &str) -> bool {
        self.subscriptions.lock().unwrap().values().any(|s| s["customer"] == customer)
            || self.charges.lock().unwrap().values().any(|c| c["customer"] == customer)
    }

    fn portal(&self, request: &Recorded) -> Reply {
        let Some(customer) = request.form_value("customer").filter(|c| !c.is_empty()) else {
            return error(400, "invalid_request_error", "Missing required param: customer.", Some("customer"));
        };
        if !self.known_customer(&customer) {
            return missing("customer", &customer);
        }
        let n = {
            let mut sessions = self.sessions.lock().unwrap();
            *sessions += 1;
            *sessions
        };
        let mut session: Value = serde_json::from_str(PORTAL).unwrap();
        let id = format!("bps_e2e{n:06}{}", std::process::id());
        session["id"] = id.clone().into();
        session["customer"] = customer.into();
        session["created"] = now().into();
        session["return_url"] = request.form_value("return_url").map(Value::from).unwrap_or(Value::Null);
        session["url"] = format!("https://billing.stripe.com/p/session/test_{id}").into();
        Reply::json(200, session)
    }

    fn price(&self, request: &Recorded) -> Reply {
        for param in ["currency", "unit_amount", "recurring[interval]"] {
            if request.form_value(param).is_none_or(|v| v.is_empty()) {
                return error(400, "invalid_request_error", &format!("Missing required param: {param}."), Some(param));
            }
        }
        if request.form_value("product").is_none() && request.form_value("product_data[name]").is_none() {
            return error(400, "invalid_request_error", "Missing required param: product.", Some("product"));
        }
        let mut prices = self.prices.lock().unwrap();
        let id = format!("price_e2e{:06}{}", prices.len() + 1, std::process::id());
        let mut price: Value = serde_json::from_str(PRICE).unwrap();
        price["id"] = id.clone().into();
        price["currency"] = request.form_value("currency").into();
        let amount: i64 = request.form_value("unit_amount").and_then(|a| a.parse().ok()).unwrap_or(0);
        price["unit_amount"] = amount.into();
        price["unit_amount_decimal"] = amount.to_string().into();
        price["metadata"] = json!({"plan": request.form_value("metadata[plan]")});
        price["product"] = request.form_value("product").unwrap_or_else(|| format!("prod_e2e_{id}")).into();
        prices.insert(id, price.clone());
        Reply::json(200, price)
    }

    fn subscription_call(&self, method: &str, id: &str, request: &Recorded) -> Reply {
        let mut subscriptions = self.subscriptions.lock().unwrap();
        let Some(subscription) = subscriptions.get_mut(id) else { return missing("subscription", id) };
        let canceled = subscription["status"] == "canceled";
        match method {
            "GET" => Reply::json(200, subscription.clone()),
            // Stripe refuses changes to a canceled subscription; the Worker does not depend on
            // the exact refusal: it reads the subscription back.
            "POST" | "DELETE" if canceled => error(
                400,
                "invalid_request_error",
                "A canceled subscription can only update its cancellation_details and metadata.",
                None,
            ),
            "DELETE" => {
                subscription["status"] = "canceled".into();
                subscription["cancel_at_period_end"] = false.into();
                subscription["cancel_at"] = Value::Null;
                subscription["canceled_at"] = now().into();
                subscription["ended_at"] = now().into();
                Reply::json(200, subscription.clone())
            }
            "POST" => {
                if let Some(cancel) = request.form_value("cancel_at_period_end") {
                    let cancel = cancel == "true";
                    let end = subscription["items"]["data"][0]["current_period_end"].clone();
                    subscription["cancel_at_period_end"] = cancel.into();
                    subscription["cancel_at"] = if cancel { end } else { Value::Null };
                    subscription["canceled_at"] = if cancel { now().into() } else { Value::Null };
                }
                if let Some(item) = request.form_value("items[0][id]") {
                    if subscription["items"]["data"][0]["id"] != item.as_str() {
                        return missing("subscription item", &item);
                    }
                    let Some(price) = request
                        .form_value("items[0][price]")
                        .and_then(|p| self.prices.lock().unwrap().get(&p).cloned())
                    else {
                        return error(400, "invalid_request_error", "No such price.", Some("items[0][price]"));
                    };
                    if self.declined.lock().unwrap().contains(id) {
                        let declined = json!({"type": "card_error", "code": "card_declined",
                                              "decline_code": "generic_decline", "message": "Your card was declined."});
                        return Reply::json(402, json!({ "error": declined }));
                    }
                    subscription["items"]["data"][0]["price"] = price;
                }
                for (key, value) in request.form() {
                    if let Some(name) = key.strip_prefix("metadata[").and_then(|k| k.strip_suffix(']')) {
                        subscription["metadata"][name] = value.into();
                    }
                }
                Reply::json(200, subscription.clone())
            }
            _ => error(404, "invalid_request_error", "Unrecognized request URL.", None),
        }
    }

    /// What Stripe holds once `user_id` has paid a checkout for `plan`: an active monthly
    /// subscription of `customer` (its period starting now) and the charge that paid it.
    pub fn subscribe(&self, subscription: &str, customer: &str, charge: &str, user_id: &str, plan: &str) {
        let amount = if plan == "premium" { 5900 } else { 2900 };
        let mut object: Value = serde_json::from_str(SUBSCRIPTION).unwrap();
        object["id"] = subscription.into();
        object["customer"] = customer.into();
        object["status"] = "active".into();
        object["cancel_at_period_end"] = false.into();
        object["cancel_at"] = Value::Null;
        object["canceled_at"] = Value::Null;
        object["metadata"] = json!({"user_id": user_id, "plan": plan});
        let item = &mut object["items"]["data"][0];
        item["id"] = format!("si_{}", &subscription[4..]).into();
        item["current_period_start"] = now().into();
        item["current_period_end"] = (now() + 30 * 86_400).into();
        item["price"]["unit_amount"] = amount.into();
        self.subscriptions.lock().unwrap().insert(subscription.to_string(), object);
        let mut paid: Value = serde_json::from_str(CHARGE).unwrap();
        paid["id"] = charge.into();
        paid["customer"] = customer.into();
        paid["amount"] = amount.into();
        paid["amount_captured"] = amount.into();
        self.charges.lock().unwrap().insert(charge.to_string(), paid);
    }

    pub fn subscription(&self, id: &str) -> Option<Value> {
        self.subscriptions.lock().unwrap().get(id).cloned()
    }

    /// Declines (or stops declining) the card of `subscription` for plan changes.
    pub fn set_declined(&self, subscription: &str, declined: bool) {
        let mut set = self.declined.lock().unwrap();
        if declined {
            set.insert(subscription.to_string());
        } else {
            set.remove(subscription);
        }
    }
}

/// The Stripe customer the test checkouts of `user_id` carry (see [`checkout_completed`]).
pub fn customer_of(user_id: &str) -> String {
    format!("cus_{}", &user_id[..8])
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
    object["customer"] = customer_of(user_id).into();
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

/// `charge.refunded` for `charge` of `customer`: `refunded` of `amount` cents came back (all
/// of it makes `refunded: true`).
pub fn charge_refunded(event_id: &str, charge: &str, customer: &str, amount: i64, refunded: i64) -> String {
    let mut event: Value = serde_json::from_str(REFUNDED).unwrap();
    event["id"] = event_id.into();
    let object = &mut event["data"]["object"];
    object["id"] = charge.into();
    object["customer"] = customer.into();
    object["amount"] = amount.into();
    object["amount_captured"] = amount.into();
    object["amount_refunded"] = refunded.into();
    object["refunded"] = (refunded >= amount).into();
    event.to_string()
}

/// `charge.dispute.created`: the cardholder disputed `charge` (the event names only the charge).
pub fn dispute_created(event_id: &str, dispute: &str, charge: &str, amount: i64) -> String {
    let mut event: Value = serde_json::from_str(DISPUTED).unwrap();
    event["id"] = event_id.into();
    let object = &mut event["data"]["object"];
    object["id"] = dispute.into();
    object["charge"] = charge.into();
    object["amount"] = amount.into();
    event.to_string()
}
