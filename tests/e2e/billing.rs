//! A subscriber's own billing against the Stripe stand-in: what they hold, a cancellation set
//! for the period's end (and taken back) that keeps the plan until Stripe ends it, a plan
//! change that moves the subscription's item to a new price and is refused when the card is
//! declined, and a customer portal session made through `POST /v1/billing_portal/sessions`.

use std::time::Duration;

use auronex_e2e::standins::stripe;
use auronex_e2e::{standins, Account, Server};
use serde_json::json;

use crate::payments::{plan_of, signed, subscribed, unique};

pub const TESTS: &[crate::Test] = &[
    ("billing::cancel_at_period_end_keeps_the_plan_until_it_ends", cancel_at_period_end_keeps_the_plan_until_it_ends),
    ("billing::plan_change_moves_the_subscription", plan_change_moves_the_subscription),
    ("billing::portal_session_url", portal_session_url),
    ("billing::only_card_subscribers_manage_a_subscription", only_card_subscribers_manage_a_subscription),
];

fn cancel_at_period_end_keeps_the_plan_until_it_ends(server: &Server) {
    let account = Account::register(&server.client(), "cancel");
    let (subscription, _) = subscribed(server, &account, "pro");
    let client = server.client().with_token(&account.access_token);
    let held = client.get("/api/payments/subscription");
    assert_eq!(held.status, 200, "{}", held.body);
    let held = held.json();
    assert_eq!((held["plan"].as_str(), held["subscription"]["provider"].as_str()), (Some("pro"), Some("stripe")));
    assert_eq!(held["subscription"]["cancel_at_period_end"], false);
    let reply = client.send("POST", "/api/payments/subscription/cancel", None, &[]);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let view = reply.json();
    assert_eq!(view["subscription"]["cancel_at_period_end"], true);
    let period_end = view["subscription"]["current_period_end"].as_str().expect("the period's end").to_string();
    assert!(period_end.ends_with('Z') && period_end > crate::payments::iso_now(), "{period_end}");
    let sent = standins()
        .received("stripe", |r| r.method == "POST" && r.path == format!("/v1/subscriptions/{subscription}"))
        .pop()
        .expect("Stripe was asked");
    assert_eq!(sent.form_value("cancel_at_period_end").as_deref(), Some("true"));
    assert!(sent.header("idempotency-key").is_some_and(|k| k.len() >= 16));
    assert!(sent.header("content-type").unwrap().starts_with("application/x-www-form-urlencoded"));
    assert_eq!(standins().stripe.subscription(&subscription).unwrap()["cancel_at_period_end"], true);
    assert_eq!(plan_of(server, &account), "pro", "the paid period runs to its end");
    // Taken back, then set again.
    let resumed = client.send("POST", "/api/payments/subscription/resume", None, &[]);
    assert_eq!((resumed.status, resumed.json()["subscription"]["cancel_at_period_end"].as_bool()), (200, Some(false)));
    assert_eq!(client.send("POST", "/api/payments/subscription/cancel", None, &[]).status, 200);
    // Stripe's own update event agrees and keeps the plan; at the period's end it deletes.
    let mut stripe_side =
        stripe::subscription_event(&unique("evt_cape", &account), false, &subscription, account.id(), "pro", "active");
    stripe_side = stripe_side.replace("\"cancel_at_period_end\":false", "\"cancel_at_period_end\":true");
    assert_eq!(signed(&server.client(), &stripe_side).status, 200);
    assert_eq!(plan_of(server, &account), "pro");
    assert_eq!(client.get("/api/payments/subscription").json()["subscription"]["cancel_at_period_end"], true);
    let ended =
        stripe::subscription_event(&unique("evt_end", &account), true, &subscription, account.id(), "pro", "canceled");
    assert_eq!(signed(&server.client(), &ended).status, 200);
    assert_eq!(plan_of(server, &account), "free", "the plan ends with the subscription");
    let after = client.get("/api/payments/subscription").json();
    assert_eq!(
        (after["subscription"]["status"].as_str(), after["subscription"]["cancel_at_period_end"].as_bool()),
        (Some("canceled"), Some(false))
    );
    let again = client.send("POST", "/api/payments/subscription/cancel", None, &[]);
    assert_eq!((again.status, again.error_code().as_str()), (409, "no_card_subscription"));
}

fn plan_change_moves_the_subscription(server: &Server) {
    let account = Account::register(&server.client(), "planchange");
    let (subscription, _) = subscribed(server, &account, "pro");
    let client = server.client().with_token(&account.access_token);
    let reply = client.post_json("/api/payments/subscription/plan", &json!({"plan": "premium"}));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        (reply.json()["plan"].as_str(), reply.json()["subscription"]["plan"].as_str()),
        (Some("premium"), Some("premium"))
    );
    assert_eq!(plan_of(server, &account), "premium");
    let price = standins().received("stripe", |r| r.method == "POST" && r.path == "/v1/prices").pop().unwrap();
    let form = |key: &str| price.form_value(key).unwrap_or_default();
    assert_eq!(
        (form("unit_amount"), form("currency"), form("recurring[interval]"), form("product_data[name]")),
        ("5900".into(), "usd".into(), "month".into(), "Auronex Premium".into())
    );
    let update = standins()
        .received("stripe", |r| {
            r.method == "POST"
                && r.path == format!("/v1/subscriptions/{subscription}")
                && r.form_value("items[0][id]").is_some()
        })
        .pop()
        .expect("the subscription's item moved");
    assert_eq!(update.form_value("items[0][id]"), Some(format!("si_{}", &subscription[4..])));
    assert!(update.form_value("items[0][price]").unwrap().starts_with("price_e2e"));
    assert_eq!(update.form_value("proration_behavior").as_deref(), Some("always_invoice"));
    assert_eq!(update.form_value("payment_behavior").as_deref(), Some("error_if_incomplete"));
    let at_stripe = standins().stripe.subscription(&subscription).unwrap();
    assert_eq!(
        (at_stripe["metadata"]["plan"].as_str(), at_stripe["items"]["data"][0]["price"]["unit_amount"].as_i64()),
        (Some("premium"), Some(5900))
    );
    // A declined card: Stripe refuses the change, and nothing changes here.
    standins().stripe.set_declined(&subscription, true);
    let declined = client.post_json("/api/payments/subscription/plan", &json!({"plan": "pro"}));
    standins().stripe.set_declined(&subscription, false);
    assert_eq!((declined.status, declined.error_code().as_str()), (402, "payment_failed"), "{}", declined.body);
    assert_eq!(plan_of(server, &account), "premium");
    let same = client.post_json("/api/payments/subscription/plan", &json!({"plan": "premium"}));
    assert_eq!((same.status, same.error_code().as_str()), (409, "same_plan"));
    for plan in ["free", "gold"] {
        let refused = client.post_json("/api/payments/subscription/plan", &json!({"plan": plan}));
        assert_eq!((refused.status, refused.json()["error"]["field"].as_str()), (422, Some("plan")), "{plan}");
    }
    // Down again: the lower limit stops the bots over it, as any downgrade does.
    let down = client.post_json("/api/payments/subscription/plan", &json!({"plan": "pro"}));
    assert_eq!(down.status, 200, "{}", down.body);
    assert_eq!(plan_of(server, &account), "pro");
    server
        .wait_for_log_line(Duration::from_secs(10), |l| l.contains("plan_downgrade") && l.contains(account.id()))
        .expect("the downgrade hook ran");
}

fn portal_session_url(server: &Server) {
    let account = Account::register(&server.client(), "portal");
    subscribed(server, &account, "pro");
    let client = server.client().with_token(&account.access_token);
    let reply = client.send("POST", "/api/payments/portal", None, &[]);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let url = reply.json()["url"].as_str().unwrap().to_string();
    assert!(url.starts_with("https://billing.stripe.com/p/session/"), "{url}");
    let sent = standins()
        .received("stripe", |r| r.path == "/v1/billing_portal/sessions" && r.body.contains(&account.id()[..8]))
        .pop()
        .expect("Stripe was asked for a portal session");
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.form_value("customer"), Some(stripe::customer_of(account.id())));
    assert!(sent.form_value("return_url").unwrap().ends_with("/billing"));
    assert_eq!(sent.header("authorization"), Some(format!("Bearer {}", stripe::SECRET_KEY).as_str()));
    assert!(sent.header("idempotency-key").is_some());
}

fn only_card_subscribers_manage_a_subscription(server: &Server) {
    let account = Account::register(&server.client(), "nocard");
    let client = server.client().with_token(&account.access_token);
    let held = client.get("/api/payments/subscription").json();
    assert_eq!(held, json!({"plan": "free", "subscription": null}));
    for path in ["/api/payments/subscription/cancel", "/api/payments/subscription/resume"] {
        let reply = client.send("POST", path, None, &[]);
        assert_eq!((reply.status, reply.error_code().as_str()), (409, "no_card_subscription"), "{path}");
    }
    let plan = client.post_json("/api/payments/subscription/plan", &json!({"plan": "pro"}));
    assert_eq!((plan.status, plan.error_code().as_str()), (409, "no_card_subscription"));
    let portal = client.send("POST", "/api/payments/portal", None, &[]);
    assert_eq!((portal.status, portal.error_code().as_str()), (409, "no_stripe_customer"));
    let anonymous = server.client();
    assert_eq!(anonymous.get("/api/payments/subscription").status, 401);
    assert_eq!(anonymous.send("POST", "/api/payments/portal", None, &[]).status, 401);
}
