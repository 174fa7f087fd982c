//! Paid plans end to end against the Stripe and Mercado Pago stand-ins: a checkout sends the
//! right form; a signed webhook upgrades the plan; wrong and stale signatures are 400; a
//! replayed event has no second effect; subscription changes keep, suspend or end the plan;
//! a PIX payment approved at Mercado Pago buys 30 days once, and they lapse on the tick.

use std::time::Duration;

use auronex_e2e::standins::{mercadopago as mp, stripe};
use auronex_e2e::{standins, Account, Client, Reply, Server};
use serde_json::{json, Value};

use crate::admin::admin;

pub const TESTS: &[crate::Test] = &[
    ("payments::checkout_sends_stripe_the_right_form", checkout_sends_stripe_the_right_form),
    ("payments::checkout_price_follows_the_settings", checkout_price_follows_the_settings),
    ("payments::signed_webhook_upgrades_once", signed_webhook_upgrades_once),
    ("payments::bad_signatures_are_400", bad_signatures_are_400),
    ("payments::subscription_changes_and_downgrade", subscription_changes_and_downgrade),
    ("payments::pix_approval_buys_thirty_days_once", pix_approval_buys_thirty_days_once),
    ("payments::pix_webhook_checks_its_signature", pix_webhook_checks_its_signature),
    ("payments::pix_plan_lapses_on_the_tick", pix_plan_lapses_on_the_tick),
];

fn plan_of(server: &Server, account: &Account) -> String {
    server.client().with_token(&account.access_token).get("/api/auth/me").json()["plan"].as_str().unwrap().to_string()
}

fn checkout(server: &Server, account: &Account, plan: &str) -> Value {
    let reply = server
        .client()
        .with_token(&account.access_token)
        .post_json("/api/payments/create-checkout", &json!({"plan": plan}));
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

fn post_stripe(client: &Client, payload: &str, header: &str) -> Reply {
    client.send(
        "POST",
        "/api/payments/webhook",
        Some(payload.as_bytes().to_vec()),
        &[("content-type", "application/json"), ("stripe-signature", header)],
    )
}

fn signed(client: &Client, payload: &str) -> Reply {
    post_stripe(client, payload, &stripe::signature_header(payload, stripe::now(), stripe::WEBHOOK_SECRET))
}

fn unique(prefix: &str, account: &Account) -> String {
    format!("{prefix}_{}_{}", account.id(), std::process::id())
}

fn checkout_sends_stripe_the_right_form(server: &Server) {
    let account = Account::register(&server.client(), "checkout");
    let session = checkout(server, &account, "pro");
    let session_id = session["session_id"].as_str().unwrap();
    assert!(session_id.starts_with("cs_test_"));
    assert_eq!(session["url"], format!("https://checkout.stripe.com/c/pay/{session_id}"));
    let sent = standins()
        .received("stripe", |r| r.form_value("client_reference_id").as_deref() == Some(account.id()))
        .pop()
        .expect("Stripe got the request");
    assert_eq!((sent.method.as_str(), sent.path.as_str()), ("POST", "/v1/checkout/sessions"));
    assert_eq!(sent.header("authorization"), Some(format!("Bearer {}", stripe::SECRET_KEY).as_str()));
    assert!(sent.header("content-type").unwrap().starts_with("application/x-www-form-urlencoded"));
    assert!(sent.header("idempotency-key").is_some_and(|k| k.len() >= 16));
    assert!(
        sent.body.contains("line_items%5B0%5D%5Bprice_data%5D%5Bcurrency%5D=usd"),
        "bracket notation: {}",
        sent.body
    );
    let form = |key: &str| sent.form_value(key).unwrap_or_default();
    assert_eq!(form("mode"), "subscription");
    assert_eq!(form("line_items[0][quantity]"), "1");
    assert_eq!(form("line_items[0][price_data][recurring][interval]"), "month");
    assert_eq!(form("line_items[0][price_data][product_data][name]"), "Auronex Pro");
    assert!(form("line_items[0][price_data][unit_amount]").parse::<i64>().unwrap() > 0);
    assert_eq!(form("metadata[user_id]"), account.id());
    assert_eq!(form("metadata[plan]"), "pro");
    assert_eq!(form("subscription_data[metadata][user_id]"), account.id());
    assert_eq!(form("customer_email"), account.email);
    assert!(form("success_url").contains("{CHECKOUT_SESSION_ID}"));
    let payments = admin(server).get(&format!("/api/admin/payments?user_id={}", account.id())).json();
    assert_eq!(payments["total"], 1);
    assert_eq!(
        (payments["items"][0]["status"].as_str(), payments["items"][0]["provider_ref"].as_str()),
        (Some("pending"), Some(session_id))
    );
    assert_eq!(payments["items"][0]["user_email"], account.email);
    let client = server.client().with_token(&account.access_token);
    for plan in ["free", "gold", ""] {
        let reply = client.post_json("/api/payments/create-checkout", &json!({"plan": plan}));
        assert_eq!((reply.status, reply.json()["error"]["field"].as_str()), (422, Some("plan")), "{plan}");
    }
    assert_eq!(server.client().post_json("/api/payments/create-checkout", &json!({"plan": "pro"})).status, 401);
    assert_eq!(plan_of(server, &account), "free", "creating a checkout changes nothing yet");
}

fn checkout_price_follows_the_settings(server: &Server) {
    let admin = admin(server);
    let account = Account::register(&server.client(), "price");
    let amount = |server: &Server| {
        checkout(server, &account, "premium");
        let sent = standins()
            .received("stripe", |r| r.form_value("client_reference_id").as_deref() == Some(account.id()))
            .pop()
            .unwrap();
        sent.form_value("line_items[0][price_data][unit_amount]").unwrap()
    };
    let defaults = admin.get("/api/admin/settings").json()["plan_prices"].clone();
    assert_eq!(defaults["premium"]["usd"], 59.0);
    assert_eq!(amount(server), "5900", "premium is $59 by default");
    let changed = json!({"plan_prices": {"pro": {"usd": 29, "brl": 149}, "premium": {"usd": "64.90", "brl": 329}}});
    assert_eq!(admin.put_json("/api/admin/settings", &changed).status, 200);
    let new_amount = amount(server);
    assert_eq!(admin.put_json("/api/admin/settings", &json!({"plan_prices": defaults})).status, 200);
    assert_eq!(new_amount, "6490");
}

fn signed_webhook_upgrades_once(server: &Server) {
    let account = Account::register(&server.client(), "webhook");
    let session = checkout(server, &account, "premium");
    let session_id = session["session_id"].as_str().unwrap();
    let (event_id, subscription) = (unique("evt", &account), unique("sub", &account));
    let payload = stripe::checkout_completed(&event_id, session_id, account.id(), "premium", &subscription);
    let reply = signed(&server.client(), &payload);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["duplicate"], false);
    assert_eq!(plan_of(server, &account), "premium", "the same token sees the new plan");
    let admin = admin(server);
    let payments = admin.get(&format!("/api/admin/payments?user_id={}", account.id())).json();
    assert_eq!(payments["total"], 1);
    assert_eq!(
        (payments["items"][0]["status"].as_str(), payments["items"][0]["amount"].as_f64()),
        (Some("paid"), Some(59.0))
    );
    // The same event again (Stripe retries) and a second event about the same session.
    let again = signed(&server.client(), &payload);
    assert_eq!((again.status, again.json()["duplicate"].as_bool()), (200, Some(true)));
    let other_event =
        stripe::checkout_completed(&format!("{event_id}b"), session_id, account.id(), "premium", &subscription);
    assert_eq!(signed(&server.client(), &other_event).status, 200);
    assert_eq!(
        admin.get(&format!("/api/admin/payments?user_id={}", account.id())).json()["total"],
        1,
        "no second payment"
    );
    let rows = server.d1_rows(&format!(
        "SELECT (SELECT count(*) FROM webhook_events WHERE event_id = '{event_id}') AS events, \
         (SELECT count(*) FROM subscriptions WHERE user_id = '{0}') AS subscriptions, \
         (SELECT stripe_subscription_id FROM subscriptions WHERE user_id = '{0}') AS sub",
        account.id()
    ));
    assert_eq!(rows[0], json!({"events": 1, "subscriptions": 1, "sub": subscription}));
}

fn bad_signatures_are_400(server: &Server) {
    let account = Account::register(&server.client(), "badsig");
    let session = checkout(server, &account, "pro");
    let payload = stripe::checkout_completed(
        &unique("evt", &account),
        session["session_id"].as_str().unwrap(),
        account.id(),
        "pro",
        &unique("sub", &account),
    );
    let now = stripe::now();
    let client = server.client();
    let cases = [
        (stripe::signature_header(&payload, now, "whsec_someone_else"), "invalid_signature"),
        (stripe::signature_header(&payload, now - 301, stripe::WEBHOOK_SECRET), "stale_signature"),
        (stripe::signature_header(&payload, now + 400, stripe::WEBHOOK_SECRET), "stale_signature"),
        (
            stripe::signature_header(&payload.replace("pro", "premium"), now, stripe::WEBHOOK_SECRET),
            "invalid_signature",
        ),
        (format!("t={now}"), "invalid_signature"),
        ("".to_string(), "invalid_signature"),
    ];
    for (header, code) in cases {
        let reply = post_stripe(&client, &payload, &header);
        assert_eq!(reply.status, 400, "{header}: {}", reply.body);
        assert_eq!(reply.error_code(), code, "{header}");
    }
    let garbage = "not an event";
    let reply = signed(&client, garbage);
    assert_eq!((reply.status, reply.error_code().as_str()), (400, "invalid_event"));
    assert_eq!(plan_of(server, &account), "free", "nothing unverified had an effect");
    // The refused deliveries did not burn the event id: the genuine one still works.
    assert_eq!(signed(&client, &payload).json()["duplicate"], false);
    assert_eq!(plan_of(server, &account), "pro");
}

fn subscription_changes_and_downgrade(server: &Server) {
    let account = Account::register(&server.client(), "downgrade");
    let session = checkout(server, &account, "pro");
    let subscription = unique("sub", &account);
    let event = |n: u32| format!("{}_{n}", unique("evt", &account));
    let client = server.client();
    let completed = stripe::checkout_completed(
        &event(0),
        session["session_id"].as_str().unwrap(),
        account.id(),
        "pro",
        &subscription,
    );
    assert_eq!(signed(&client, &completed).status, 200);
    assert_eq!(plan_of(server, &account), "pro");
    let again = server
        .client()
        .with_token(&account.access_token)
        .post_json("/api/payments/create-checkout", &json!({"plan": "premium"}));
    assert_eq!((again.status, again.error_code().as_str()), (409, "subscription_exists"));
    let past_due = stripe::subscription_event(&event(1), false, &subscription, account.id(), "pro", "past_due");
    assert_eq!(signed(&client, &past_due).status, 200);
    assert_eq!(plan_of(server, &account), "pro", "Stripe is retrying: the plan stays");
    let invoice = stripe::invoice_failed(&event(2), &unique("in", &account), &subscription, account.id(), "pro");
    assert_eq!(signed(&client, &invoice).status, 200);
    let failed = admin(server).get(&format!("/api/admin/payments?user_id={}&status=failed", account.id())).json();
    assert_eq!((failed["total"].as_u64(), failed["items"][0]["kind"].as_str()), (Some(1), Some("invoice")));
    let upgraded = stripe::subscription_event(&event(3), false, &subscription, account.id(), "premium", "active");
    assert_eq!(signed(&client, &upgraded).status, 200);
    assert_eq!(plan_of(server, &account), "premium");
    let deleted = stripe::subscription_event(&event(4), true, &subscription, account.id(), "premium", "canceled");
    assert_eq!(signed(&client, &deleted).status, 200);
    assert_eq!(plan_of(server, &account), "free", "a canceled subscription ends the plan at once");
    server
        .wait_for_log_line(Duration::from_secs(10), |l| l.contains("plan_downgrade") && l.contains(account.id()))
        .expect("the downgrade hook ran");
    // Stripe does not promise order: an older "active" arriving after the deletion, or the
    // checkout event again under a new id, must not bring the plan back.
    let late = stripe::subscription_event(&event(5), false, &subscription, account.id(), "premium", "active");
    assert_eq!(signed(&client, &late).status, 200);
    let late_checkout = stripe::checkout_completed(
        &event(6),
        session["session_id"].as_str().unwrap(),
        account.id(),
        "pro",
        &subscription,
    );
    assert_eq!(signed(&client, &late_checkout).status, 200);
    assert_eq!(plan_of(server, &account), "free");
    let sub = server.d1_rows(&format!("SELECT status FROM subscriptions WHERE user_id = '{}'", account.id()));
    assert_eq!(sub[0]["status"], "canceled", "a canceled subscription stays canceled");
}

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
    server.d1(&format!(
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
