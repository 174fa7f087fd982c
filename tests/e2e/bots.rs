//! Bots CRUD over HTTP: every validation names its field, plan limits are 403 `plan_limit`,
//! capital is checked against the paper balance, another user's bot is 404, and templates.

use auronex_e2e::{admin_token, Account, Client, Reply, Server};
use serde_json::{json, Value};

pub const TESTS: &[crate::Test] = &[
    ("bots::validation_names_the_field", validation_names_the_field),
    ("bots::crud_plan_limits_balance_and_clone", crud_plan_limits_balance_and_clone),
    ("bots::another_users_bot_is_not_found", another_users_bot_is_not_found),
    ("bots::admins_manage_any_bot_and_are_audited", admins_manage_any_bot_and_are_audited),
    ("bots::a_downgrade_stops_the_newest_bots", a_downgrade_stops_the_newest_bots),
];

pub fn user(server: &Server, tag: &str) -> (Client, Account) {
    let client = server.client();
    let account = Account::register(&client, tag);
    (client.with_token(&account.access_token), account)
}

pub fn valid_bot() -> Value {
    json!({"name": "Alpha scalper", "exchange": "binance", "symbols": ["BTC/USDT"], "capital": 100,
           "strategy": "rsi", "params": {"period": 2, "entry": "cross_up", "take_profit_pct": 5, "stop_loss_pct": 5}})
}

pub fn send(client: &Client, method: &str, path: &str, body: Option<&Value>) -> Reply {
    let bytes = body.map(|b| b.to_string().into_bytes());
    let headers: &[(&str, &str)] = if body.is_some() { &[("content-type", "application/json")] } else { &[] };
    client.send(method, path, bytes, headers)
}

fn with(patch: Value) -> Value {
    let mut body = valid_bot();
    for (key, value) in patch.as_object().unwrap() {
        body[key] = value.clone();
    }
    body
}

fn validation_names_the_field(server: &Server) {
    let (client, _) = user(server, "botval");
    let cases = [
        (json!({"name": "ab"}), "name"),
        (json!({"exchange": "nasdaq"}), "exchange"),
        (json!({"symbols": []}), "symbols"),
        (json!({"symbols": ["NOPE/USDT"]}), "symbols"),
        (json!({"symbols": ["BTC/USDT", "BTC/BRL"]}), "symbols"),
        (json!({"capital": 1}), "capital"),
        (json!({"capital": 20000}), "capital"),
        (json!({"capital": "lots"}), "capital"),
        (json!({"capital": 1500}), "capital"),
        (json!({"strategy": "martingale"}), "strategy"),
        (json!({"analysis_interval": 30}), "analysis_interval"),
        (json!({"params": {"period": 0}}), "params"),
        (json!({"params": {"bogus": 1}}), "params"),
    ];
    for (patch, field) in cases {
        let reply = client.post_json("/api/bots/", &with(patch.clone()));
        assert_eq!(reply.status, 422, "{patch}: {}", reply.body);
        assert_eq!(reply.json()["error"]["field"], field, "{patch}: {}", reply.body);
    }
    let over = client.post_json("/api/bots", &with(json!({"capital": 1500})));
    assert_eq!(over.error_code(), "insufficient_balance");
    assert_eq!(client.get("/api/bots").json(), json!([]), "nothing was created");
    assert_eq!(server.client().get("/api/bots").status, 401);
}

fn crud_plan_limits_balance_and_clone(server: &Server) {
    let (client, account) = user(server, "botcrud");
    let created = client.post_json("/api/bots/", &with(json!({"capital": "300.5", "analysis_interval": 5})));
    assert_eq!(created.status, 201, "{}", created.body);
    let bot = created.json();
    let id = bot["id"].as_str().unwrap().to_string();
    assert_eq!(bot["is_active"], false);
    assert_eq!(bot["capital"], 300.5);
    assert_eq!(bot["analysis_interval"], 5);
    assert_eq!(bot["quote_currency"], "USDT");
    assert!(bot["created_at"].as_str().unwrap().ends_with('Z'));

    // Free plan: one bot.
    let second = client.post_json("/api/bots", &valid_bot());
    assert_eq!(second.status, 403, "{}", second.body);
    assert_eq!(second.error_code(), "plan_limit");
    assert_eq!(send(&client, "POST", &format!("/api/bots/{id}/clone"), None).error_code(), "plan_limit");

    let edited = send(&client, "PUT", &format!("/api/bots/{id}"), Some(&with(json!({"name": "Renamed bot"}))));
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(edited.json()["name"], "Renamed bot");
    assert_eq!(edited.json()["capital"], 100);

    // Running capital is reserved in the paper wallet.
    let started = send(&client, "PATCH", &format!("/api/bots/{id}/toggle"), None);
    assert_eq!(started.status, 200, "{}", started.body);
    assert_eq!(started.json()["is_active"], true);
    let balance = client.get("/api/exchange/balance").json();
    assert_eq!((balance["currency"].clone(), balance["total"].clone()), (json!("USDT"), json!(1000)));
    assert_eq!(balance["available"], 900, "{balance}");
    let locked = send(&client, "PUT", &format!("/api/bots/{id}"), Some(&valid_bot()));
    assert_eq!(locked.status, 409, "{}", locked.body);

    // A pro user gets three bots; a clone is a stopped template; capital above what is
    // available (1000 - 100 running) is refused, also when starting.
    server.d1_execute(&format!("UPDATE users SET plan = 'pro' WHERE id = '{}'", account.id()));
    let clone = send(&client, "POST", &format!("/api/bots/{id}/clone"), None);
    assert_eq!(clone.status, 201, "{}", clone.body);
    let clone = clone.json();
    assert_eq!((clone["name"].as_str(), clone["is_active"].as_bool()), (Some("Renamed bot (copy)"), Some(false)));
    assert_ne!(clone["id"], id);
    let big = client.post_json("/api/bots", &with(json!({"capital": 950})));
    assert_eq!(big.error_code(), "insufficient_balance");
    let clone_id = clone["id"].as_str().unwrap();
    let toggle = |bot: &str| send(&client, "PATCH", &format!("/api/bots/{bot}/toggle"), None);
    assert_eq!(toggle(&id).json()["is_active"], false);
    let grown = send(&client, "PUT", &format!("/api/bots/{clone_id}"), Some(&with(json!({"capital": 950}))));
    assert_eq!(grown.status, 200, "{}", grown.body);
    assert_eq!(toggle(&id).json()["is_active"], true);
    let refused = send(&client, "PATCH", &format!("/api/bots/{clone_id}/toggle"), None);
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert_eq!(refused.json()["error"]["field"], "capital");
    assert_eq!(client.post_json("/api/bots", &valid_bot()).status, 201);
    assert_eq!(client.post_json("/api/bots", &valid_bot()).error_code(), "plan_limit");
    assert_eq!(client.get("/api/bots").json().as_array().unwrap().len(), 3);

    let stopped = send(&client, "PATCH", &format!("/api/bots/{id}/toggle"), None);
    assert_eq!(stopped.json()["is_active"], false);
    assert_eq!(send(&client, "DELETE", &format!("/api/bots/{id}"), None).status, 204);
    assert_eq!(client.get(&format!("/api/bots/{id}")).status, 404);
    assert_eq!(client.get("/api/exchange/balance").json()["available"], 1000);
}

fn another_users_bot_is_not_found(server: &Server) {
    let (owner, _) = user(server, "botowner");
    let (other, _) = user(server, "botother");
    let id = owner.post_json("/api/bots", &valid_bot()).json()["id"].as_str().unwrap().to_string();
    for (method, path, body) in [
        ("GET", format!("/api/bots/{id}"), None),
        ("PUT", format!("/api/bots/{id}"), Some(valid_bot())),
        ("DELETE", format!("/api/bots/{id}"), None),
        ("PATCH", format!("/api/bots/{id}/toggle"), None),
        ("POST", format!("/api/bots/{id}/clone"), None),
    ] {
        let reply = send(&other, method, &path, body.as_ref());
        assert_eq!(reply.status, 404, "{method} {path}: {}", reply.body);
        assert_eq!(reply.error_code(), "not_found");
    }
    assert_eq!(other.get("/api/bots").json(), json!([]));
    assert_eq!(owner.get(&format!("/api/bots/{id}")).json()["is_active"], false, "untouched");
}

fn create(client: &Client, name: &str) -> String {
    let mut body = valid_bot();
    body["name"] = json!(name);
    body["capital"] = json!(50);
    let reply = send(client, "POST", "/api/bots/", Some(&body));
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["id"].as_str().unwrap().to_string()
}

fn admins_manage_any_bot_and_are_audited(server: &Server) {
    let (owner, account) = user(server, "adminbots");
    let id = create(&owner, "Owned bot");
    assert_eq!(send(&owner, "GET", "/api/admin/bots/all", None).status, 403);
    assert_eq!(send(&server.client(), "GET", "/api/admin/bots/all", None).status, 401);
    assert_eq!(send(&owner, "PATCH", &format!("/api/admin/bots/{id}/toggle"), None).status, 403);
    assert_eq!(send(&owner, "DELETE", &format!("/api/admin/bots/{id}"), None).status, 403);

    let admin = server.client().with_token(&admin_token(&server.client()));
    let all = send(&admin, "GET", "/api/admin/bots/all?limit=500", None);
    assert_eq!(all.status, 200, "{}", all.body);
    let listed = all.json()["items"].as_array().unwrap().iter().find(|bot| bot["id"] == id.as_str()).cloned();
    assert_eq!(listed.expect("the bot is listed")["user_id"], account.id());
    let started = send(&admin, "PATCH", &format!("/api/admin/bots/{id}/toggle"), None);
    assert_eq!((started.status, started.json()["is_active"].as_bool()), (200, Some(true)), "{}", started.body);
    assert_eq!(send(&owner, "GET", &format!("/api/bots/{id}"), None).json()["is_active"], true);
    let stopped = send(&admin, "PATCH", &format!("/api/admin/bots/{id}/toggle/"), None);
    assert_eq!(stopped.json()["is_active"], false);
    assert_eq!(send(&admin, "DELETE", &format!("/api/admin/bots/{id}"), None).status, 204);
    assert_eq!(send(&owner, "GET", &format!("/api/bots/{id}"), None).status, 404);
    assert_eq!(send(&admin, "DELETE", &format!("/api/admin/bots/{id}"), None).status, 404);
    let audit = send(&admin, "GET", "/api/admin/audit?limit=100", None);
    assert!(audit.body.contains("bot.delete") && audit.body.contains(&id), "{}", audit.body);
}

fn a_downgrade_stops_the_newest_bots(server: &Server) {
    let (owner, account) = user(server, "downgrade");
    let admin = server.client().with_token(&admin_token(&server.client()));
    let set_plan = |plan: &str| {
        let reply = send(&admin, "PATCH", &format!("/api/admin/users/{}", account.id()), Some(&json!({"plan": plan})));
        assert_eq!(reply.status, 200, "{}", reply.body);
    };
    set_plan("pro");
    let ids: Vec<String> = (0..3).map(|n| create(&owner, &format!("Pro bot {n}"))).collect();
    for id in &ids {
        let started = send(&owner, "PATCH", &format!("/api/bots/{id}/toggle"), None);
        assert_eq!(started.json()["is_active"], true, "{}", started.body);
    }
    set_plan("free");
    let active: Vec<bool> = ids
        .iter()
        .map(|id| send(&owner, "GET", &format!("/api/bots/{id}"), None).json()["is_active"].as_bool().unwrap())
        .collect();
    assert_eq!(active, vec![true, false, false], "the oldest keeps running, the others stop and stay");
}
