//! The authorization matrix, derived from the served OpenAPI document: every operation is called
//! as anonymous, as the owner of a real object, as another user, as staff, as an admin (and, for
//! channel management, as one of the channel's followers), and each answer
//! is held to the operation's access class in `TABLE`. An operation the document lists that the
//! table lacks fails the test, and so does a table entry the document does not list: a new route
//! cannot ship without its access class being stated here.

use std::collections::BTreeSet;

use auronex_e2e::standins::binance;
use auronex_e2e::{admin_token, standins, unique_email, Account, Client, Reply, Server, SimClient, Socket};
use serde_json::{json, Value};

pub const TESTS: &[crate::Test] =
    &[("authz::every_operation_against_every_caller", every_operation_against_every_caller)];

/// Who may call an operation.
#[derive(Clone, Copy, Debug)]
enum Access {
    /// Anyone, token or not, gets the `ok` answer.
    Public,
    /// Anonymous 401; every signed-in caller gets `ok`, over their own data only.
    SignedIn,
    /// Anonymous 401; the object's owner gets `ok`; another user and an admin get `refused`
    /// (admins act on other users' objects only through `/api/admin/*`).
    Owner { refused: u16 },
    /// Anonymous 401; the channel's publisher gets `ok`; anyone else 403.
    Publisher,
    /// Managing a channel: anonymous 401; the publisher gets `ok`; one of its followers,
    /// another user and an admin get 404.
    ChannelOwner,
    /// Anonymous 401; users 403; admins `ok`.
    Admin,
    /// Provider webhooks: tokens grant nothing; without the provider's signature every caller
    /// gets 400 `invalid_signature` (the signed path is tested in payments/pix).
    Signed,
}

use Access::*;

/// One operation of the document, how to call it, and who may.
struct Op {
    method: &'static str,
    path: &'static str,
    access: Access,
    /// The status the allowed caller gets.
    ok: u16,
    /// Appended to the path (required query parameters).
    query: &'static str,
    /// The JSON body sent by `caller` (built per call: some need fresh values).
    body: fn(&World, &Fixture) -> Option<Value>,
}

const fn op(method: &'static str, path: &'static str, access: Access, ok: u16) -> Op {
    Op { method, path, access, ok, query: "", body: |_, _| None }
}

impl Op {
    const fn query(mut self, query: &'static str) -> Op {
        self.query = query;
        self
    }

    const fn body(mut self, body: fn(&World, &Fixture) -> Option<Value>) -> Op {
        self.body = body;
        self
    }
}

fn bot_body() -> Value {
    crate::bots::valid_bot()
}

fn fresh_signup(_: &World, _: &Fixture) -> Option<Value> {
    Some(json!({"email": unique_email("authzsignup"), "password": "long-enough-password"}))
}

fn fresh_refresh_token(world: &World, fixture: &Fixture) -> Option<Value> {
    let login = world.login(&fixture.owner);
    Some(json!({"refresh_token": login["refresh_token"]}))
}

/// Every operation of the API with its access class. Add new routes here.
fn table() -> Vec<Op> {
    vec![
        op("GET", "/health", Public, 200),
        op("GET", "/api/openapi.json", Public, 200),
        op("GET", "/ws", Owner { refused: 403 }, 101),
        // accounts
        op("POST", "/api/auth/register", Public, 201).body(fresh_signup),
        op("POST", "/api/auth/login", Public, 200)
            .body(|_, f| Some(json!({"email": f.owner.email, "password": f.owner.password}))),
        op("POST", "/api/auth/refresh", Public, 200).body(fresh_refresh_token),
        op("POST", "/api/auth/logout", Public, 204).body(fresh_refresh_token),
        op("GET", "/api/auth/me", SignedIn, 200),
        op("POST", "/api/auth/password", Owner { refused: 403 }, 200)
            .body(|_, f| Some(json!({"current_password": f.owner.password, "new_password": "a-new-long-password"}))),
        op("POST", "/token", Public, 200)
            .body(|_, f| Some(json!({"username": f.owner.email, "password": f.owner.password}))),
        op("POST", "/users/public", Public, 201).body(fresh_signup),
        op("POST", "/users", Admin, 201).body(fresh_signup),
        // copier
        op("POST", "/api/copier/channels", SignedIn, 201).body(|_, _| Some(json!({"name": "Authz channel"}))),
        op("GET", "/api/copier/channels", SignedIn, 200),
        op("GET", "/api/copier/channels/{id}/signals", Owner { refused: 404 }, 200),
        op("GET", "/api/copier/channels/{id}/signals/{seq}/deliveries", Owner { refused: 404 }, 200),
        op("GET", "/api/copier/channels/{id}/followers", ChannelOwner, 200),
        op("DELETE", "/api/copier/channels/{id}/followers/{user_id}", ChannelOwner, 204),
        op("DELETE", "/api/copier/channels/{id}/removed/{user_id}", ChannelOwner, 204),
        op("POST", "/api/copier/channels/{id}/invite", ChannelOwner, 200),
        op("DELETE", "/api/copier/channels/{id}", ChannelOwner, 204),
        // The owner follows the house channel; another user and an admin do not (404).
        op("DELETE", "/api/copier/subscriptions/{channel_id}", Owner { refused: 404 }, 204),
        op("POST", "/api/copier/subscriptions", SignedIn, 201).body(|w, _| {
            Some(json!({"invite_code": w.house_invite, "trade_copy": {"mode": "fix", "fixed_lot": 0.01}}))
        }),
        op("POST", "/users/config", SignedIn, 200)
            .body(|_, _| Some(json!({"trade_copy": {"mode": "multiplier", "multiplier": 2}}))),
        op("POST", "/signal/broadcast", Publisher, 201).body(|_, f| {
            Some(json!({"channel_id": f.channel_id(), "ticket": 9001, "symbol": "EURUSD", "action": "BUY",
                        "volume": 0.1, "price": 1.1}))
        }),
        op("POST", "/signal/close", Publisher, 201)
            .body(|_, f| Some(json!({"channel_id": f.channel_id(), "ticket": 9001}))),
        op("POST", "/signal/modify", Publisher, 201)
            .body(|_, f| Some(json!({"channel_id": f.channel_id(), "ticket": 9001, "sl": 1.05}))),
        // market data
        op("GET", "/api/exchanges", Public, 200),
        op("GET", "/api/exchange/symbols", Public, 200).query("?exchange=binance"),
        op("GET", "/api/market/candles", Public, 200).query("?exchange=binance&symbol=BTC/USDT&timeframe=1h&limit=2"),
        op("GET", "/api/market/history", Public, 200)
            .query("?exchange=binance&symbol=BTC/USDT&timeframe=1d&from=2024-01-01&to=2024-01-05"),
        op("POST", "/api/backtests", SignedIn, 200).body(|_, _| {
            Some(json!({"strategy": "rsi", "exchange": "binance", "symbol": "BTC/USDT", "timeframe": "1d",
                        "from": "2024-01-01", "to": "2024-03-01", "capital": 100}))
        }),
        op("GET", "/api/market/top-gainers", Public, 200),
        op("GET", "/api/market/quotes", Public, 200).query("?pairs=binance:BTC/USDT"),
        op("GET", "/api/cotacao/usd-brl", Public, 200),
        // exchange API keys
        op("GET", "/api/api-keys", SignedIn, 200),
        op("POST", "/api/api-keys", SignedIn, 201).body(|_, _| Some(api_key_body())),
        op("DELETE", "/api/api-keys/{id}", Owner { refused: 404 }, 204),
        op("POST", "/api/api-keys/{id}/test", Owner { refused: 404 }, 200),
        // admin back office
        op("GET", "/api/admin/bots/all", Admin, 200),
        op("DELETE", "/api/admin/bots/{id}", Admin, 204),
        op("PATCH", "/api/admin/bots/{id}/toggle", Admin, 200),
        op("GET", "/api/admin/users", Admin, 200),
        op("PATCH", "/api/admin/users/{id}", Admin, 200).body(|_, _| Some(json!({"plan": "pro"}))),
        op("GET", "/api/admin/payments", Admin, 200),
        op("GET", "/api/admin/settings", Admin, 200),
        op("PUT", "/api/admin/settings", Admin, 200)
            .body(|_, _| Some(json!({"default_fees": {"maker_fee_rate": 0.001, "taker_fee_rate": 0.001}}))),
        op("GET", "/api/admin/audit", Admin, 200),
        op("POST", "/api/admin/vault/rotate", Admin, 200).body(|_, _| Some(json!({}))),
        // payments
        op("POST", "/api/payments/create-checkout", SignedIn, 200).body(|_, _| Some(json!({"plan": "pro"}))),
        op("POST", "/api/payments/webhook", Signed, 400).body(|_, _| {
            Some(json!({"id": "evt_authz", "type": "checkout.session.completed", "data": {"object": {}}}))
        }),
        op("POST", "/api/payments/pix/create", SignedIn, 200).body(|_, _| Some(json!({"plan": "pro"}))),
        // A caller's own subscription only: without a card plan there is nothing to change (409).
        op("GET", "/api/payments/subscription", SignedIn, 200),
        op("POST", "/api/payments/subscription/cancel", SignedIn, 409),
        op("POST", "/api/payments/subscription/resume", SignedIn, 409),
        op("POST", "/api/payments/subscription/plan", SignedIn, 409).body(|_, _| Some(json!({"plan": "premium"}))),
        op("POST", "/api/payments/portal", SignedIn, 409),
        op("POST", "/api/payments/pix/webhook", Signed, 400)
            .query("?data.id=123&type=payment")
            .body(|_, _| Some(json!({"type": "payment", "data": {"id": "123"}}))),
        // bots and paper trading
        op("GET", "/api/bots", SignedIn, 200),
        op("POST", "/api/bots", SignedIn, 201).body(|_, _| Some(bot_body())),
        op("GET", "/api/bots/{id}", Owner { refused: 404 }, 200),
        op("PUT", "/api/bots/{id}", Owner { refused: 404 }, 200).body(|_, _| Some(bot_body())),
        op("DELETE", "/api/bots/{id}", Owner { refused: 404 }, 204),
        op("PATCH", "/api/bots/{id}/toggle", Owner { refused: 404 }, 200),
        op("POST", "/api/bots/{id}/clone", Owner { refused: 404 }, 201),
        op("GET", "/api/bots/{id}/stats", Owner { refused: 404 }, 200),
        op("GET", "/api/trades", SignedIn, 200),
        op("GET", "/api/trades/today", SignedIn, 200),
        op("GET", "/api/trades/stats", SignedIn, 200),
        op("GET", "/api/trades/equity", SignedIn, 200),
        op("GET", "/api/trades/month", SignedIn, 200).query("?year=2026&month=1"),
        // The fixture trade is closed: its owner reaches the business check (409), others never.
        op("POST", "/api/trades/{id}/close", Owner { refused: 404 }, 409),
        op("GET", "/api/bot-activity/recent", SignedIn, 200),
        op("GET", "/api/exchange/balance", SignedIn, 200),
        op("GET", "/api/dashboard/summary", SignedIn, 200),
        op("GET", "/api/bots/{id}/channel", Owner { refused: 404 }, 200),
        op("PUT", "/api/bots/{id}/channel", Owner { refused: 404 }, 200)
            .body(|_, f| Some(json!({"channel_id": f.channel_id()}))),
        op("DELETE", "/api/bots/{id}/channel", Owner { refused: 404 }, 204),
        // live updates and notifications
        op("GET", "/api/stream", SignedIn, 101),
        op("GET", "/api/notifications/telegram", SignedIn, 200),
        op("POST", "/api/notifications/telegram/link", SignedIn, 201),
        op("POST", "/api/notifications/telegram/verify", SignedIn, 200),
        op("DELETE", "/api/notifications/telegram", SignedIn, 204),
        // A fresh caller has no chat set yet: every signed-in caller reaches that check.
        op("POST", "/api/notifications/telegram/test", SignedIn, 409),
    ]
}

fn api_key_body() -> Value {
    json!({"exchange": "binance", "api_key": binance::API_KEY, "secret_key": binance::SECRET_KEY, "label": "authz"})
}

/// The callers shared by every operation, and a channel anyone may join by its invite code.
struct World {
    server: Server,
    admin: Client,
    other: Client,
    /// A user with the `staff` role: no admin route, nobody else's objects.
    staff: Client,
    house_invite: String,
}

/// A fresh owner per operation (destructive calls disturb nothing else), with the objects the
/// operation's path names.
struct Fixture {
    owner: Account,
    client: Client,
    user_id: String,
    bot_id: Option<String>,
    trade_id: Option<String>,
    key_id: Option<String>,
    channel: Option<(String, i64)>,
    /// A follower of the fixture's channel: its user id and client.
    follower: Option<(String, Client)>,
    /// A channel of another publisher that the owner follows.
    followed: Option<String>,
    /// A paid card payment of the owner: its id and its Stripe reference.
    payment: Option<(String, String)>,
}

impl Fixture {
    fn channel_id(&self) -> &str {
        self.channel.as_ref().map(|(id, _)| id.as_str()).expect("the operation needs a channel")
    }
}

fn created(reply: Reply, what: &str) -> Value {
    assert!(matches!(reply.status, 200 | 201), "creating {what}: {} {}", reply.status, reply.body);
    reply.json()
}

impl World {
    fn start() -> World {
        let vars = standins().worker_vars(SimClient::shared());
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let server = Server::start(&vars);
        let admin = server.client().with_token(&admin_token(&server.client()));
        let other = Account::register(&server.client(), "authzother");
        let other = server.client().with_token(&other.access_token);
        let staff = Account::register(&server.client(), "authzstaff");
        let promoted = admin.patch_json(&format!("/api/admin/users/{}", staff.id()), &json!({"role": "staff"}));
        created(promoted, "the staff role");
        let login =
            server.client().post_json("/api/auth/login", &json!({"email": staff.email, "password": staff.password}));
        let staff = server.client().with_token(created(login, "a staff session")["access_token"].as_str().unwrap());
        assert_eq!(staff.get("/api/auth/me").json()["role"], "staff", "the staff caller holds the staff role");
        let publisher = Account::register(&server.client(), "authzhouse");
        let house = server
            .client()
            .with_token(&publisher.access_token)
            .post_json("/api/copier/channels", &json!({"name": "House channel"}));
        let house = created(house, "the house channel");
        let house_invite = house["invite_code"].as_str().unwrap().to_string();
        World { server, admin, other, staff, house_invite }
    }

    fn login(&self, account: &Account) -> Value {
        let reply = self
            .server
            .client()
            .post_json("/api/auth/login", &json!({"email": account.email, "password": account.password}));
        created(reply, "a session")
    }

    fn fixture(&self, path: &str) -> Fixture {
        let owner = Account::register(&self.server.client(), "authzowner");
        let user_id = owner.id().to_string();
        // Premium, so cloning a bot stays within the plan.
        let upgraded = self.admin.patch_json(&format!("/api/admin/users/{user_id}"), &json!({"plan": "premium"}));
        created(upgraded, "the premium plan");
        let client = self.server.client().with_token(&owner.access_token);
        let mut fixture = Fixture {
            owner,
            client,
            user_id,
            bot_id: None,
            trade_id: None,
            key_id: None,
            channel: None,
            follower: None,
            followed: None,
            payment: None,
        };
        if path.contains("/subscriptions/{channel_id}") {
            // A channel of its own publisher: the shared callers may follow the house channel.
            let publisher = Account::register(&self.server.client(), "authzpub");
            let channel = self
                .server
                .client()
                .with_token(&publisher.access_token)
                .post_json("/api/copier/channels", &json!({"name": "Followed channel"}));
            let channel = created(channel, "a followed channel");
            let body = json!({"invite_code": channel["invite_code"], "trade_copy": {"mode": "fix", "fixed_lot": 0.01}});
            created(fixture.client.post_json("/api/copier/subscriptions", &body), "a subscription");
            fixture.followed = channel["id"].as_str().map(str::to_string);
        }
        if path.contains("/bots/{id}") || path.contains("/trades/{id}") {
            let bot = created(fixture.client.post_json("/api/bots", &bot_body()), "a bot");
            fixture.bot_id = Some(bot["id"].as_str().unwrap().to_string());
        }
        if path.contains("/trades/{id}") {
            let bot_id = fixture.bot_id.as_deref().unwrap();
            let trade_id = format!("{bot_id}:authz");
            self.server.d1_execute(&format!(
                "INSERT INTO trades (id, bot_id, user_id, exchange, symbol, quote_currency, status, entry_price, \
                 exit_price, quantity, cost, fees, profit_loss, profit_pct, entry_ms, exit_ms, exit_reason, \
                 cost_units, fees_units, pnl_units) VALUES \
                 ('{trade_id}', '{bot_id}', '{}', 'binance', 'BTC/USDT', 'USDT', 'closed', '100', '101', '1', \
                 '100', '0.2', '0.8', '0.8', 1700000000000, 1700000060000, 'take_profit', 10000000000, 20000000, 80000000)",
                fixture.user_id
            ));
            fixture.trade_id = Some(trade_id);
        }
        if path.contains("+payment") {
            // A paid checkout as the Stripe webhook stores it (the signed path is tested in payments.rs).
            let (id, reference) = (format!("pay_authz_{}", fixture.user_id), format!("cs_authz_{}", fixture.user_id));
            self.server.d1_execute(&format!(
                "INSERT INTO payments (id, user_id, provider, provider_ref, kind, plan, amount, currency, status, \
                 created_at, updated_at) VALUES ('{id}', '{}', 'stripe', '{reference}', 'checkout', 'pro', '29.00', \
                 'usd', 'paid', '2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z')",
                fixture.user_id
            ));
            fixture.payment = Some((id, reference));
        }
        if path.contains("/api-keys/{id}") {
            let key = created(fixture.client.post_json("/api/api-keys", &api_key_body()), "an API key");
            fixture.key_id = Some(key["id"].as_str().unwrap().to_string());
        }
        if path.contains("/channels/{id}")
            || path == "/ws"
            || path.starts_with("/signal/")
            || path.ends_with("/channel")
        {
            let channel = created(
                fixture.client.post_json("/api/copier/channels", &json!({"name": "Owned channel"})),
                "a channel",
            );
            let id = channel["id"].as_str().unwrap().to_string();
            let signal = json!({"channel_id": id, "ticket": 1, "symbol": "EURUSD", "action": "BUY",
                                "volume": 0.1, "price": 1.1});
            let seq =
                created(fixture.client.post_json("/signal/broadcast", &signal), "a signal")["seq"].as_i64().unwrap();
            let fan = Account::register(&self.server.client(), "authzfan");
            let fan_client = self.server.client().with_token(&fan.access_token);
            let body = json!({"invite_code": channel["invite_code"], "trade_copy": {"mode": "fix", "fixed_lot": 0.01}});
            created(fan_client.post_json("/api/copier/subscriptions", &body), "a follower");
            if path.contains("/removed/") {
                // A removal to lift: the follower was removed (it still calls, as a non-member).
                let removal = fixture.client.delete(&format!("/api/copier/channels/{id}/followers/{}", fan.id()));
                assert_eq!(removal.status, 204, "a removal: {}", removal.body);
            }
            fixture.follower = Some((fan.id().to_string(), fan_client));
            fixture.channel = Some((id, seq));
        }
        fixture
    }
}

/// The concrete path of `op` for this fixture's objects.
fn concrete_path(op: &Op, fixture: &Fixture) -> String {
    let id = if op.path.starts_with("/api/admin/users/") {
        Some(fixture.user_id.clone())
    } else if op.path.contains("/bots/{id}") {
        fixture.bot_id.clone()
    } else if op.path.contains("/trades/{id}") {
        fixture.trade_id.clone()
    } else if op.path.contains("/api-keys/{id}") {
        fixture.key_id.clone()
    } else {
        fixture.channel.as_ref().map(|(id, _)| id.clone())
    };
    let mut path = op.path.to_string();
    if path.contains("{id}") {
        path = path.replace("{id}", &id.expect("a fixture object for {id}"));
    }
    if let Some((_, seq)) = &fixture.channel {
        path = path.replace("{seq}", &seq.to_string());
    }
    if let Some((follower_id, _)) = &fixture.follower {
        path = path.replace("{user_id}", follower_id);
    }
    if let Some(followed) = &fixture.followed {
        path = path.replace("{channel_id}", followed);
    }
    assert!(!path.contains('{'), "no fixture fills every parameter of {}", op.path);
    if op.path == "/ws" {
        return format!("/ws?channel_id={}", fixture.channel_id());
    }
    format!("{path}{}", op.query)
}

/// One call: the status and, for anything but a websocket, the reply.
fn call(world: &World, op: &Op, fixture: &Fixture, client: &Client) -> (u16, Option<Reply>) {
    let path = concrete_path(op, fixture);
    if op.path == "/api/stream" {
        let token = client.token.clone().unwrap_or_default();
        return match Socket::open(
            &world.server,
            "/api/stream",
            &[("sec-websocket-protocol", &format!("bearer, {token}"))],
        ) {
            Ok(socket) => {
                socket.close();
                (101, None)
            }
            Err(status) => (status, None),
        };
    }
    if op.path == "/ws" {
        let token = client.token.clone().unwrap_or_default();
        return match Socket::connect(&world.server, &token, fixture.channel_id(), None) {
            Ok(socket) => {
                socket.close();
                (101, None)
            }
            Err(status) => (status, None),
        };
    }
    let body = (op.body)(world, fixture).map(|b| b.to_string().into_bytes());
    let headers: &[(&str, &str)] = if body.is_some() { &[("content-type", "application/json")] } else { &[] };
    let reply = client.send(op.method, &path, body, headers);
    (reply.status, Some(reply))
}

fn expect(label: &str, op: &Op, (status, reply): (u16, Option<Reply>), wanted: u16) {
    let body = reply.as_ref().map(|r| r.body.as_str()).unwrap_or("");
    assert_eq!(status, wanted, "{} {} as {label}: {body}", op.method, op.path);
    if let Some(reply) = reply.filter(|r| r.status >= 400) {
        reply.error_code();
    }
}

/// Ids of the fixture's objects, none of which another caller's answer may contain.
fn owned_ids(fixture: &Fixture) -> Vec<String> {
    let mut ids = vec![fixture.user_id.clone(), fixture.owner.email.clone()];
    ids.extend(fixture.bot_id.clone());
    ids.extend(fixture.key_id.clone());
    ids.extend(fixture.channel.as_ref().map(|(id, _)| id.clone()));
    if let Some((id, reference)) = &fixture.payment {
        ids.extend([id.clone(), reference.clone()]);
    }
    ids
}

fn check(world: &World, op: &Op) {
    let fixture = world.fixture(op.path);
    let anonymous = world.server.client();
    let (owner, other, admin, staff) = (&fixture.client, &world.other, &world.admin, &world.staff);
    match op.access {
        Public => {
            for (label, client) in
                [("anonymous", &anonymous), ("other", other), ("staff", staff), ("admin", admin), ("owner", owner)]
            {
                expect(label, op, call(world, op, &fixture, client), op.ok);
            }
        }
        SignedIn => {
            expect("anonymous", op, call(world, op, &fixture, &anonymous), 401);
            // A rich fixture (a bot with a closed trade, a key, a channel with a signal, a paid
            // payment): the other callers' answers must not show the owner's objects, not even
            // when they name the owner's bot in `bot_id`.
            let rich = world.fixture("/api/bots/{id} /trades/{id} /api-keys/{id} /channels/{id} +payment");
            let (payment, _) = rich.payment.as_ref().unwrap();
            let listed = world.admin.get(&format!("/api/admin/payments?user_id={}", rich.user_id));
            assert!(listed.body.contains(payment.as_str()), "the fixture holds a payment: {}", listed.body);
            for (label, client) in [("other", other), ("staff", staff), ("admin", admin)] {
                let (status, reply) = call(world, op, &rich, client);
                let body = reply.as_ref().map(|r| r.body.clone()).unwrap_or_default();
                expect(label, op, (status, reply), op.ok);
                for id in owned_ids(&rich) {
                    assert!(!body.contains(&id), "{} {} as {label} shows the owner's {id}: {body}", op.method, op.path);
                }
                if op.method == "GET" && op.path.starts_with("/api/trades") {
                    let path = concrete_path(op, &rich);
                    let joiner = if path.contains('?') { '&' } else { '?' };
                    let foreign = format!("{path}{joiner}bot_id={}", rich.bot_id.as_deref().unwrap());
                    let reply = client.get(&foreign);
                    assert!(matches!(reply.status, 200 | 404), "{foreign} as {label}: {} {}", reply.status, reply.body);
                    for id in owned_ids(&rich).iter().chain(&rich.trade_id) {
                        assert!(
                            !reply.body.contains(id.as_str()),
                            "{foreign} as {label} shows the owner's {id}: {}",
                            reply.body
                        );
                    }
                }
            }
            expect("owner", op, call(world, op, &fixture, owner), op.ok);
        }
        Owner { refused } => {
            expect("anonymous", op, call(world, op, &fixture, &anonymous), 401);
            expect("other", op, call(world, op, &fixture, other), refused);
            expect("staff", op, call(world, op, &fixture, staff), refused);
            expect("admin", op, call(world, op, &fixture, admin), refused);
            expect("owner", op, call(world, op, &fixture, owner), op.ok);
        }
        Publisher => {
            expect("anonymous", op, call(world, op, &fixture, &anonymous), 401);
            expect("other", op, call(world, op, &fixture, other), 403);
            expect("staff", op, call(world, op, &fixture, staff), 403);
            expect("admin", op, call(world, op, &fixture, admin), 403);
            expect("owner", op, call(world, op, &fixture, owner), op.ok);
        }
        ChannelOwner => {
            let (_, follower) = fixture.follower.as_ref().expect("a channel fixture has a follower");
            expect("anonymous", op, call(world, op, &fixture, &anonymous), 401);
            expect("follower", op, call(world, op, &fixture, follower), 404);
            expect("other", op, call(world, op, &fixture, other), 404);
            expect("staff", op, call(world, op, &fixture, staff), 404);
            expect("admin", op, call(world, op, &fixture, admin), 404);
            expect("owner", op, call(world, op, &fixture, owner), op.ok);
        }
        Admin => {
            expect("anonymous", op, call(world, op, &fixture, &anonymous), 401);
            expect("owner", op, call(world, op, &fixture, owner), 403);
            expect("other", op, call(world, op, &fixture, other), 403);
            expect("staff", op, call(world, op, &fixture, staff), 403);
            expect("admin", op, call(world, op, &fixture, admin), op.ok);
        }
        Signed => {
            for (label, client) in [("anonymous", &anonymous), ("owner", owner), ("other", other), ("admin", admin)] {
                let answer = call(world, op, &fixture, client);
                let code = answer.1.as_ref().map(Reply::error_code);
                expect(label, op, answer, op.ok);
                assert_eq!(code.as_deref(), Some("invalid_signature"), "{} {} as {label}", op.method, op.path);
            }
        }
    }
}

/// `(METHOD, path)` of every operation the served document lists.
fn documented(server: &Server) -> BTreeSet<(String, String)> {
    let reply = server.client().get("/api/openapi.json");
    assert_eq!(reply.status, 200);
    let document = reply.json();
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in item.as_object().unwrap().keys() {
            if ["get", "put", "post", "delete", "patch", "head", "options", "trace"].contains(&method.as_str()) {
                operations.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    operations
}

fn every_operation_against_every_caller(_shared: &Server) {
    let world = World::start();
    let table = table();
    let listed: BTreeSet<(String, String)> =
        table.iter().map(|op| (op.method.to_string(), op.path.to_string())).collect();
    assert_eq!(listed.len(), table.len(), "an operation is listed twice in the matrix");
    let documented = documented(&world.server);
    let missing: Vec<_> = documented.difference(&listed).collect();
    assert!(missing.is_empty(), "operations with no access class in tests/e2e/authz.rs: {missing:?}");
    let stale: Vec<_> = listed.difference(&documented).collect();
    assert!(stale.is_empty(), "matrix entries the OpenAPI document does not list: {stale:?}");
    for op in &table {
        check(&world, op);
    }
}
