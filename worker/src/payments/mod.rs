//! Paid plans: Stripe Checkout and its webhooks, PIX through Mercado Pago and its webhooks, the
//! plan changes they cause, and the records they leave (payments, subscriptions, events), each
//! event's effects committed in one batch with its processed marker (`commit`); a subscriber's
//! own billing (cancel at period end, plan change, Stripe's portal) in `billing`.

pub mod billing;
pub mod commit;
pub mod mercadopago;
pub mod pix;
pub mod plans;
pub mod repo;
pub mod stripe;
pub mod stripe_events;
pub mod stripe_webhook;

use rust_decimal::Decimal;

use crate::http::ApiError;

/// A provider that is not configured on this deployment (a missing secret): 503, logged.
pub fn unavailable(what: &str, missing: &str) -> ApiError {
    worker::console_error!(
        "{}",
        serde_json::json!({"level": "error", "event": "payments_unconfigured", "missing": missing})
    );
    ApiError::new(503, "payments_unavailable", format!("{what} is not available right now"))
}

/// The provider refused or failed; the detail (never a secret) goes to the log only.
pub fn provider_failed(provider: &str, detail: &str) -> ApiError {
    worker::console_error!(
        "{}",
        serde_json::json!({"level": "error", "event": "payment_provider_failed", "provider": provider, "detail": detail})
    );
    ApiError::new(502, "payment_provider_error", format!("{provider} could not start the payment; try again later"))
}

/// Minor units (cents) to a decimal string: 2900 -> "29.00".
pub fn from_cents(cents: i64) -> String {
    Decimal::new(cents, 2).to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn cents_become_decimal_strings() {
        assert_eq!(super::from_cents(2900), "29.00");
        assert_eq!(super::from_cents(5), "0.05");
    }
}
