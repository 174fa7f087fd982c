//! Mercado Pago (PIX), pure: the `POST /v1/payments` request for a PIX charge, the payment
//! document it and `GET /v1/payments/{id}` answer with, and the webhook `x-signature` check
//! (hex HMAC-SHA256 of `id:{data.id};request-id:{x-request-id};ts:{ts};`).

use serde::{Deserialize, Serialize};

use crate::http::outbound::{join, Outbound};
use crate::venues::sign::{hex_digest_matches, hmac_sha256_hex};

/// How long a PIX code can be paid.
pub const PIX_VALID_MINUTES: i64 = 30;

pub struct PixOrder<'a> {
    pub reference: &'a str,
    pub user_id: &'a str,
    pub email: &'a str,
    pub plan: &'a str,
    pub description: &'a str,
    pub amount: f64,
    /// `yyyy-MM-ddTHH:mm:ss.SSS±hh:mm`, as Mercado Pago documents `date_of_expiration`.
    pub expires_at: &'a str,
    pub notification_url: Option<&'a str>,
}

#[derive(Serialize)]
struct PaymentBody<'a> {
    transaction_amount: f64,
    description: &'a str,
    payment_method_id: &'static str,
    payer: Payer<'a>,
    external_reference: &'a str,
    date_of_expiration: &'a str,
    metadata: Metadata<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    notification_url: Option<&'a str>,
}

#[derive(Serialize)]
struct Payer<'a> {
    email: &'a str,
}

#[derive(Serialize)]
struct Metadata<'a> {
    user_id: &'a str,
    plan: &'a str,
}

/// `POST /v1/payments`; the reference (our payment id) is also the idempotency key, so a retry
/// of the same attempt cannot charge twice.
pub fn create_request(base_url: &str, access_token: &str, order: &PixOrder<'_>) -> Outbound {
    let body = PaymentBody {
        transaction_amount: order.amount,
        description: order.description,
        payment_method_id: "pix",
        payer: Payer { email: order.email },
        external_reference: order.reference,
        date_of_expiration: order.expires_at,
        metadata: Metadata { user_id: order.user_id, plan: order.plan },
        notification_url: order.notification_url,
    };
    let json = serde_json::to_string(&body).unwrap_or_default();
    Outbound::post(join(base_url, "/v1/payments"), "application/json", json)
        .header("authorization", format!("Bearer {access_token}"))
        .header("x-idempotency-key", order.reference.to_string())
}

pub fn get_request(base_url: &str, access_token: &str, payment_id: &str) -> Outbound {
    Outbound::get(join(base_url, &format!("/v1/payments/{payment_id}")))
        .header("authorization", format!("Bearer {access_token}"))
}

#[derive(Debug, Deserialize)]
pub struct Payment {
    pub id: u64,
    pub status: String,
    #[serde(default)]
    pub transaction_amount: f64,
    #[serde(default)]
    pub currency_id: String,
    #[serde(default)]
    pub external_reference: Option<String>,
    #[serde(default)]
    pub date_of_expiration: Option<String>,
    #[serde(default)]
    pub point_of_interaction: Option<PointOfInteraction>,
}

#[derive(Debug, Deserialize)]
pub struct PointOfInteraction {
    pub transaction_data: Option<TransactionData>,
}

#[derive(Debug, Deserialize)]
pub struct TransactionData {
    pub qr_code: Option<String>,
    pub qr_code_base64: Option<String>,
    pub ticket_url: Option<String>,
}

impl Payment {
    pub fn transaction_data(&self) -> Option<&TransactionData> {
        self.point_of_interaction.as_ref()?.transaction_data.as_ref()
    }
}

/// What a Mercado Pago payment status means for our payment row. `in_mediation` (a dispute
/// Mercado Pago has not decided) changes nothing until it ends `charged_back` or back at
/// `approved`.
pub fn row_status(status: &str) -> &'static str {
    match status {
        "approved" => "paid",
        "rejected" => "failed",
        "cancelled" => "canceled",
        "refunded" => "refunded",
        "charged_back" => "charged_back",
        _ => "pending",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    Malformed,
    Mismatch,
}

/// The signed manifest. Parts absent from the notification are left out, as documented;
/// an alphanumeric `data.id` is lower-cased.
pub fn manifest(data_id: Option<&str>, request_id: Option<&str>, ts: &str) -> String {
    let mut manifest = String::new();
    if let Some(id) = data_id.filter(|id| !id.is_empty()) {
        let id = if id.chars().all(|c| c.is_ascii_alphanumeric()) { id.to_ascii_lowercase() } else { id.to_string() };
        manifest.push_str(&format!("id:{id};"));
    }
    if let Some(request_id) = request_id.filter(|id| !id.is_empty()) {
        manifest.push_str(&format!("request-id:{request_id};"));
    }
    manifest.push_str(&format!("ts:{ts};"));
    manifest
}

/// Verifies `x-signature: ts=...,v1=...` for a notification about `data_id`.
pub fn verify_signature(
    header: &str,
    data_id: Option<&str>,
    request_id: Option<&str>,
    secret: &str,
) -> Result<(), SignatureError> {
    let (mut ts, mut v1) = (None, None);
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("ts", value)) => ts = Some(value.trim()),
            Some(("v1", value)) => v1 = Some(value.trim()),
            _ => {}
        }
    }
    let (ts, v1) = (ts.filter(|t| !t.is_empty()), v1.filter(|v| !v.is_empty()));
    let (Some(ts), Some(v1)) = (ts, v1) else { return Err(SignatureError::Malformed) };
    let expected = hmac_sha256_hex(secret.as_bytes(), manifest(data_id, request_id, ts).as_bytes());
    if hex_digest_matches(&expected, v1) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "mp-secret";
    const REQUEST_ID: &str = "bb56a2f1-6aae-46ac-982e-9dcd3581d08e";
    /// Computed independently with Python's `hmac` over
    /// `id:123456;request-id:bb56a2f1-6aae-46ac-982e-9dcd3581d08e;ts:1742505638683;`.
    const V1: &str = "15732a6b94605d0d7d874cceeaa6ff344d887e7014e7e891422c766884db39f8";

    #[test]
    fn the_documented_manifest() {
        assert_eq!(
            manifest(Some("123456"), Some(REQUEST_ID), "1742505638683"),
            "id:123456;request-id:bb56a2f1-6aae-46ac-982e-9dcd3581d08e;ts:1742505638683;"
        );
        assert_eq!(manifest(Some("ABC123"), None, "1"), "id:abc123;ts:1;");
    }

    #[test]
    fn signatures_verify_and_fail_closed() {
        let header = format!("ts=1742505638683,v1={V1}");
        assert_eq!(verify_signature(&header, Some("123456"), Some(REQUEST_ID), SECRET), Ok(()));
        assert_eq!(verify_signature(&header, Some("123457"), Some(REQUEST_ID), SECRET), Err(SignatureError::Mismatch));
        assert_eq!(verify_signature(&header, Some("123456"), None, SECRET), Err(SignatureError::Mismatch));
        assert_eq!(verify_signature(&header, Some("123456"), Some(REQUEST_ID), "other"), Err(SignatureError::Mismatch));
        // Python: hmac.new(b"mp-secret", b"id:abc123;ts:1742505638683;", sha256)
        let upper = "ts=1742505638683,v1=064e3ff9834c185d74a05a719cc72e5ab7ccab021c18d9795eb30dcebe7fc2ec";
        assert_eq!(verify_signature(upper, Some("ABC123"), None, SECRET), Ok(()));
        for bad in ["", "ts=1", &format!("v1={V1}"), "ts=,v1=", "garbage"] {
            assert_eq!(verify_signature(bad, Some("123456"), Some(REQUEST_ID), SECRET), Err(SignatureError::Malformed));
        }
    }

    #[test]
    fn the_create_request_is_a_pix_payment_with_an_idempotency_key() {
        let order = PixOrder {
            reference: "pay-1",
            user_id: "u-1",
            email: "ana@example.com",
            plan: "pro",
            description: "Auronex Pro (30 days)",
            amount: 149.0,
            expires_at: "2026-11-23T14:30:00.000+00:00",
            notification_url: None,
        };
        let request = create_request("https://api.mercadopago.com/", "TEST-token", &order);
        assert_eq!(request.url, "https://api.mercadopago.com/v1/payments");
        let body: serde_json::Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
        assert_eq!(body["payment_method_id"], "pix");
        assert_eq!(body["transaction_amount"], 149.0);
        assert_eq!(body["payer"]["email"], "ana@example.com");
        assert_eq!(body["metadata"]["user_id"], "u-1");
        assert!(body.get("notification_url").is_none());
        assert!(request.headers.contains(&("x-idempotency-key", "pay-1".into())));
        assert!(request.headers.contains(&("authorization", "Bearer TEST-token".into())));
    }

    #[test]
    fn reads_created_and_approved_payments() {
        let created: Payment =
            serde_json::from_str(include_str!("../../fixtures/mercadopago/payment_pix_created.json")).unwrap();
        assert_eq!((created.id, created.status.as_str()), (1_325_410_891, "pending"));
        let data = created.transaction_data().unwrap();
        assert!(data.qr_code.as_deref().unwrap().starts_with("000201"));
        assert!(data.qr_code_base64.is_some());
        let approved: Payment =
            serde_json::from_str(include_str!("../../fixtures/mercadopago/payment_pix_approved.json")).unwrap();
        assert_eq!(row_status(&approved.status), "paid");
        assert_eq!((approved.transaction_amount, approved.currency_id.as_str()), (149.0, "BRL"));
        let notification: serde_json::Value =
            serde_json::from_str(include_str!("../../fixtures/mercadopago/webhook_payment.json")).unwrap();
        assert_eq!(notification["data"]["id"], "1325410891");
    }

    #[test]
    fn statuses_map_to_rows() {
        assert_eq!(row_status("pending"), "pending");
        assert_eq!(row_status("in_process"), "pending");
        assert_eq!(row_status("rejected"), "failed");
        assert_eq!(row_status("cancelled"), "canceled");
        assert_eq!(row_status("in_mediation"), "pending");
    }

    #[test]
    fn reads_refunded_and_charged_back_payments() {
        let refunded: Payment =
            serde_json::from_str(include_str!("../../fixtures/mercadopago/payment_pix_refunded.json")).unwrap();
        assert_eq!((refunded.id, row_status(&refunded.status)), (1_325_410_891, "refunded"));
        let charged_back: Payment =
            serde_json::from_str(include_str!("../../fixtures/mercadopago/payment_pix_charged_back.json")).unwrap();
        assert_eq!(row_status(&charged_back.status), "charged_back");
        assert_eq!(charged_back.external_reference.as_deref(), Some("9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"));
    }
}
