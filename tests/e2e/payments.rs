//! Card plans end to end against the Stripe stand-in: a checkout sends the right form; a signed
//! webhook upgrades the plan; wrong and stale signatures are 400; a replayed event has no second
//! effect; subscription changes keep, suspend or end the plan, whatever order events arrive in.

use std::time::Duration;

use auronex_e2e::standins::stripe;
use auronex_e2e::{standins, Account, Client, Reply, Server};
use serde_json::{json, Value};

use crate::admin::admin;

pub const TESTS: &[crate::Test] = &[
    ("payments::checkout_sends_stripe_the_right_form", checkout_sends_stripe_the_right_form),
    ("payments::checkout_price_follows_the_settings", checkout_price_follows_the_settings),
    ("payments::signed_webhook_upgrades_once", signed_webhook_upgrades_once),
    ("payments::bad_signatures_are_400", bad_signatures_are_400),
    ("payments::subscription_changes_and_downgrade", subscription_changes_and_downgrade),
];

pub fn plan_of(server: &Server, account: &Account) -> String {
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
