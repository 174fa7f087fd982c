//! Mercado Pago stand-in: `POST /v1/payments` for PIX (bearer access token, `X-Idempotency-Key`
//! honoured, the documented payment document with `point_of_interaction.transaction_data`) and
//! `GET /v1/payments/{id}`; tests move a payment to `approved` the way a payer would (and to
//! `refunded` or `charged_back` as a refund or a chargeback would), and sign
//! notifications the way Mercado Pago does (`x-signature: ts=...,v1=...`).

use std::collections::HashMap;
use std::sync::Mutex;

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::{Recorded, Reply};

pub const ACCESS_TOKEN: &str = "TEST-0000000000000000-112300-e2eauronexmercadopagotoken00-000000000";
pub const WEBHOOK_SECRET: &str = "e2e-mercadopago-webhook-secret-0000000000";

const CREATED: &str = include_str!("../../../worker/fixtures/mercadopago/payment_pix_created.json");

#[derive(Default)]
pub struct MercadoPago {
    payments: Mutex<HashMap<u64, Value>>,
    by_idempotency_key: Mutex<HashMap<String, u64>>,
    next_id: Mutex<u64>,
}

fn error(status: u16, error: &str, message: &str) -> Reply {
    Reply::json(status, json!({"message": message, "error": error, "status": status, "cause": []}))
}

impl MercadoPago {
    pub fn handle(&self, request: &Recorded) -> Reply {
        if request.header("authorization") != Some(&format!("Bearer {ACCESS_TOKEN}")) {
            return error(401, "unauthorized", "invalid access token");
        }
        match (request.method.as_str(), request.path.as_str()) {
            ("POST", "/v1/payments") => self.create(request),
            ("GET", path) => match path.strip_prefix("/v1/payments/").and_then(|id| id.parse::<u64>().ok()) {
                Some(id) => match self.payments.lock().unwrap().get(&id) {
                    Some(payment) => Reply::json(200, payment.clone()),
                    None => error(404, "not_found", "Payment not found"),
                },
                None => error(404, "not_found", "resource not found"),
            },
            _ => error(404, "not_found", "resource not found"),
        }
    }

    fn create(&self, request: &Recorded) -> Reply {
        let Some(key) = request.header("x-idempotency-key").map(str::to_string) else {
            return error(400, "bad_request", "Header X-Idempotency-Key can't be null");
        };
        if let Some(id) = self.by_idempotency_key.lock().unwrap().get(&key) {
            return Reply::json(201, self.payments.lock().unwrap()[id].clone());
        }
        let body = request.json();
        if body["payment_method_id"] != "pix" || !body["transaction_amount"].as_f64().is_some_and(|a| a > 0.0) {
            return error(400, "bad_request", "invalid payment_method_id or transaction_amount");
        }
        if !body["payer"]["email"].is_string() {
            return error(400, "bad_request", "payer.email must not be null");
        }
        let id = {
            let mut next = self.next_id.lock().unwrap();
            *next += 1;
            1_325_410_000 + *next + u64::from(std::process::id() % 1000) * 1000
        };
        let mut payment: Value = serde_json::from_str(CREATED).unwrap();
        payment["id"] = id.into();
        payment["transaction_amount"] = body["transaction_amount"].clone();
        payment["transaction_details"]["total_paid_amount"] = body["transaction_amount"].clone();
        payment["description"] = body["description"].clone();
        payment["external_reference"] = body["external_reference"].clone();
        payment["metadata"] = body["metadata"].clone();
        payment["payer"]["email"] = body["payer"]["email"].clone();
        payment["date_of_expiration"] = body["date_of_expiration"].clone();
        payment["point_of_interaction"]["transaction_data"]["ticket_url"] =
            format!("https://www.mercadopago.com.br/payments/{id}/ticket").into();
        self.payments.lock().unwrap().insert(id, payment.clone());
        self.by_idempotency_key.lock().unwrap().insert(key, id);
        Reply::json(201, payment)
    }

    /// What happens at Mercado Pago when the payer pays (or the code expires): the status moves.
    pub fn set_status(&self, id: u64, status: &str) {
        let mut payments = self.payments.lock().unwrap();
        let payment = payments.get_mut(&id).expect("a payment the stand-in created");
        payment["status"] = status.into();
        match status {
            "approved" => {
                payment["status_detail"] = "accredited".into();
                payment["date_approved"] = "2026-11-23T10:05:12.000-04:00".into();
            }
            // As `payment_pix_refunded.json`: the whole amount back, one refund in `refunds`.
            "refunded" => {
                let amount = payment["transaction_amount"].clone();
                payment["status_detail"] = "refunded".into();
                payment["transaction_amount_refunded"] = amount.clone();
                payment["refunds"] = json!([{"id": id + 1_000_000_000, "payment_id": id, "amount": amount,
                                             "status": "approved", "refund_mode": "standard",
                                             "date_created": "2026-11-25T09:12:39.000-04:00"}]);
            }
            // As `payment_pix_charged_back.json`: the money retained after the chargeback.
            "charged_back" => payment["status_detail"] = "settled".into(),
            _ => {}
        }
    }

    pub fn payment(&self, id: u64) -> Option<Value> {
        self.payments.lock().unwrap().get(&id).cloned()
    }
}

/// `x-signature` for a notification about `data_id`, as Mercado Pago signs it.
pub fn signature_header(data_id: &str, request_id: &str, ts: &str, secret: &str) -> String {
    let manifest = format!("id:{};request-id:{request_id};ts:{ts};", data_id.to_lowercase());
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(manifest.as_bytes());
    let v1: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
    format!("ts={ts},v1={v1}")
}

/// The notification body for payment `id` (the documented shape).
pub fn notification(id: u64) -> String {
    json!({
        "id": 12345, "live_mode": false, "type": "payment", "date_created": "2026-11-23T10:05:13.396-04:00",
        "user_id": 44444, "api_version": "v1", "action": "payment.updated", "data": {"id": id.to_string()}
    })
    .to_string()
}
