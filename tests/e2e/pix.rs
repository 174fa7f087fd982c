//! PIX plans end to end against the Mercado Pago stand-in: the charge sent, the QR code
//! returned; an approval read back from the API buys 30 days once (repeats add nothing, a second
//! payment extends); forged notifications are 400; the paid time lapses on the scheduled tick.

use std::time::Duration;

use auronex_e2e::standins::{mercadopago as mp, stripe};
use auronex_e2e::{standins, Account, Reply, Server};
use serde_json::{json, Value};

use crate::admin::admin;
use crate::payments::plan_of;

pub const TESTS: &[crate::Test] = &[
    ("pix::approval_buys_thirty_days_once", pix_approval_buys_thirty_days_once),
    ("pix::webhook_checks_its_signature", pix_webhook_checks_its_signature),
    ("pix::plan_lapses_on_the_tick", pix_plan_lapses_on_the_tick),
];

fn pix_create(server: &Server, account: &Account, plan: &str) -> Value {
    let reply =
        server.client().with_token(&account.access_token).post_json("/api/payments/pix/create", &json!({"plan": plan}));
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

fn notify(server: &Server, payment_id: u64, signature: Option<String>) -> Reply {
    let request_id = format!("req-{payment_id}-{}", std::process::id());
    let ts = (stripe::now() * 1000).to_string();
    let header = signature
        .unwrap_or_else(|| mp::signature_header(&payment_id.to_string(), &request_id, &ts, mp::WEBHOOK_SECRET));
    server.client().send(
        "POST",
        &format!("/api/payments/pix/webhook?data.id={payment_id}&type=payment"),
        Some(mp::notification(payment_id).into_bytes()),
        &[("content-type", "application/json"), ("x-signature", &header), ("x-request-id", &request_id)],
    )
}

fn expiry(server: &Server, account: &Account) -> String {
    let rows = server.d1_rows(&format!("SELECT expires_at FROM subscriptions WHERE user_id = '{}'", account.id()));
    rows[0]["expires_at"].as_str().unwrap().to_string()
}

fn pix_approval_buys_thirty_days_once(server: &Server) {
    let account = Account::register(&server.client(), "pix");
    let created = pix_create(server, &account, "premium");
    let payment_id: u64 = created["payment_id"].as_str().unwrap().parse().unwrap();
    assert!(created["qr_code"].as_str().unwrap().starts_with("000201"));
    assert!(!created["qr_code_base64"].as_str().unwrap().is_empty());
    assert!(created["expires_at"].is_string());
    let sent = standins()
        .received("mercadopago", |r| r.method == "POST" && r.json()["metadata"]["user_id"] == account.id())
        .pop()
        .unwrap();
    assert_eq!(sent.path, "/v1/payments");
    assert_eq!(sent.header("authorization"), Some(format!("Bearer {}", mp::ACCESS_TOKEN).as_str()));
    let body = sent.json();
    assert_eq!(
        (body["payment_method_id"].as_str(), body["payer"]["email"].as_str()),
        (Some("pix"), Some(account.email.as_str()))
    );
    assert!(body["transaction_amount"].as_f64().unwrap() > 0.0);
    assert_eq!(sent.header("x-idempotency-key"), body["external_reference"].as_str(), "one key per payment attempt");
    // Not paid yet: a notification changes nothing.
    assert_eq!(notify(server, payment_id, None).status, 200);
    assert_eq!(plan_of(server, &account), "free");
    standins().mercadopago.set_status(payment_id, "approved");
    let reply = notify(server, payment_id, None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(plan_of(server, &account), "premium");
    let got =
        standins().received("mercadopago", |r| r.method == "GET" && r.path == format!("/v1/payments/{payment_id}"));
    assert!(!got.is_empty(), "the status was read back from the API");
    let first_expiry = expiry(server, &account);
    let days = days_from_now(&first_expiry);
    assert!((29.9..30.1).contains(&days), "{first_expiry} is {days} days away");
    for _ in 0..2 {
        assert_eq!(notify(server, payment_id, None).status, 200);
    }
    assert_eq!(expiry(server, &account), first_expiry, "a repeated approval adds nothing");
    let payments =
        admin(server).get(&format!("/api/admin/payments?user_id={}&provider=mercadopago", account.id())).json();
    assert_eq!((payments["total"].as_u64(), payments["items"][0]["status"].as_str()), (Some(1), Some("paid")));
    assert_eq!(payments["items"][0]["currency"], "BRL");
    // A second payment for the same plan adds 30 days to the time left.
    let second: u64 = pix_create(server, &account, "premium")["payment_id"].as_str().unwrap().parse().unwrap();
    standins().mercadopago.set_status(second, "approved");
    assert_eq!(notify(server, second, None).status, 200);
    let days = days_from_now(&expiry(server, &account));
    assert!((59.9..60.1).contains(&days), "{days} days");
}

fn days_from_now(rfc3339: &str) -> f64 {
    let (date, time) = rfc3339.trim_end_matches('Z').split_once('T').unwrap();
    let parts: Vec<i64> = date.split('-').map(|p| p.parse().unwrap()).collect();
    let (y, m, d) = (parts[0], parts[1], parts[2]);
    // Days from civil (Howard Hinnant's algorithm), then seconds.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    let hms: Vec<f64> = time.split(':').map(|p| p.parse().unwrap()).collect();
    let secs = days as f64 * 86_400.0 + hms[0] * 3600.0 + hms[1] * 60.0 + hms[2];
    (secs - stripe::now() as f64) / 86_400.0
}

fn pix_webhook_checks_its_signature(server: &Server) {
    let account = Account::register(&server.client(), "pixsig");
    let payment_id: u64 = pix_create(server, &account, "pro")["payment_id"].as_str().unwrap().parse().unwrap();
    standins().mercadopago.set_status(payment_id, "approved");
    let ts = (stripe::now() * 1000).to_string();
    let forged = [
        mp::signature_header(&payment_id.to_string(), "req-x", &ts, "not-the-secret"),
        mp::signature_header(&(payment_id + 1).to_string(), "req-x", &ts, mp::WEBHOOK_SECRET),
        format!("ts={ts}"),
        String::new(),
    ];
    for header in forged {
        let reply = notify(server, payment_id, Some(header.clone()));
        assert_eq!((reply.status, reply.error_code().as_str()), (400, "invalid_signature"), "{header}");
    }
    assert_eq!(plan_of(server, &account), "free", "no forged notification had an effect");
    let unknown = notify(server, 999_999_999_001, None);
    assert_eq!(unknown.status, 200, "someone else's payment is acknowledged and ignored: {}", unknown.body);
    assert_eq!(notify(server, payment_id, None).status, 200);
    assert_eq!(plan_of(server, &account), "pro");
    let client = server.client().with_token(&account.access_token);
    assert_eq!(client.post_json("/api/payments/pix/create", &json!({"plan": "free"})).status, 422);
    assert_eq!(server.client().post_json("/api/payments/pix/create", &json!({"plan": "pro"})).status, 401);
}

fn pix_plan_lapses_on_the_tick(server: &Server) {
    let account = Account::register(&server.client(), "pixlapse");
    let payment_id: u64 = pix_create(server, &account, "pro")["payment_id"].as_str().unwrap().parse().unwrap();
    standins().mercadopago.set_status(payment_id, "approved");
    assert_eq!(notify(server, payment_id, None).status, 200);
    assert_eq!(plan_of(server, &account), "pro");
    server.d1_execute(&format!(
        "UPDATE subscriptions SET expires_at = '2020-01-01T00:00:00.000Z' WHERE user_id = '{}'",
        account.id()
    ));
    let tick = server.client().get("/__scheduled?cron=*+*+*+*+*");
    assert!(tick.status < 300, "{}", tick.body);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while plan_of(server, &account) != "free" {
        assert!(std::time::Instant::now() < deadline, "the plan did not lapse");
        std::thread::sleep(Duration::from_millis(200));
    }
    let rows = server.d1_rows(&format!("SELECT status FROM subscriptions WHERE user_id = '{}'", account.id()));
    assert_eq!(rows[0]["status"], "expired");
}
