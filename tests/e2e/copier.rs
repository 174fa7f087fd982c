//! The trade copier over real websockets: channels, per-follower sizing, idempotent
//! broadcasts, resume without loss or repetition, close/modify, membership, shards, deliveries.

use auronex_e2e::{Account, Client, Server, Socket};
use serde_json::{json, Value};

pub const TESTS: &[crate::Test] = &[
    ("copier::channels_and_subscriptions", channels_and_subscriptions),
    ("copier::followers_get_their_own_sizing", followers_get_their_own_sizing),
    ("copier::a_retried_broadcast_is_one_signal", a_retried_broadcast_is_one_signal),
    ("copier::outsiders_cannot_connect_or_publish", outsiders_cannot_connect_or_publish),
    ("copier::resume_after_100_signals_is_exact", resume_after_100_signals_is_exact),
    ("copier::resume_message_replays_in_order", resume_message_replays_in_order),
    ("copier::a_long_resume_keeps_order_while_signals_flow", a_long_resume_keeps_order_while_signals_flow),
    ("copier::close_and_modify_reach_everyone", close_and_modify_reach_everyone),
    ("copier::signals_are_validated", signals_are_validated),
    ("copier::many_followers_span_shards_and_ack", many_followers_span_shards_and_ack),
    ("copier::a_new_sizing_reaches_open_connections", a_new_sizing_reaches_open_connections),
];

pub(crate) struct Channel {
    pub master: Account,
    pub id: String,
    pub invite: String,
}

pub(crate) fn as_user(server: &Server, account: &Account) -> Client {
    server.client().with_token(&account.access_token)
}

pub(crate) fn channel(server: &Server) -> Channel {
    let master = Account::register(&server.client(), "master");
    let reply = as_user(server, &master).post_json("/api/copier/channels", &json!({"name": "Gold scalps"}));
    assert_eq!(reply.status, 201, "{}", reply.body);
    let body = reply.json();
    Channel { id: body["id"].as_str().unwrap().into(), invite: body["invite_code"].as_str().unwrap().into(), master }
}

pub(crate) fn follower(server: &Server, channel: &Channel, trade_copy: Value) -> Account {
    let account = Account::register(&server.client(), "follower");
    let reply = as_user(server, &account)
        .post_json("/api/copier/subscriptions", &json!({"invite_code": channel.invite, "trade_copy": trade_copy}));
    assert_eq!(reply.status, 201, "{}", reply.body);
    account
}

pub(crate) fn open(socket_owner: &Account, server: &Server, channel: &Channel, last_seq: Option<i64>) -> Socket {
    let mut socket = Socket::connect(server, &socket_owner.access_token, &channel.id, last_seq).expect("connect");
    assert_eq!(socket.next()["type"], "hello");
    socket
}

fn broadcast(server: &Server, channel: &Channel, body: Value) -> Value {
    let mut body = body;
    body["channel_id"] = json!(channel.id);
    let reply = as_user(server, &channel.master).post_json("/signal/broadcast", &body);
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()
}

fn buy(ticket: i64, volume: f64) -> Value {
    json!({"ticket": ticket, "symbol": "XAUUSD", "action": "BUY", "volume": volume, "price": 2400.5, "sl": 2390, "tp": 2420})
}

fn channels_and_subscriptions(server: &Server) {
    let channel = channel(server);
    let fan = follower(server, &channel, json!({"mode": "fix", "fixed_lot": 0.05}));
    let listed = as_user(server, &fan).get("/api/copier/channels").json();
    assert_eq!(listed[0]["role"], "follower");
    assert_eq!(listed[0]["trade_copy"]["fixed_lot"], 0.05);
    assert!(listed[0]["invite_code"].is_null(), "followers do not see the invite code");
    let mine = as_user(server, &channel.master).get("/api/copier/channels").json();
    assert_eq!((mine[0]["role"].as_str(), mine[0]["followers"].as_i64()), (Some("publisher"), Some(1)));

    let someone = Account::register(&server.client(), "cfg");
    let bad = as_user(server, &someone).post_json(
        "/api/copier/subscriptions",
        &json!({"invite_code": channel.invite, "trade_copy": {"mode": "double"}}),
    );
    assert_eq!((bad.status, bad.json()["error"]["field"].as_str()), (422, Some("trade_copy.mode")));
    let bad = as_user(server, &someone).post_json(
        "/api/copier/subscriptions",
        &json!({"invite_code": channel.invite, "trade_copy": {"multiplier": -1}}),
    );
    assert_eq!((bad.status, bad.json()["error"]["field"].as_str()), (422, Some("trade_copy.multiplier")));
    let unknown = as_user(server, &someone).post_json("/api/copier/subscriptions", &json!({"invite_code": "NOPE"}));
    assert_eq!((unknown.status, unknown.json()["error"]["field"].as_str()), (422, Some("invite_code")));

    let defaults = as_user(server, &someone)
        .post_json("/users/config", &json!({"trade_copy": {"mode": "multiplier", "multiplier": 3}}));
    assert_eq!(defaults.status, 200, "{}", defaults.body);
    let joined =
        as_user(server, &someone).post_json("/api/copier/subscriptions", &json!({"invite_code": channel.invite}));
    assert_eq!(joined.json()["trade_copy"]["multiplier"], 3, "the caller's default sizing applies");
    assert_eq!(server.client().get("/api/copier/channels").status, 401);
}

fn followers_get_their_own_sizing(server: &Server) {
    let channel = channel(server);
    let fixed = follower(server, &channel, json!({"mode": "fix", "fixed_lot": 0.05}));
    let doubled = follower(server, &channel, json!({"mode": "multiplier", "multiplier": 2}));
    let mut fixed_socket = open(&fixed, server, &channel, None);
    let mut doubled_socket = open(&doubled, server, &channel, None);
    let mut master_socket = open(&channel.master, server, &channel, None);

    let accepted = broadcast(server, &channel, buy(5001, 0.1));
    let seq = accepted["seq"].as_i64().unwrap();
    let got_fixed = fixed_socket.next_event();
    let got_doubled = doubled_socket.next_event();
    let got_master = master_socket.next_event();
    for message in [&got_fixed, &got_doubled, &got_master] {
        assert_eq!(message["type"], "signal");
        assert_eq!(message["seq"], seq);
        assert_eq!(message["data"]["ticket"], "5001");
        assert_eq!(message["data"]["action"], "BUY");
        assert_eq!(message["data"]["sl"].as_f64(), Some(2390.0));
    }
    assert_eq!(got_fixed["data"]["volume"], 0.05);
    assert_eq!(got_doubled["data"]["volume"], 0.2);
    assert_eq!(got_doubled["data"]["master_volume"], 0.1);
    assert_eq!(got_master["data"]["volume"], 0.1, "the publisher sees its own volume");
    fixed_socket.assert_quiet();
    doubled_socket.assert_quiet();
}

fn a_retried_broadcast_is_one_signal(server: &Server) {
    let channel = channel(server);
    let fan = follower(server, &channel, json!({}));
    let mut socket = open(&fan, server, &channel, None);
    let first = broadcast(server, &channel, buy(7001, 0.3));
    let again = broadcast(server, &channel, buy(7001, 0.3));
    assert_eq!(first["seq"], again["seq"]);
    assert_eq!(first["signal_id"], again["signal_id"]);
    assert_eq!((first["duplicate"].as_bool(), again["duplicate"].as_bool()), (Some(false), Some(true)));
    assert_eq!(socket.next_event()["seq"], first["seq"]);
    socket.assert_quiet();
    let sell = broadcast(
        server,
        &channel,
        json!({"ticket": 7001, "symbol": "XAUUSD", "action": "SELL", "volume": 0.3, "price": 2400}),
    );
    assert_ne!(sell["seq"], first["seq"], "another action on the ticket is another signal");
}

fn outsiders_cannot_connect_or_publish(server: &Server) {
    let channel = channel(server);
    let fan = follower(server, &channel, json!({}));
    let outsider = Account::register(&server.client(), "outsider");
    assert_eq!(Socket::connect(server, &outsider.access_token, &channel.id, None).err(), Some(403));
    assert_eq!(Socket::connect(server, "forged", &channel.id, None).err(), Some(401));
    assert_eq!(Socket::connect(server, &outsider.access_token, "no-such-channel", None).err(), Some(404));
    let mut body = buy(1, 0.1);
    body["channel_id"] = json!(channel.id);
    for account in [&outsider, &fan] {
        let reply = as_user(server, account).post_json("/signal/broadcast", &body);
        assert_eq!(reply.status, 403, "{}", reply.body);
    }
    assert_eq!(server.client().post_json("/signal/broadcast", &body).status, 401);
    let deliveries = as_user(server, &fan).get(&format!("/api/copier/channels/{}/signals/1/deliveries", channel.id));
    assert_eq!(deliveries.status, 403);
    let history = as_user(server, &outsider).get(&format!("/api/copier/channels/{}/signals", channel.id));
    assert_eq!(history.status, 404, "outsiders do not learn the channel exists");
}

fn resume_after_100_signals_is_exact(server: &Server) {
    let channel = channel(server);
    let fan = follower(server, &channel, json!({"mode": "multiplier", "multiplier": 1}));
    let mut socket = open(&fan, server, &channel, None);
    let mut last_seen = 0;
    for ticket in 0..5 {
        broadcast(server, &channel, buy(9000 + ticket, 0.1));
        last_seen = socket.next_event()["seq"].as_i64().unwrap();
    }
    socket.close();
    let mut sent = Vec::new();
    for ticket in 5..105 {
        sent.push(broadcast(server, &channel, buy(9000 + ticket, 0.1))["seq"].as_i64().unwrap());
    }
    let mut socket = open(&fan, server, &channel, Some(last_seen));
    let received: Vec<i64> = (0..100).map(|_| socket.next_event()["seq"].as_i64().unwrap()).collect();
    assert_eq!(received, sent, "every missed signal exactly once, in order");
    let live = broadcast(server, &channel, buy(9999, 0.1))["seq"].as_i64().unwrap();
    assert_eq!(socket.next_event()["seq"], live, "then live ones, with nothing repeated");
    socket.assert_quiet();
    let history = as_user(server, &fan)
        .get(&format!("/api/copier/channels/{}/signals?after_seq={last_seen}&limit=1000", channel.id));
    assert_eq!(history.json()["items"].as_array().unwrap().len(), 101);
}

fn resume_message_replays_in_order(server: &Server) {
    let channel = channel(server);
    let fan = follower(server, &channel, json!({}));
    let seqs: Vec<i64> =
        (0..3).map(|t| broadcast(server, &channel, buy(3000 + t, 0.2))["seq"].as_i64().unwrap()).collect();
    let mut socket = open(&fan, server, &channel, None);
    socket.assert_quiet();
    socket.send(&json!({"type": "resume", "last_seq": seqs[0]}));
    assert_eq!(socket.next_event()["seq"], seqs[1]);
    assert_eq!(socket.next_event()["seq"], seqs[2]);
    socket.assert_quiet();
    socket.send(&json!({"type": "nonsense"}));
    assert_eq!(socket.next_event()["code"], "bad_message");
}

/// A resume of 1,000 signals (five paced batches) while the publisher keeps sending: the
/// resuming follower gets every signal once, in order, the live ones after the replayed ones;
/// a follower already live gets the live ones meanwhile.
fn a_long_resume_keeps_order_while_signals_flow(server: &Server) {
    let channel = channel(server);
    let resumer = follower(server, &channel, json!({"mode": "multiplier", "multiplier": 1}));
    let live = follower(server, &channel, json!({"mode": "multiplier", "multiplier": 2}));
    let mut history: Vec<i64> = std::thread::scope(|scope| {
        let posters: Vec<_> = (0..4)
            .map(|part| {
                let channel = &channel;
                scope.spawn(move || {
                    (0..250)
                        .map(|n| {
                            broadcast(server, channel, buy(100_000 + part * 1_000 + n, 0.1))["seq"].as_i64().unwrap()
                        })
                        .collect::<Vec<i64>>()
                })
            })
            .collect();
        posters.into_iter().flat_map(|poster| poster.join().unwrap()).collect()
    });
    history.sort_unstable();
    let mut live_socket = open(&live, server, &channel, None);
    let (flowing, replayed) = std::thread::scope(|scope| {
        let channel = &channel;
        let poster = scope.spawn(move || {
            (0..30)
                .map(|n| {
                    std::thread::sleep(std::time::Duration::from_millis(15));
                    broadcast(server, channel, buy(200_000 + n, 0.1))["seq"].as_i64().unwrap()
                })
                .collect::<Vec<i64>>()
        });
        let mut socket = open(&resumer, server, channel, Some(0));
        let received: Vec<i64> = (0..1_030).map(|_| socket.next_event()["seq"].as_i64().unwrap()).collect();
        socket.assert_quiet();
        socket.close();
        (poster.join().unwrap(), received)
    });
    let mut expected = history.clone();
    expected.extend(&flowing);
    assert_eq!(replayed.len(), expected.len());
    let out_of_order: Vec<(i64, i64)> =
        replayed.windows(2).filter(|w| w[1] != w[0] + 1).map(|w| (w[0], w[1])).collect();
    assert!(out_of_order.is_empty(), "every signal once, in seq order: breaks at {out_of_order:?}");
    assert_eq!(replayed, expected, "the log, then the live signals");
    let live_got: Vec<i64> = (0..30).map(|_| live_socket.next_event()["seq"].as_i64().unwrap()).collect();
    assert_eq!(live_got, flowing, "the live follower got the live signals meanwhile");
    live_socket.assert_quiet();
}

fn close_and_modify_reach_everyone(server: &Server) {
    let channel = channel(server);
    let fans: Vec<Account> =
        (0..3).map(|_| follower(server, &channel, json!({"mode": "multiplier", "multiplier": 2}))).collect();
    let mut sockets: Vec<Socket> = fans.iter().map(|fan| open(fan, server, &channel, None)).collect();
    broadcast(server, &channel, buy(4242, 0.5));
    let master = as_user(server, &channel.master);
    let modify = master.post_json("/signal/modify", &json!({"channel_id": channel.id, "ticket": 4242, "sl": 2395}));
    assert_eq!(modify.status, 201, "{}", modify.body);
    let close = master.post_json("/signal/close", &json!({"channel_id": channel.id, "ticket": "4242", "volume": 0.25}));
    assert_eq!(close.status, 201, "{}", close.body);
    let again = master.post_json("/signal/close", &json!({"channel_id": channel.id, "ticket": "4242", "volume": 0.25}));
    assert_eq!(again.json()["seq"], close.json()["seq"], "a retried close is the same close");
    for socket in &mut sockets {
        assert_eq!(socket.next_event()["type"], "signal");
        let modified = socket.next_event();
        assert_eq!((modified["type"].as_str(), modified["data"]["sl"].as_f64()), (Some("modify"), Some(2395.0)));
        let closed = socket.next_event();
        assert_eq!(closed["type"], "close");
        assert_eq!(closed["data"]["ticket"], "4242");
        assert_eq!(closed["data"]["volume"], 0.5, "a partial close is sized like the open");
        socket.assert_quiet();
    }
}

fn signals_are_validated(server: &Server) {
    let channel = channel(server);
    let master = as_user(server, &channel.master);
    let cases = [
        (json!({"ticket": 1, "symbol": "EURUSD", "action": "BUY", "volume": 0.1, "price": 1.08, "sl": 1.09}), "sl"),
        (json!({"ticket": 1, "symbol": "EURUSD", "action": "SELL", "volume": 0.1, "price": 1.08, "tp": 1.09}), "tp"),
        (json!({"ticket": 1, "symbol": "EURUSD", "action": "BUY", "volume": 0, "price": 1.08}), "volume"),
        (json!({"ticket": 1, "symbol": "EURUSD", "action": "BUY", "volume": "abc", "price": 1.08}), "volume"),
        (json!({"ticket": 1, "symbol": "EURUSD", "action": "BUY", "volume": 0.1, "price": -1}), "price"),
        (json!({"ticket": 1, "symbol": "EURUSD", "action": "HOLD", "volume": 0.1, "price": 1.08}), "action"),
        (json!({"ticket": 1, "symbol": "EUR USD", "action": "BUY", "volume": 0.1, "price": 1.08}), "symbol"),
        (json!({"ticket": 1.5, "symbol": "EURUSD", "action": "BUY", "volume": 0.1, "price": 1.08}), "ticket"),
        (json!({"symbol": "EURUSD", "action": "BUY", "volume": 0.1, "price": 1.08}), "ticket"),
    ];
    for (body, field) in cases {
        let reply = master.post_json("/signal/broadcast", &body);
        assert_eq!(reply.status, 422, "{body}: {}", reply.body);
        assert_eq!(reply.json()["error"]["field"], field, "{body}");
    }
    let ok = master.post_json(
        "/signal/broadcast",
        &json!({"ticket": "s-1", "symbol": "EURUSD", "action": "BUY", "volume": "0.1", "price": "1.08"}),
    );
    assert_eq!(ok.status, 201, "numeric strings are accepted, and the first channel is the default: {}", ok.body);
    let nobody = Account::register(&server.client(), "nochannel");
    let reply = as_user(server, &nobody).post_json("/signal/broadcast", &buy(1, 0.1));
    assert_eq!((reply.status, reply.json()["error"]["field"].as_str()), (422, Some("channel_id")));
    let modify = master.post_json("/signal/modify", &json!({"ticket": 1}));
    assert_eq!(modify.status, 422);
}

fn many_followers_span_shards_and_ack(server: &Server) {
    let channel = channel(server);
    let fans: Vec<Account> =
        (0..5).map(|_| follower(server, &channel, json!({"mode": "fix", "fixed_lot": 0.01}))).collect();
    let mut sockets: Vec<Socket> = fans.iter().map(|fan| open(fan, server, &channel, None)).collect();
    let seq = broadcast(server, &channel, buy(8080, 1.0))["seq"].as_i64().unwrap();
    for (index, socket) in sockets.iter_mut().enumerate() {
        let message = socket.next_event();
        assert_eq!(message["seq"], seq, "follower {index} (shard size 2, so three shards)");
        socket.send(&json!({"type": "ack", "seq": seq, "client_ticket": 100 + index}));
        socket.assert_quiet();
    }
    let deliveries =
        as_user(server, &channel.master).get(&format!("/api/copier/channels/{}/signals/{seq}/deliveries", channel.id));
    assert_eq!(deliveries.status, 200, "{}", deliveries.body);
    let items = deliveries.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 5, "{items:?}");
    let mut tickets: Vec<String> =
        items.iter().map(|item| item["client_ticket"].as_str().unwrap().to_string()).collect();
    tickets.sort();
    assert_eq!(tickets, vec!["100", "101", "102", "103", "104"]);
    assert!(items.iter().all(|item| item["sent_at"].is_string() && item["ack_delay_ms"].is_i64()));
}

fn a_new_sizing_reaches_open_connections(server: &Server) {
    let channel = channel(server);
    let others: Vec<Account> =
        (0..2).map(|_| follower(server, &channel, json!({"mode": "multiplier", "multiplier": 1}))).collect();
    let mut other_sockets: Vec<Socket> = others.iter().map(|other| open(other, server, &channel, None)).collect();
    let fan = follower(server, &channel, json!({"mode": "multiplier", "multiplier": 2}));
    // Shard size 2: the first two sockets fill shard 0, so this one opens shard 1.
    let mut socket = open(&fan, server, &channel, None);
    broadcast(server, &channel, buy(6001, 0.1));
    assert_eq!(socket.next_event()["data"]["volume"], 0.2);

    let changed = as_user(server, &fan).post_json(
        "/api/copier/subscriptions",
        &json!({"invite_code": channel.invite, "trade_copy": {"mode": "fix", "fixed_lot": 0.03}}),
    );
    assert_eq!(changed.status, 201, "{}", changed.body);
    broadcast(server, &channel, buy(6002, 0.1));
    let after = socket.next_event();
    assert_eq!(
        (after["data"]["ticket"].as_str(), after["data"]["volume"].as_f64()),
        (Some("6002"), Some(0.03)),
        "the open connection sizes with the new config, without reconnecting: {after}"
    );
    for other in &mut other_sockets {
        let volumes: Vec<f64> = (0..2).map(|_| other.next_event()["data"]["volume"].as_f64().unwrap()).collect();
        assert_eq!(volumes, vec![0.1, 0.1], "other followers keep their own sizing");
        other.assert_quiet();
    }
    socket.assert_quiet();
}
