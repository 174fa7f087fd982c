//! Stripe webhook events, pure: the envelope (`id`, `type`, `data.object`) and the objects the
//! Worker acts on (Checkout Session, Subscription, Invoice, Charge, Dispute), read leniently:
//! unknown fields are ignored, and what Auronex needs is checked when it is used.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Envelope {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub data: Data,
}

#[derive(Debug, Deserialize)]
pub struct Data {
    pub object: serde_json::Value,
}

#[derive(Debug, Default, Deserialize)]
pub struct Session {
    pub id: String,
    #[serde(default)]
    pub client_reference_id: Option<String>,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    #[serde(default)]
    pub customer: Option<String>,
    #[serde(default)]
    pub subscription: Option<String>,
    #[serde(default)]
    pub payment_status: String,
    #[serde(default)]
    pub amount_total: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Subscription {
    pub id: String,
    #[serde(default)]
    pub customer: Option<String>,
    pub status: String,
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// Set to end at the close of the paid period (`cancel_at_period_end`).
    #[serde(default)]
    pub cancel_at_period_end: bool,
    /// API versions before 2025-03-31 (basil): the period on the subscription itself.
    #[serde(default)]
    current_period_end: Option<i64>,
    /// From 2025-03-31: the period on each item.
    #[serde(default)]
    pub items: Option<Items>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Items {
    #[serde(default)]
    pub data: Vec<Item>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Item {
    pub id: String,
    #[serde(default)]
    current_period_end: Option<i64>,
}

impl Subscription {
    /// When the paid period ends (Unix seconds), wherever this API version puts it.
    pub fn current_period_end(&self) -> Option<i64> {
        let from_items =
            self.items.as_ref().and_then(|items| items.data.iter().filter_map(|i| i.current_period_end).max());
        self.current_period_end.or(from_items)
    }

    /// The subscription item a plan change replaces (Auronex subscriptions have one).
    pub fn item_id(&self) -> Option<&str> {
        self.items.as_ref()?.data.first().map(|item| item.id.as_str())
    }
}

/// A Charge (`charge.refunded`): how much of it came back, and whose it was.
#[derive(Debug, Default, Deserialize)]
pub struct Charge {
    pub id: String,
    #[serde(default)]
    pub amount: i64,
    #[serde(default)]
    pub amount_refunded: i64,
    /// Fully refunded (a partial refund leaves it `false`).
    #[serde(default)]
    pub refunded: bool,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub customer: Option<String>,
}

/// A Dispute (`charge.dispute.created`): a chargeback. It names the charge, not the customer.
#[derive(Debug, Default, Deserialize)]
pub struct Dispute {
    pub id: String,
    #[serde(default)]
    pub amount: i64,
    #[serde(default)]
    pub currency: String,
    pub charge: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub status: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Invoice {
    pub id: String,
    #[serde(default)]
    pub amount_due: i64,
    #[serde(default)]
    pub currency: String,
    /// API versions before 2025-03-31.
    #[serde(default)]
    subscription: Option<String>,
    /// API versions from 2025-03-31 (`parent.subscription_details`).
    #[serde(default)]
    parent: Option<Parent>,
}

#[derive(Debug, Default, Deserialize)]
struct Parent {
    #[serde(default)]
    subscription_details: Option<SubscriptionDetails>,
}

#[derive(Debug, Default, Deserialize)]
struct SubscriptionDetails {
    #[serde(default)]
    subscription: Option<String>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
}

impl Invoice {
    pub fn subscription_id(&self) -> Option<&str> {
        let from_parent = self.parent.as_ref().and_then(|p| p.subscription_details.as_ref()?.subscription.as_deref());
        self.subscription.as_deref().or(from_parent)
    }

    pub fn metadata(&self, key: &str) -> Option<&str> {
        self.parent.as_ref()?.subscription_details.as_ref()?.metadata.get(key).map(String::as_str)
    }
}

impl Session {
    /// The user the checkout was for: `client_reference_id`, else `metadata.user_id`.
    pub fn user_id(&self) -> Option<&str> {
        self.client_reference_id.as_deref().or(self.metadata.get("user_id").map(String::as_str))
    }

    /// Paid now (cards), not later (delayed methods finish with `async_payment_succeeded`).
    pub fn is_paid(&self) -> bool {
        matches!(self.payment_status.as_str(), "paid" | "no_payment_required")
    }
}

/// What a subscription's status means for the user's plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Paying: the plan applies.
    Active,
    /// A renewal failed and Stripe is retrying: keep the plan, mark the subscription.
    PastDue,
    /// Over: back to free.
    Ended,
    /// Not started yet (first payment pending): nothing changes.
    Pending,
}

pub fn standing(status: &str) -> Standing {
    match status {
        "active" | "trialing" => Standing::Active,
        "past_due" => Standing::PastDue,
        "canceled" | "unpaid" | "incomplete_expired" | "paused" => Standing::Ended,
        _ => Standing::Pending,
    }
}

/// The events Auronex acts on, typed; everything else is acknowledged and ignored.
#[derive(Debug)]
pub enum Event {
    CheckoutPaid(Session),
    CheckoutExpired(Session),
    SubscriptionChanged(Subscription),
    SubscriptionDeleted(Subscription),
    InvoiceFailed(Invoice),
    ChargeRefunded(Charge),
    DisputeCreated(Dispute),
    Ignored,
}

pub fn parse(body: &[u8]) -> Result<(Envelope, Event), String> {
    let envelope: Envelope = serde_json::from_slice(body).map_err(|e| format!("not a Stripe event: {e}"))?;
    let object = envelope.data.object.clone();
    let typed = |what: &str| format!("{} carries no readable {what}", envelope.kind);
    let event = match envelope.kind.as_str() {
        "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
            let session: Session = serde_json::from_value(object).map_err(|_| typed("checkout session"))?;
            if session.is_paid() {
                Event::CheckoutPaid(session)
            } else {
                Event::Ignored
            }
        }
        "checkout.session.expired" | "checkout.session.async_payment_failed" => {
            Event::CheckoutExpired(serde_json::from_value(object).map_err(|_| typed("checkout session"))?)
        }
        "customer.subscription.updated" | "customer.subscription.created" => {
            Event::SubscriptionChanged(serde_json::from_value(object).map_err(|_| typed("subscription"))?)
        }
        "customer.subscription.deleted" => {
            Event::SubscriptionDeleted(serde_json::from_value(object).map_err(|_| typed("subscription"))?)
        }
        "invoice.payment_failed" => Event::InvoiceFailed(serde_json::from_value(object).map_err(|_| typed("invoice"))?),
        "charge.refunded" => Event::ChargeRefunded(serde_json::from_value(object).map_err(|_| typed("charge"))?),
        "charge.dispute.created" => {
            Event::DisputeCreated(serde_json::from_value(object).map_err(|_| typed("dispute"))?)
        }
        _ => Event::Ignored,
    };
    Ok((envelope, event))
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER: &str = "5f0c8a5e6b1d4c4e9d7a2b3c4d5e6f70";

    #[test]
    fn checkout_completed() {
        let (envelope, event) =
            parse(include_bytes!("../../fixtures/stripe/event_checkout.session.completed.json")).unwrap();
        assert_eq!(envelope.id, "evt_1SWnQ2LkdIwHu7ixCompleted01");
        let Event::CheckoutPaid(session) = event else { panic!("{event:?}") };
        assert_eq!(session.user_id(), Some(USER));
        assert_eq!(session.metadata["plan"], "pro");
        assert_eq!(session.subscription.as_deref(), Some("sub_1SWnQ1LkdIwHu7ixAbCdEfGh"));
        assert_eq!((session.amount_total, session.currency.as_deref()), (Some(2900), Some("usd")));
    }

    #[test]
    fn an_unpaid_completed_checkout_waits() {
        let mut event: serde_json::Value =
            serde_json::from_str(include_str!("../../fixtures/stripe/event_checkout.session.completed.json")).unwrap();
        event["data"]["object"]["payment_status"] = "unpaid".into();
        assert!(matches!(parse(event.to_string().as_bytes()).unwrap().1, Event::Ignored));
    }

    #[test]
    fn subscription_updates_and_deletions() {
        let (_, updated) =
            parse(include_bytes!("../../fixtures/stripe/event_customer.subscription.updated.json")).unwrap();
        let Event::SubscriptionChanged(subscription) = updated else { panic!() };
        assert_eq!((subscription.status.as_str(), standing(&subscription.status)), ("past_due", Standing::PastDue));
        assert_eq!(subscription.metadata["user_id"], USER);
        let (_, deleted) =
            parse(include_bytes!("../../fixtures/stripe/event_customer.subscription.deleted.json")).unwrap();
        let Event::SubscriptionDeleted(subscription) = deleted else { panic!() };
        assert_eq!(standing(&subscription.status), Standing::Ended);
    }

    #[test]
    fn failed_invoices_find_their_subscription_in_either_place() {
        let (_, event) = parse(include_bytes!("../../fixtures/stripe/event_invoice.payment_failed.json")).unwrap();
        let Event::InvoiceFailed(invoice) = event else { panic!() };
        assert_eq!(invoice.subscription_id(), Some("sub_1SWnQ1LkdIwHu7ixAbCdEfGh"));
        assert_eq!(invoice.metadata("user_id"), Some(USER));
        assert_eq!((invoice.amount_due, invoice.currency.as_str()), (2900, "usd"));
        let legacy: Invoice = serde_json::from_str(r#"{"id":"in_1","subscription":"sub_old"}"#).unwrap();
        assert_eq!(legacy.subscription_id(), Some("sub_old"));
    }

    #[test]
    fn other_and_broken_events() {
        assert!(matches!(
            parse(br#"{"id":"evt_1","type":"charge.captured","data":{"object":{}}}"#).unwrap().1,
            Event::Ignored
        ));
        assert!(parse(b"not json").is_err());
        assert!(parse(br#"{"id":"evt_1","type":"charge.refunded","data":{"object":{}}}"#).is_err());
        assert!(parse(br#"{"id":"evt_1","type":"customer.subscription.deleted","data":{"object":{"id":1}}}"#).is_err());
    }

    #[test]
    fn subscriptions_say_when_their_period_ends_in_either_place() {
        let (_, updated) =
            parse(include_bytes!("../../fixtures/stripe/event_customer.subscription.updated.json")).unwrap();
        let Event::SubscriptionChanged(subscription) = updated else { panic!() };
        assert_eq!(subscription.current_period_end(), Some(1_766_492_090), "items[].current_period_end");
        assert_eq!(subscription.item_id(), Some("si_TTt1ItemAbCdEf"));
        assert!(!subscription.cancel_at_period_end);
        let legacy: Subscription =
            serde_json::from_str(r#"{"id":"sub_1","status":"active","current_period_end":1700000000}"#).unwrap();
        assert_eq!(legacy.current_period_end(), Some(1_700_000_000));
        let canceling: Subscription =
            serde_json::from_str(include_str!("../../fixtures/stripe/subscription_cancel_at_period_end.json")).unwrap();
        assert!(canceling.cancel_at_period_end && canceling.status == "active");
    }

    #[test]
    fn refunds_and_disputes() {
        let (envelope, event) = parse(include_bytes!("../../fixtures/stripe/event_charge.refunded.json")).unwrap();
        assert_eq!(envelope.kind, "charge.refunded");
        let Event::ChargeRefunded(charge) = event else { panic!("{event:?}") };
        assert!(charge.refunded && charge.amount_refunded == charge.amount);
        assert_eq!(charge.customer.as_deref(), Some("cus_TTt1ABCDefGhIj"));
        let (_, event) = parse(include_bytes!("../../fixtures/stripe/event_charge.dispute.created.json")).unwrap();
        let Event::DisputeCreated(dispute) = event else { panic!("{event:?}") };
        assert_eq!((dispute.charge.as_str(), dispute.amount), ("ch_3SWnQ3LkdIwHu7ix0Charge01", 2900));
        assert_eq!(dispute.status, "needs_response");
    }

    #[test]
    fn standings() {
        assert_eq!(standing("active"), Standing::Active);
        assert_eq!(standing("unpaid"), Standing::Ended);
        assert_eq!(standing("incomplete"), Standing::Pending);
    }
}
