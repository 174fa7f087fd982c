//! Card plans end to end against the Stripe stand-in: a checkout sends the right form; a signed
//! webhook upgrades the plan; wrong and stale signatures are 400; a replayed event has no second
//! effect; subscription changes keep, suspend or end the plan, whatever order events arrive in;
//! an event whose commit fails leaves nothing behind and its retry lands exactly once; a full
//! refund and a dispute end the plan and cancel the subscription at Stripe.

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
    ("payments::failed_commit_then_retry_applies_once", failed_commit_then_retry_applies_once),
    ("payments::refund_ends_the_plan", refund_ends_the_plan),
    ("payments::chargeback_ends_the_plan", chargeback_ends_the_plan),
];

pub fn plan_of(server: &Server, account: &Account) -> String {
    server.client().with_token(&account.access_token).get("/api/auth/me").json()["plan"].as_str().unwrap().to_string()
}

pub fn checkout(server: &Server, account: &Account, plan: &str) -> Value {
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

pub fn signed(client: &Client, payload: &str) -> Reply {
    post_stripe(client, payload, &stripe::signature_header(payload, stripe::now(), stripe::WEBHOOK_SECRET))
}

/// Now as the API writes times (RFC 3339, UTC, milliseconds, `Z`), for comparing with them.
pub fn iso_now() -> String {
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let at = chrono::DateTime::from_timestamp_millis(ms).unwrap();
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn unique(prefix: &str, account: &Account) -> String {
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

/// Counts every change of `account`'s plan from now on, in a table of the test's own kept by a
/// trigger: a change in a batch that rolls back is not counted.
pub fn count_plan_changes(server: &Server, account: &Account) {
    let id = account.id();
    server.d1_execute(&format!(
        "CREATE TABLE IF NOT EXISTS e2e_plan_changes (user_id TEXT NOT NULL, plan TEXT NOT NULL); \
         CREATE TRIGGER e2e_count_{id} AFTER UPDATE OF plan ON users WHEN NEW.id = '{id}' AND NEW.plan != OLD.plan \
         BEGIN INSERT INTO e2e_plan_changes (user_id, plan) VALUES (NEW.id, NEW.plan); END;"
    ));
}

pub fn plan_changes(server: &Server, account: &Account) -> Vec<String> {
    let rows = server.d1_rows(&format!("SELECT plan FROM e2e_plan_changes WHERE user_id = '{}'", account.id()));
    rows.iter().map(|row| row["plan"].as_str().unwrap().to_string()).collect()
}

/// A fault injected into the server's D1: from now on, any statement that writes `table`'s
/// row of `account` fails (a trigger that RAISEs), as a crash in the middle of the work would.
pub fn fail_writes(server: &Server, account: &Account, table: &str, column: &str) -> String {
    let name = format!("e2e_fail_{table}_{}", account.id());
    for (when, on) in [("INSERT", format!("NEW.{column}")), ("UPDATE", format!("NEW.{column}"))] {
        server.d1_execute(&format!(
            "CREATE TRIGGER {name}_{when} BEFORE {when} ON {table} WHEN {on} = '{}' \
             BEGIN SELECT RAISE(ABORT, 'injected fault'); END;",
            account.id()
        ));
    }
    name
}

pub fn heal(server: &Server, fault: &str) {
    server.d1_execute(&format!("DROP TRIGGER {fault}_INSERT; DROP TRIGGER {fault}_UPDATE;"));
}

fn failed_commit_then_retry_applies_once(server: &Server) {
    let account = Account::register(&server.client(), "atomic");
    let session = checkout(server, &account, "premium");
    let session_id = session["session_id"].as_str().unwrap();
    let (event_id, subscription) = (unique("evt", &account), unique("sub", &account));
    let payload = stripe::checkout_completed(&event_id, session_id, account.id(), "premium", &subscription);
    count_plan_changes(server, &account);
    // The plan change is the last statement of the event's batch: the payment row, the
    // subscription row and the marker before it have all run when it fails.
    let fault = fail_writes(server, &account, "users", "id");
    let client = server.client();
    let failed = signed(&client, &payload);
    assert_eq!(failed.status, 500, "Stripe is told to retry: {}", failed.body);
    let state = |server: &Server| {
        server.d1_rows(&format!(
            "SELECT (SELECT plan FROM users WHERE id = '{0}') AS plan, \
             (SELECT group_concat(status) FROM payments WHERE user_id = '{0}') AS payments, \
             (SELECT count(*) FROM subscriptions WHERE user_id = '{0}') AS subscriptions, \
             (SELECT count(*) FROM webhook_events WHERE event_id = '{event_id}') AS events",
            account.id()
        ))[0]
            .clone()
    };
    assert_eq!(
        state(server),
        json!({"plan": "free", "payments": "pending", "subscriptions": 0, "events": 0}),
        "nothing of the event is left half applied"
    );
    heal(server, &fault);
    let retried = signed(&client, &payload);
    assert_eq!((retried.status, retried.json()["duplicate"].as_bool()), (200, Some(false)), "{}", retried.body);
    assert_eq!(state(server), json!({"plan": "premium", "payments": "paid", "subscriptions": 1, "events": 1}));
    let again = signed(&client, &payload);
    assert_eq!((again.status, again.json()["duplicate"].as_bool()), (200, Some(true)));
    assert_eq!(plan_changes(server, &account), ["premium"], "one plan change");
    let payments = admin(server).get(&format!("/api/admin/payments?user_id={}", account.id())).json();
    assert_eq!((payments["total"].as_u64(), payments["items"][0]["status"].as_str()), (Some(1), Some("paid")));
}

/// A paid card subscription: checkout, the subscription and its charge at Stripe, the event.
pub fn subscribed(server: &Server, account: &Account, plan: &str) -> (String, String) {
    let session = checkout(server, account, plan);
    let (subscription, charge) = (unique("sub", account), unique("ch", account));
    standins().stripe.subscribe(&subscription, &stripe::customer_of(account.id()), &charge, account.id(), plan);
    let completed = stripe::checkout_completed(
        &unique("evt_paid", account),
        session["session_id"].as_str().unwrap(),
        account.id(),
        plan,
        &subscription,
    );
    assert_eq!(signed(&server.client(), &completed).status, 200);
    assert_eq!(plan_of(server, account), plan);
    (subscription, charge)
}

fn subscription_row(server: &Server, account: &Account) -> Value {
    server
        .d1_rows(&format!("SELECT status, cancel_at_period_end FROM subscriptions WHERE user_id = '{}'", account.id()))
        [0]
    .clone()
}

fn refund_ends_the_plan(server: &Server) {
    let account = Account::register(&server.client(), "refund");
    let (subscription, charge) = subscribed(server, &account, "pro");
    let customer = stripe::customer_of(account.id());
    let client = server.client();
    let partial = stripe::charge_refunded(&unique("evt_part", &account), &charge, &customer, 2900, 1000);
    assert_eq!(signed(&client, &partial).status, 200);
    assert_eq!(plan_of(server, &account), "pro", "a partial refund is recorded and the plan stays");
    let refunds = |server: &Server| {
        admin(server).get(&format!("/api/admin/payments?user_id={}&status=refunded", account.id())).json()
    };
    let listed = refunds(server);
    assert_eq!((listed["total"].as_u64(), listed["items"][0]["amount"].as_f64()), (Some(1), Some(10.0)));
    assert_eq!(listed["items"][0]["kind"], "refund");
    let full = stripe::charge_refunded(&unique("evt_full", &account), &charge, &customer, 2900, 2900);
    let reply = signed(&client, &full);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(plan_of(server, &account), "free", "a full refund ends the plan at once");
    server
        .wait_for_log_line(Duration::from_secs(10), |l| l.contains("plan_downgrade") && l.contains(account.id()))
        .expect("the downgrade stopped the bots over the free limit");
    assert_eq!(subscription_row(server, &account)["status"], "refunded");
    assert_eq!(standins().stripe.subscription(&subscription).unwrap()["status"], "canceled", "no further charge");
    let listed = refunds(server);
    assert_eq!(
        (listed["total"].as_u64(), listed["items"][0]["amount"].as_f64()),
        (Some(1), Some(29.0)),
        "one row per charge"
    );
    // Stripe's retry of the refund, and an older "active" arriving late, change nothing.
    assert_eq!(signed(&client, &full).json()["duplicate"], true);
    let late =
        stripe::subscription_event(&unique("evt_late", &account), false, &subscription, account.id(), "pro", "active");
    assert_eq!(signed(&client, &late).status, 200);
    assert_eq!(plan_of(server, &account), "free");
    let cancels = standins().received("stripe", |r| r.method == "DELETE" && r.path.ends_with(&subscription));
    assert_eq!(cancels.len(), 1, "cancelled at Stripe once");
}

fn chargeback_ends_the_plan(server: &Server) {
    let account = Account::register(&server.client(), "dispute");
    let (subscription, charge) = subscribed(server, &account, "premium");
    let dispute = unique("du", &account);
    let event = stripe::dispute_created(&unique("evt_du", &account), &dispute, &charge, 5900);
    let reply = signed(&server.client(), &event);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let read = standins().received("stripe", |r| r.method == "GET" && r.path == format!("/v1/charges/{charge}"));
    assert_eq!(read.len(), 1, "the disputed charge was read to find its customer");
    assert_eq!(plan_of(server, &account), "free", "a chargeback ends the plan at once");
    assert_eq!(subscription_row(server, &account)["status"], "disputed");
    assert_eq!(standins().stripe.subscription(&subscription).unwrap()["status"], "canceled");
    let disputes = admin(server).get(&format!("/api/admin/payments?user_id={}&status=disputed", account.id())).json();
    assert_eq!(
        (disputes["total"].as_u64(), disputes["items"][0]["kind"].as_str(), disputes["items"][0]["amount"].as_f64()),
        (Some(1), Some("dispute"), Some(59.0))
    );
    // The deletion Stripe sends after the cancel does not turn "disputed" into "canceled".
    let deleted = stripe::subscription_event(
        &unique("evt_del", &account),
        true,
        &subscription,
        account.id(),
        "premium",
        "canceled",
    );
    assert_eq!(signed(&server.client(), &deleted).status, 200);
    assert_eq!(subscription_row(server, &account)["status"], "disputed");
    assert_eq!(plan_of(server, &account), "free");
}
