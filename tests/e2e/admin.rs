//! The admin back office: every route refused to clients, staff (403) and anonymous (401);
//! users listed, searched, paged and changed (role, plan, active) with immediate effect and an
//! audit entry; settings read, validated and updated (new paper wallets start from the
//! setting, existing ones keep theirs); payments listed.

use auronex_e2e::{admin_token, unique_email, Account, Client, Server, ADMIN_EMAIL};
use serde_json::{json, Value};

pub const TESTS: &[crate::Test] = &[
    ("admin::every_route_refuses_non_admins", every_route_refuses_non_admins),
    ("admin::users_are_searched_filtered_and_paged", users_are_searched_filtered_and_paged),
    ("admin::user_changes_apply_at_once_and_are_audited", user_changes_apply_at_once_and_are_audited),
    ("admin::deactivation_ends_sessions", deactivation_ends_sessions),
    ("admin::admins_cannot_lock_themselves_out", admins_cannot_lock_themselves_out),
    ("admin::settings_are_validated_and_audited", settings_are_validated_and_audited),
];

/// Every admin route with a body that would be valid for an admin.
fn routes(user_id: &str) -> Vec<(&'static str, String, Option<Value>)> {
    vec![
        ("GET", "/api/admin/users".into(), None),
        ("PATCH", format!("/api/admin/users/{user_id}"), Some(json!({"plan": "premium"}))),
        ("GET", "/api/admin/payments".into(), None),
        ("GET", "/api/admin/settings".into(), None),
        (
            "PUT",
            "/api/admin/settings".into(),
            Some(json!({"default_fees": {"maker_fee_rate": 0, "taker_fee_rate": 0}})),
        ),
        ("GET", "/api/admin/audit".into(), None),
        ("POST", "/api/admin/vault/rotate".into(), Some(json!({}))),
    ]
}

fn call(client: &Client, method: &str, path: &str, body: &Option<Value>) -> auronex_e2e::Reply {
    let bytes = body.as_ref().map(|b| b.to_string().into_bytes());
    client.send(method, path, bytes, &[("content-type", "application/json")])
}

pub fn admin(server: &Server) -> Client {
    server.client().with_token(&admin_token(&server.client()))
}

fn every_route_refuses_non_admins(server: &Server) {
    let victim = Account::register(&server.client(), "victim");
    let client = Account::register(&server.client(), "notadmin");
    let staff_email = unique_email("staff");
    let created = admin(server)
        .post_json("/users/", &json!({"email": staff_email, "password": "staff-password", "role": "staff"}));
    assert_eq!(created.status, 201, "{}", created.body);
    let login =
        server.client().post_json("/api/auth/login", &json!({"email": staff_email, "password": "staff-password"}));
    assert_eq!(login.status, 200, "staff login: {}", login.body);
    let staff_token = login.json()["access_token"].as_str().unwrap().to_string();
    for (method, path, body) in routes(victim.id()) {
        let anonymous = call(&server.client(), method, &path, &body);
        assert_eq!(anonymous.status, 401, "anonymous {method} {path}: {}", anonymous.body);
        assert_eq!(anonymous.error_code(), "unauthorized");
        for token in [&client.access_token, &staff_token] {
            let refused = call(&server.client().with_token(token), method, &path, &body);
            assert_eq!(refused.status, 403, "{method} {path}: {}", refused.body);
            assert_eq!(refused.error_code(), "forbidden");
        }
    }
    let me = server.client().with_token(&victim.access_token).get("/api/auth/me").json();
    assert_eq!(me["plan"], "free", "no refused request changed anything");
}

fn users_are_searched_filtered_and_paged(server: &Server) {
    let tag = format!("srch{}x", std::process::id());
    let accounts: Vec<Account> = (0..3).map(|_| Account::register(&server.client(), &tag)).collect();
    let admin = admin(server);
    let all = admin.get(&format!("/api/admin/users?q={}", tag.to_uppercase()));
    assert_eq!(all.status, 200, "{}", all.body);
    let all = all.json();
    assert_eq!(all["total"], 3);
    assert!(all["items"].as_array().unwrap().iter().all(|u| u["password_hash"].is_null() && u["email"].is_string()));
    let first = admin.get(&format!("/api/admin/users?q={tag}&limit=2")).json();
    let rest = admin.get(&format!("/api/admin/users?q={tag}&limit=2&offset=2")).json();
    assert_eq!((first["items"].as_array().unwrap().len(), rest["items"].as_array().unwrap().len()), (2, 1));
    let mut seen: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(rest["items"].as_array().unwrap())
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    seen.sort_unstable();
    let mut expected: Vec<&str> = accounts.iter().map(|a| a.id()).collect();
    expected.sort_unstable();
    assert_eq!(seen, expected);
    let wildcard = admin.get("/api/admin/users?q=%25%25%25nobody%25").json();
    assert_eq!(wildcard["total"], 0, "% is literal in searches");
    let admins = admin.get("/api/admin/users?role=admin").json();
    assert!(admins["items"].as_array().unwrap().iter().any(|u| u["email"] == ADMIN_EMAIL));
    for bad in ["limit=0", "limit=500", "offset=-1", "role=root", "plan=gold", "is_active=maybe"] {
        let reply = admin.get(&format!("/api/admin/users?{bad}"));
        assert_eq!(reply.status, 422, "{bad}: {}", reply.body);
    }
}

fn user_changes_apply_at_once_and_are_audited(server: &Server) {
    let account = Account::register(&server.client(), "promote");
    let admin = admin(server);
    let path = format!("/api/admin/users/{}", account.id());
    let reply = admin.patch_json(&path, &json!({"plan": "pro", "role": "staff"}));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!((reply.json()["plan"].as_str(), reply.json()["role"].as_str()), (Some("pro"), Some("staff")));
    let me = server.client().with_token(&account.access_token).get("/api/auth/me").json();
    assert_eq!((me["plan"].as_str(), me["role"].as_str()), (Some("pro"), Some("staff")), "the same token sees it");
    assert_eq!(admin.patch_json(&path, &json!({"plan": "free"})).json()["plan"], "free", "a downgrade");
    let audit = admin.get(&format!("/api/admin/audit?target_id={}", account.id())).json();
    assert_eq!(audit["total"], 2);
    let latest = &audit["items"][0];
    assert_eq!((latest["action"].as_str(), latest["actor_email"].as_str()), (Some("user.update"), Some(ADMIN_EMAIL)));
    assert_eq!(latest["detail"]["before"]["plan"], "pro");
    assert_eq!(latest["detail"]["after"]["plan"], "free");
    assert!(latest["at"].as_str().unwrap().ends_with('Z'));
    let cases = [
        (json!({}), 422),
        (json!({"plan": "gold"}), 422),
        (json!({"role": "root"}), 422),
        (json!({"is_active": "no"}), 422),
        (json!({"plan": "pro", "email": "x@y.z"}), 422),
    ];
    for (body, status) in cases {
        let reply = admin.patch_json(&path, &body);
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert!(reply.json()["error"]["field"].is_string(), "{body}: {}", reply.body);
    }
    assert_eq!(admin.patch_json("/api/admin/users/nobody", &json!({"plan": "pro"})).status, 404);
}

fn deactivation_ends_sessions(server: &Server) {
    let account = Account::register(&server.client(), "deactivate");
    let admin = admin(server);
    let path = format!("/api/admin/users/{}", account.id());
    assert_eq!(admin.patch_json(&path, &json!({"is_active": false})).json()["is_active"], false);
    let user = server.client().with_token(&account.access_token);
    assert_eq!(user.get("/api/auth/me").status, 401);
    let refresh = server.client().post_json("/api/auth/refresh", &json!({"refresh_token": account.refresh_token}));
    assert_eq!(refresh.status, 401);
    let login =
        server.client().post_json("/api/auth/login", &json!({"email": account.email, "password": account.password}));
    assert_eq!(
        (login.status, login.error_code().as_str()),
        (403, "account_disabled"),
        "an inactive account cannot log in"
    );
    assert_eq!(admin.patch_json(&path, &json!({"is_active": true})).status, 200);
    let login =
        server.client().post_json("/api/auth/login", &json!({"email": account.email, "password": account.password}));
    assert_eq!(login.status, 200, "reactivated: {}", login.body);
    assert_eq!(user.get("/api/auth/me").status, 401, "old sessions stay ended");
}

fn admins_cannot_lock_themselves_out(server: &Server) {
    let admin = admin(server);
    let me = admin.get("/api/auth/me").json();
    let path = format!("/api/admin/users/{}", me["id"].as_str().unwrap());
    for body in [json!({"role": "client"}), json!({"is_active": false})] {
        let reply = admin.patch_json(&path, &body);
        assert_eq!(reply.status, 409, "{}", reply.body);
    }
    assert_eq!(admin.get("/api/auth/me").json()["role"], "admin");
}

/// A user registered after the change starts with the new balances; one whose wallet was
/// already open keeps what it started with.
fn new_wallets_start_from_the_setting(server: &Server, before: &Client, wallet_before: &Value) {
    let after = Account::register(&server.client(), "paperafter");
    let after = server.client().with_token(&after.access_token);
    let balance = after.get("/api/exchange/balance").json();
    assert_eq!((balance["total"].clone(), balance["available"].clone()), (json!(25000), json!(25000)), "{balance}");
    let brl = balance["wallets"].as_array().unwrap().iter().find(|w| w["currency"] == "BRL").cloned();
    assert_eq!(brl.expect("a BRL wallet")["start_balance"], 125000, "{balance}");
    let summary = after.get("/api/dashboard/summary").json();
    assert!(summary["wallets"].to_string().contains("25000"), "{summary}");
    assert_eq!(
        before.get("/api/exchange/balance").json()["total"],
        wallet_before["total"],
        "existing wallets keep theirs"
    );
}

fn settings_are_validated_and_audited(server: &Server) {
    let admin = admin(server);
    let settings = admin.get("/api/admin/settings");
    assert_eq!(settings.status, 200, "{}", settings.body);
    let settings = settings.json();
    for section in ["plan_prices", "paper_starting_balances", "default_fees"] {
        assert!(settings[section].is_object(), "{section} missing: {settings}");
    }
    let before = Account::register(&server.client(), "paperbefore");
    let before = server.client().with_token(&before.access_token);
    let wallet_before = before.get("/api/exchange/balance").json();
    let update = json!({"paper_starting_balances": {"USDT": "25000", "BRL": 125000}});
    let reply = admin.put_json("/api/admin/settings", &update);
    assert_eq!(reply.status, 200, "{}", reply.body);
    new_wallets_start_from_the_setting(server, &before, &wallet_before);
    assert_eq!(reply.json()["paper_starting_balances"], json!({"BRL": 125000.0, "USDT": 25000.0}));
    assert_eq!(admin.get("/api/admin/settings").json()["paper_starting_balances"]["USDT"], 25000.0);
    assert_eq!(admin.get("/api/admin/settings").json()["plan_prices"], settings["plan_prices"], "other sections kept");
    let cases = [
        (json!({"default_fees": {"maker_fee_rate": 0.5, "taker_fee_rate": 0.001}}), "default_fees"),
        (json!({"paper_starting_balances": {"usdt": 1}}), "paper_starting_balances.usdt"),
        (json!({"plan_prices": {"pro": {"usd": 29, "brl": 149}}}), "plan_prices"),
        (
            json!({"plan_prices": {"pro": {"usd": "free", "brl": 149}, "premium": {"usd": 59, "brl": 299}}}),
            "plan_prices.pro.usd",
        ),
        (json!({"colour": "blue"}), ""),
    ];
    for (body, field) in cases {
        let reply = admin.put_json("/api/admin/settings", &body);
        assert_eq!(reply.status, 422, "{body}: {}", reply.body);
        if !field.is_empty() {
            assert_eq!(reply.json()["error"]["field"], field, "{body}");
        }
    }
    let audit = admin.get("/api/admin/audit?action=settings.update").json();
    let entry = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["detail"]["after"]["paper_starting_balances"]["USDT"] == 25000.0);
    assert!(entry.is_some(), "audited: {audit}");
    let restore =
        admin.put_json("/api/admin/settings", &json!({"paper_starting_balances": settings["paper_starting_balances"]}));
    assert_eq!(restore.status, 200);
}
