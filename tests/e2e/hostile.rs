//! Hostile inputs on every write endpoint: huge strings, deep nesting, NaN/Infinity/negative/zero
//! amounts, unicode and control characters, SQL and HTML fragments, duplicated keys. Each must
//! get a 4xx with the JSON error body, and nothing stored may change (read back through the API).
//! Free-text fields (names, labels) legitimately hold SQL or HTML-looking text: there the
//! fragments must be stored verbatim and read back byte for byte, touching nothing else.

use auronex_e2e::{admin_token, unique_email, Account, Client, Reply, Server};
use serde_json::{json, Map, Value};

use crate::bots::valid_bot;

pub const TESTS: &[crate::Test] = &[
    ("hostile::every_write_endpoint_refuses_hostile_input", every_write_endpoint_refuses_hostile_input),
    ("hostile::free_text_is_stored_verbatim", free_text_is_stored_verbatim),
];

/// How a field is checked, which decides the hostile values it gets.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// Free text with a length limit (names): over-long text and control characters.
    Text,
    /// A secret (passwords, keys): only its length is limited.
    Secret,
    /// A value with a grammar (emails, enums, symbols, codes, tickets).
    Word,
    /// A positive number.
    Amount,
    /// A JSON object or array.
    Object,
}

use Kind::*;

struct Endpoint {
    method: &'static str,
    path: &'static str,
    admin: bool,
    body: fn(&Fixture) -> Value,
    fields: &'static [(&'static str, Kind)],
}

/// The objects the valid bodies refer to.
struct Fixture {
    user: Account,
    user_client: Client,
    admin: Client,
    bot_id: String,
    channel_id: String,
    invite_code: String,
}

const SQL: &str = "x' OR '1'='1'; DROP TABLE users; --";
const HTML: &str = "<script>alert(document.cookie)</script>";

fn endpoints() -> Vec<Endpoint> {
    let signup: fn(&Fixture) -> Value = |_| json!({"email": unique_email("hostile"), "password": "long-enough-pw"});
    let bot: &[(&str, Kind)] = &[
        ("name", Text),
        ("exchange", Word),
        ("symbols", Object),
        ("capital", Amount),
        ("strategy", Word),
        ("analysis_interval", Amount),
        ("params", Object),
    ];
    vec![
        Endpoint {
            method: "POST",
            path: "/api/auth/register",
            admin: false,
            body: |_| json!({"email": unique_email("hostile"), "password": "long-enough-pw", "first_name": "Ann"}),
            fields: &[("email", Word), ("password", Secret), ("first_name", Text), ("last_name", Text)],
        },
        Endpoint {
            method: "POST",
            path: "/api/auth/login",
            admin: false,
            body: |f| json!({"email": f.user.email, "password": f.user.password}),
            fields: &[("email", Word), ("password", Secret)],
        },
        Endpoint {
            method: "POST",
            path: "/api/auth/refresh",
            admin: false,
            body: |f| json!({"refresh_token": f.user.refresh_token}),
            fields: &[("refresh_token", Word)],
        },
        Endpoint {
            method: "POST",
            path: "/token",
            admin: false,
            body: |f| json!({"username": f.user.email, "password": f.user.password}),
            fields: &[("username", Word), ("password", Secret)],
        },
        Endpoint {
            method: "POST",
            path: "/users/public",
            admin: false,
            body: signup,
            fields: &[("email", Word), ("password", Secret)],
        },
        Endpoint {
            method: "POST",
            path: "/users",
            admin: true,
            body: |_| json!({"email": unique_email("hostile"), "password": "long-enough-pw", "role": "staff"}),
            fields: &[("email", Word), ("password", Secret), ("role", Word), ("first_name", Text)],
        },
        Endpoint {
            method: "POST",
            path: "/api/copier/channels",
            admin: false,
            body: |_| json!({"name": "Signals"}),
            fields: &[("name", Text)],
        },
        Endpoint {
            method: "POST",
            path: "/api/copier/subscriptions",
            admin: true,
            body: |f| json!({"invite_code": f.invite_code, "trade_copy": {"mode": "fix", "fixed_lot": 0.01}}),
            fields: &[("invite_code", Word), ("trade_copy", Object)],
        },
        Endpoint {
            method: "POST",
            path: "/users/config",
            admin: false,
            body: |_| json!({"trade_copy": {"mode": "multiplier", "multiplier": 2}}),
            fields: &[("trade_copy", Object)],
        },
        Endpoint {
            method: "POST",
            path: "/signal/broadcast",
            admin: false,
            body: |f| {
                json!({"channel_id": f.channel_id, "ticket": 77, "symbol": "EURUSD", "action": "BUY",
                       "volume": 0.1, "price": 1.1, "sl": 1.0, "tp": 1.2})
            },
            fields: &[
                ("channel_id", Word),
                ("ticket", Word),
                ("symbol", Word),
                ("action", Word),
                ("volume", Amount),
                ("price", Amount),
                ("sl", Amount),
                ("tp", Amount),
            ],
        },
        Endpoint {
            method: "POST",
            path: "/signal/close",
            admin: false,
            body: |f| json!({"channel_id": f.channel_id, "ticket": 77, "volume": 0.05}),
            fields: &[("channel_id", Word), ("ticket", Word), ("volume", Amount)],
        },
        Endpoint {
            method: "POST",
            path: "/signal/modify",
            admin: false,
            body: |f| json!({"channel_id": f.channel_id, "ticket": 77, "sl": 1.05, "tp": 1.3}),
            fields: &[("channel_id", Word), ("ticket", Word), ("sl", Amount), ("tp", Amount)],
        },
        Endpoint {
            method: "POST",
            path: "/api/api-keys",
            admin: false,
            body: |_| json!({"exchange": "binance", "api_key": "abcdefgh12345678", "secret_key": "s3cr3t-s3cr3t-s3cr3t"}),
            fields: &[("exchange", Word), ("api_key", Secret), ("secret_key", Secret), ("label", Text)],
        },
        Endpoint {
            method: "PATCH",
            path: "/api/admin/users/{user}",
            admin: true,
            body: |_| json!({"plan": "pro"}),
            fields: &[("plan", Word), ("role", Word), ("is_active", Word)],
        },
        Endpoint {
            method: "PUT",
            path: "/api/admin/settings",
            admin: true,
            body: |_| json!({"default_fees": {"maker_fee_rate": 0.001, "taker_fee_rate": 0.001}}),
            fields: &[("default_fees", Object), ("plan_prices", Object), ("paper_starting_balances", Object)],
        },
        Endpoint {
            method: "POST",
            path: "/api/admin/vault/rotate",
            admin: true,
            body: |_| json!({"cursor": ""}),
            fields: &[("cursor", Word)],
        },
        Endpoint {
            method: "POST",
            path: "/api/payments/create-checkout",
            admin: false,
            body: |_| json!({"plan": "pro"}),
            fields: &[("plan", Word)],
        },
        Endpoint {
            method: "POST",
            path: "/api/payments/pix/create",
            admin: false,
            body: |_| json!({"plan": "pro"}),
            fields: &[("plan", Word)],
        },
        Endpoint { method: "POST", path: "/api/bots", admin: false, body: |_| valid_bot(), fields: bot },
        Endpoint { method: "PUT", path: "/api/bots/{bot}", admin: false, body: |_| valid_bot(), fields: bot },
        Endpoint {
            method: "POST",
            path: "/api/backtests",
            admin: false,
            body: |_| {
                json!({"strategy": "rsi", "params": {"period": 14}, "exchange": "binance", "symbol": "BTC/USDT",
                       "timeframe": "1d", "from": "2024-01-01", "to": "2024-02-01", "capital": 100})
            },
            fields: &[
                ("strategy", Word),
                ("params", Object),
                ("exchange", Word),
                ("symbol", Word),
                ("timeframe", Word),
                ("from", Word),
                ("to", Word),
                ("capital", Amount),
            ],
        },
    ]
}

/// A request body as raw text: the valid body with one field's JSON replaced by `raw`.
fn with_raw(body: &Value, field: &str, raw: &str) -> String {
    let mut object: Map<String, Value> = body.as_object().cloned().unwrap_or_default();
    object.insert(field.to_string(), json!("__HOSTILE__"));
    Value::Object(object).to_string().replace("\"__HOSTILE__\"", raw)
}

/// `(label, raw JSON for the field, exact status or None for any 4xx)` for a field of `kind`.
fn payloads(kind: Kind) -> Vec<(String, String, Option<u16>)> {
    let text = |value: &str| serde_json::to_string(value).unwrap();
    let mut cases = vec![
        ("a 70 kB string".to_string(), text(&"A".repeat(70_000)), Some(413)),
        ("10 000-deep nesting".to_string(), format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000)), None),
        ("a NaN literal".to_string(), "NaN".to_string(), Some(400)),
    ];
    let mut add = |label: &str, raw: String| cases.push((label.to_string(), raw, None));
    match kind {
        Text => {
            add("a 10 000-character string", text(&"é".repeat(10_000)));
            add("control characters", text("Bob\u{0}\u{7}\u{1b}[2J"));
        }
        Secret => add("a 10 000-character string", text(&"k".repeat(10_000))),
        Word => {
            add("an SQL fragment", text(SQL));
            add("an HTML fragment", text(HTML));
            add("a right-to-left override", text("\u{202e}cod.exe"));
            add("a NUL inside", text("BTC\u{0}/USDT"));
            add("astral unicode", text("𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🚀"));
            add("a 10 000-character string", text(&"w".repeat(10_000)));
        }
        Amount => {
            for value in ["\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "-1", "0", "1e999", "-0.0"] {
                add(&format!("the amount {value}"), value.to_string());
            }
            add("an SQL fragment", text(SQL));
        }
        Object => {
            add("a string", text(HTML));
            add("a number", "-1".to_string());
            add("an object of hostile values", json!({"mode": SQL, "period": "NaN", "x": [HTML]}).to_string());
        }
    }
    cases
}

/// What the user and the admin can read of everything stored.
fn snapshot(f: &Fixture) -> Vec<String> {
    let mut views = Vec::new();
    let signals = format!("/api/copier/channels/{}/signals", f.channel_id);
    for path in
        ["/api/auth/me", "/api/bots", "/api/api-keys", "/api/copier/channels", "/api/exchange/balance", &signals]
    {
        views.push(format!("{path}: {}", f.user_client.get(path).body));
    }
    for path in ["/api/admin/settings", "/api/copier/channels", "/api/api-keys"] {
        views.push(format!("admin {path}: {}", f.admin.get(path).body));
    }
    views
}

fn send_raw(client: &Client, method: &str, path: &str, raw: String) -> Reply {
    client.send(method, path, Some(raw.into_bytes()), &[("content-type", "application/json")])
}

/// Checks one refusal, noting what is wrong in `problems` (all of them are reported at once).
fn refused(problems: &mut Vec<String>, reply: &Reply, exact: Option<u16>, what: &str) {
    let status_ok = match exact {
        Some(status) => reply.status == status,
        None => (400..500).contains(&reply.status),
    };
    let body = serde_json::from_str::<Value>(&reply.body).unwrap_or(Value::Null);
    let error_body = body["error"]["code"].is_string() && body["error"]["message"].is_string();
    if !status_ok || !error_body {
        let wanted = exact.map(|s| s.to_string()).unwrap_or_else(|| "a 4xx".into());
        problems.push(format!("{what}: wanted {wanted} with the error body, got {} {:.300}", reply.status, reply.body));
    }
}

fn fixture(server: &Server) -> Fixture {
    let user = Account::register(&server.client(), "hostile");
    let user_client = server.client().with_token(&user.access_token);
    let admin = server.client().with_token(&admin_token(&server.client()));
    let bot = user_client.post_json("/api/bots", &valid_bot());
    assert_eq!(bot.status, 201, "{}", bot.body);
    let channel = user_client.post_json("/api/copier/channels", &json!({"name": "Hostile target"}));
    assert_eq!(channel.status, 201, "{}", channel.body);
    let channel = channel.json();
    Fixture {
        user,
        user_client,
        admin,
        bot_id: bot.json()["id"].as_str().unwrap().to_string(),
        channel_id: channel["id"].as_str().unwrap().to_string(),
        invite_code: channel["invite_code"].as_str().unwrap().to_string(),
    }
}

fn every_write_endpoint_refuses_hostile_input(server: &Server) {
    let f = fixture(server);
    let before = snapshot(&f);
    let mut problems = Vec::new();
    for endpoint in endpoints() {
        let client = if endpoint.admin { &f.admin } else { &f.user_client };
        let path = endpoint.path.replace("{user}", f.user.id()).replace("{bot}", &f.bot_id);
        let label = |what: &str| format!("{} {path}: {what}", endpoint.method);
        let body = (endpoint.body)(&f);
        for (field, kind) in endpoint.fields {
            for (what, raw, exact) in payloads(*kind) {
                let reply = send_raw(client, endpoint.method, &path, with_raw(&body, field, &raw));
                refused(&mut problems, &reply, exact, &label(&format!("{field} = {what}")));
            }
        }
        let (first, value) = body.as_object().unwrap().iter().next().unwrap();
        let other = if value.is_string() { json!(HTML) } else { json!(-1) };
        let duplicated = format!("{{{}:{value},{}", json!(first), &with_raw(&body, first, &other.to_string())[1..]);
        refused(
            &mut problems,
            &send_raw(client, endpoint.method, &path, duplicated),
            Some(422),
            &label(&format!("{first} twice")),
        );
        let not_an_object = send_raw(client, endpoint.method, &path, format!("[{body}]"));
        refused(&mut problems, &not_an_object, Some(422), &label("an array body"));
        let truncated = body.to_string();
        let truncated = send_raw(client, endpoint.method, &path, truncated[..truncated.len() - 1].to_string());
        refused(&mut problems, &truncated, Some(400), &label("a truncated body"));
        if snapshot(&f) != before {
            problems.push(format!("{} {path} changed stored data: {:?}", endpoint.method, snapshot(&f)));
        }
    }
    assert!(
        problems.is_empty(),
        "{} hostile inputs were not refused cleanly:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

fn free_text_is_stored_verbatim(server: &Server) {
    let f = fixture(server);
    for name in [SQL, HTML, "Ünïcödé 名前 🚀 \u{202e}rtl", "Robert'); DROP TABLE bots;--"] {
        let name: String = name.chars().take(50).collect();
        let mut body = valid_bot();
        body["name"] = json!(name);
        let reply = send_raw(&f.user_client, "PUT", &format!("/api/bots/{}", f.bot_id), body.to_string());
        assert_eq!(reply.status, 200, "{name}: {}", reply.body);
        assert_eq!(f.user_client.get(&format!("/api/bots/{}", f.bot_id)).json()["name"], json!(name.trim()));
        let channel = f.user_client.post_json("/api/copier/channels", &json!({"name": name}));
        assert_eq!(channel.status, 201, "{name}: {}", channel.body);
        assert_eq!(channel.json()["name"], json!(name.trim()));
    }
    assert_eq!(f.user_client.get("/api/bots").json().as_array().unwrap().len(), 1, "one bot, renamed");
    assert_eq!(f.user_client.get("/api/copier/channels").json().as_array().unwrap().len(), 5, "nothing else");
}
