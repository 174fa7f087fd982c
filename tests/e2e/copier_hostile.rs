//! The copier against hostile followers: a `trade_copy` outside the documented bounds is a 422
//! naming its field wherever it can be set; one stored before the bounds (written straight into
//! D1 here, since the API refuses it) gets `sizing_failed` errors while every other follower,
//! in the same shard or another, gets every signal live and on resume, and the publisher's
//! broadcasts all answer. Acks are validated (nothing stored for a future seq or an oversized
//! client ticket), and an open replayed later than the follower's `max_signal_age_s` arrives
//! marked stale.

use std::time::Duration;

use auronex_e2e::{Account, Server};
use serde_json::{json, Value};

use crate::copier::{as_user, channel, follower, open, Channel};

pub const TESTS: &[crate::Test] = &[
    ("copier_hostile::out_of_bounds_sizing_is_refused_by_field", out_of_bounds_sizing_is_refused_by_field),
    ("copier_hostile::a_stored_hostile_sizing_stops_no_one_else", a_stored_hostile_sizing_stops_no_one_else),
    ("copier_hostile::acks_are_validated", acks_are_validated),
    ("copier_hostile::late_opens_arrive_marked_stale", late_opens_arrive_marked_stale),
];

fn subscribe(server: &Server, account: &Account, channel: &Channel, trade_copy: Value) -> Value {
    let reply = as_user(server, account)
        .post_json("/api/copier/subscriptions", &json!({"invite_code": channel.invite, "trade_copy": trade_copy}));
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()
}

fn post(server: &Server, channel: &Channel, path: &str, body: Value) -> i64 {
    let mut body = body;
    body["channel_id"] = json!(channel.id);
    let reply = as_user(server, &channel.master).post_json(path, &body);
    assert_eq!(reply.status, 201, "{path} {body}: {}", reply.body);
    reply.json()["seq"].as_i64().unwrap()
}

fn buy(ticket: &str, volume: f64) -> Value {
    json!({"ticket": ticket, "symbol": "XAUUSD", "action": "BUY", "volume": volume, "price": 2400.5})
}

fn field(reply: &auronex_e2e::Reply) -> (u16, String) {
    (reply.status, reply.json()["error"]["field"].as_str().unwrap_or_default().to_string())
}

fn out_of_bounds_sizing_is_refused_by_field(server: &Server) {
    let channel = channel(server);
    let fan = Account::register(&server.client(), "boundsfan");
    let client = as_user(server, &fan);
    let cases = [
        (json!({"multiplier": 7.9e28}), "multiplier"),
        (json!({"multiplier": "79000000000000000000000000000"}), "multiplier"),
        (json!({"multiplier": 1000.5}), "multiplier"),
        (json!({"multiplier": 0}), "multiplier"),
        (json!({"lot_step": 1e-28}), "lot_step"),
        (json!({"lot_step": 0.000000001}), "lot_step"),
        (json!({"lot_step": 1000001}), "lot_step"),
        (json!({"mode": "fix", "fixed_lot": 1000001}), "fixed_lot"),
        (json!({"min_lot": 0}), "min_lot"),
        (json!({"max_lot": 1e7}), "max_lot"),
        (json!({"min_lot": 5, "max_lot": 1}), "max_lot"),
        (json!({"max_slippage_points": 1e10}), "max_slippage_points"),
        (json!({"max_spread_points": -1}), "max_spread_points"),
        (json!({"max_exposure_trades": 1000001}), "max_exposure_trades"),
        (json!({"max_exposure_lots": 1e10}), "max_exposure_lots"),
        (json!({"max_drawdown_pct": 101}), "max_drawdown_pct"),
        (json!({"max_signal_age_s": 0}), "max_signal_age_s"),
        (json!({"max_signal_age_s": 604801}), "max_signal_age_s"),
    ];
    for (trade_copy, name) in &cases {
        let want = (422, format!("trade_copy.{name}"));
        let subscribe = client
            .post_json("/api/copier/subscriptions", &json!({"invite_code": channel.invite, "trade_copy": trade_copy}));
        assert_eq!(field(&subscribe), want, "subscribe {trade_copy}: {}", subscribe.body);
        let config = client.post_json("/users/config", &json!({"trade_copy": trade_copy}));
        assert_eq!(field(&config), want, "/users/config {trade_copy}: {}", config.body);
    }
    assert!(as_user(server, &channel.master).get("/api/copier/channels").json()[0]["followers"] == 0, "nothing stored");

    // The bounds themselves are accepted; changing a subscription is held to the same bounds.
    let edges = json!({"mode": "multiplier", "multiplier": 1000, "lot_step": 0.00000001, "min_lot": 0.00000001,
                       "max_lot": 1000000, "fixed_lot": 1000000, "max_slippage_points": 1000000000,
                       "max_exposure_trades": 1000000, "max_drawdown_pct": 100, "max_signal_age_s": 604800});
    subscribe(server, &fan, &channel, edges.clone());
    for (trade_copy, name) in &cases[..3] {
        let change = client
            .post_json("/api/copier/subscriptions", &json!({"invite_code": channel.invite, "trade_copy": trade_copy}));
        assert_eq!(field(&change), (422, format!("trade_copy.{name}")), "{}", change.body);
    }
    let listed = client.get("/api/copier/channels").json();
    assert_eq!(listed[0]["trade_copy"]["multiplier"], 1000, "the refused change left the sizing as it was: {listed}");

    // A default stored before the bounds is not copied into a new subscription.
    let other = Account::register(&server.client(), "boundsdefault");
    server.d1_execute(&format!(
        "INSERT INTO copier_defaults (user_id, trade_copy, updated_at) VALUES ('{}', \
         '{{\"mode\":\"multiplier\",\"multiplier\":\"79000000000000000000000000000\"}}', '2026-01-01T00:00:00Z')",
        other.id()
    ));
    let joined =
        as_user(server, &other).post_json("/api/copier/subscriptions", &json!({"invite_code": channel.invite}));
    assert_eq!(field(&joined), (422, "trade_copy.multiplier".to_string()), "{}", joined.body);

    // Signal volumes are bounded too, so sizing within the bounds never leaves a decimal's range.
    let mut huge = buy("B1", 1e13);
    huge["channel_id"] = json!(channel.id);
    let refused = as_user(server, &channel.master).post_json("/signal/broadcast", &huge);
    assert_eq!(field(&refused), (422, "volume".to_string()), "{}", refused.body);
    let close = as_user(server, &channel.master)
        .post_json("/signal/close", &json!({"channel_id": channel.id, "ticket": "B1", "volume": 1e13}));
    assert_eq!(field(&close), (422, "volume".to_string()), "{}", close.body);
}

/// Writes `trade_copy` into the follower's stored subscription, as a row from before the
/// bounds would hold it.
fn store_sizing(server: &Server, channel: &Channel, account: &Account, trade_copy: &str) {
    server.d1_execute(&format!(
        "UPDATE copier_subscriptions SET trade_copy = '{trade_copy}' WHERE channel_id = '{}' AND user_id = '{}'",
        channel.id,
        account.id()
    ));
}

fn a_stored_hostile_sizing_stops_no_one_else(server: &Server) {
    let channel = channel(server);
    // Three rows the API now refuses: a multiplier whose product overflows, a lot step whose
    // quotient overflows, and lot limits that cross (a clamp that would panic).
    let hostile: Vec<Account> = (0..3).map(|_| follower(server, &channel, json!({}))).collect();
    store_sizing(
        server,
        &channel,
        &hostile[0],
        r#"{"mode":"multiplier","multiplier":"79000000000000000000000000000","max_lot":"79000000000000000000000000000"}"#,
    );
    store_sizing(
        server,
        &channel,
        &hostile[1],
        r#"{"mode":"multiplier","multiplier":1000,"lot_step":"0.0000000000000000000000000001","max_lot":"79000000000000000000000000000"}"#,
    );
    store_sizing(server, &channel, &hostile[2], r#"{"mode":"fix","fixed_lot":1,"min_lot":5,"max_lot":1}"#);
    let honest: Vec<Account> =
        (0..2).map(|_| follower(server, &channel, json!({"mode": "multiplier", "multiplier": 2}))).collect();
    // Shard size 2: each honest socket shares its shard with a hostile one.
    let mut bad0 = open(&hostile[0], server, &channel, None);
    let mut good0 = open(&honest[0], server, &channel, None);
    let mut bad1 = open(&hostile[1], server, &channel, None);
    let mut good1 = open(&honest[1], server, &channel, None);
    let mut bad2 = open(&hostile[2], server, &channel, None);
    let mut master = open(&channel.master, server, &channel, None);

    let seqs = vec![
        post(server, &channel, "/signal/broadcast", buy("H1", 0.1)),
        post(server, &channel, "/signal/modify", json!({"ticket": "H1", "sl": 2390})),
        post(server, &channel, "/signal/close", json!({"ticket": "H1", "volume": 0.05})),
        post(server, &channel, "/signal/broadcast", buy("H2", 10.0)),
    ];
    let volumes = [Some(0.2), None, Some(0.1), Some(20.0)];
    for good in [&mut good0, &mut good1] {
        for (seq, volume) in seqs.iter().zip(volumes) {
            let message = good.next_event();
            assert_eq!(message["seq"], *seq, "{message}");
            assert_eq!(message["data"]["volume"].as_f64(), volume, "{message}");
        }
        good.assert_quiet();
    }
    for seq in &seqs {
        assert_eq!(master.next_event()["seq"], *seq);
    }
    for bad in [&mut bad0, &mut bad1, &mut bad2] {
        for (seq, volume) in seqs.iter().zip(volumes) {
            let message = bad.next_event();
            assert_eq!(message["seq"], *seq, "{message}");
            match volume {
                Some(_) => assert_eq!(
                    (message["type"].as_str(), message["code"].as_str()),
                    (Some("error"), Some("sizing_failed")),
                    "{message}"
                ),
                None => assert_eq!(message["type"], "modify", "a message without a volume needs no sizing: {message}"),
            }
        }
        bad.assert_quiet();
    }

    // The publisher sees who could not be sized; the history has every signal.
    let deliveries = as_user(server, &channel.master)
        .get(&format!("/api/copier/channels/{}/signals/{}/deliveries", channel.id, seqs[0]))
        .json();
    let items = deliveries["items"].as_array().unwrap();
    for account in &hostile {
        let row = items.iter().find(|item| item["user_id"] == account.id()).expect("a row per hostile follower");
        assert!(row["error"].as_str().is_some_and(|e| e.contains("cannot size")), "{row}");
        assert!(row["sent_at"].is_null(), "{row}");
    }
    for account in &honest {
        let row = items.iter().find(|item| item["user_id"] == account.id()).expect("a row per honest follower");
        assert!(row["sent_at"].is_string() && row["error"].is_null(), "{row}");
    }
    let history = as_user(server, &honest[0]).get(&format!("/api/copier/channels/{}/signals", channel.id)).json();
    let stored: Vec<i64> =
        history["items"].as_array().unwrap().iter().map(|item| item["seq"].as_i64().unwrap()).collect();
    assert_eq!(stored, seqs, "{history}");
    assert!(
        server.wait_for_log_line(Duration::from_secs(10), |line| line.contains("copier_group_failed")).is_some(),
        "a failing group is logged"
    );

    // On resume: the honest follower gets everything, the hostile one its errors, in order.
    good0.close();
    bad0.close();
    let mut bad0 = open(&hostile[0], server, &channel, Some(0));
    let kinds: Vec<String> = (0..4)
        .map(|_| {
            let message = bad0.next_event();
            message["code"].as_str().or(message["type"].as_str()).unwrap().to_string()
        })
        .collect();
    assert_eq!(kinds, ["sizing_failed", "modify", "sizing_failed", "sizing_failed"]);
    let mut good0 = open(&honest[0], server, &channel, Some(0));
    let replayed: Vec<i64> = (0..4).map(|_| good0.next_event()["seq"].as_i64().unwrap()).collect();
    assert_eq!(replayed, seqs);
    good0.assert_quiet();

    // And live again after the replays, in every shard.
    let last = post(server, &channel, "/signal/broadcast", buy("H3", 0.5));
    for good in [&mut good0, &mut good1] {
        let message = good.next_event();
        assert_eq!((message["seq"].as_i64(), message["data"]["volume"].as_f64()), (Some(last), Some(1.0)));
    }
    assert_eq!(bad0.next_event()["code"], "sizing_failed");
    let log = server.log();
    for panic in ["Division overflowed", "Multiplication overflowed"] {
        assert!(!log.contains(panic), "the Worker panicked: {panic}");
    }
}

fn acks_are_validated(server: &Server) {
    let channel = channel(server);
    let fan = follower(server, &channel, json!({}));
    let mut socket = open(&fan, server, &channel, None);
    let mut master = open(&channel.master, server, &channel, None);
    let seq = post(server, &channel, "/signal/broadcast", buy("K1", 0.1));
    assert_eq!(socket.next_event()["seq"], seq);
    assert_eq!(master.next_event()["seq"], seq);

    let long = "x".repeat(65);
    let refused = [
        json!({"type": "ack", "seq": seq + 1, "client_ticket": "early"}),
        json!({"type": "ack", "seq": seq + 1000000, "client_ticket": "far"}),
        json!({"type": "ack", "seq": 0, "client_ticket": "zero"}),
        json!({"type": "ack", "seq": -5, "client_ticket": "negative"}),
        json!({"type": "ack", "seq": seq, "client_ticket": long}),
        json!({"type": "ack", "seq": seq, "client_ticket": {"nested": true}}),
        json!({"type": "ack", "seq": seq, "client_ticket": ""}),
        json!({"type": "ack", "seq": seq, "client_ticket": "bad\u{0}ticket"}),
    ];
    for ack in &refused {
        socket.send(ack);
        let answer = socket.next_event();
        assert_eq!(
            (answer["type"].as_str(), answer["code"].as_str()),
            (Some("error"), Some("bad_ack")),
            "{ack}: {answer}"
        );
    }
    master.send(&json!({"type": "ack", "seq": seq, "client_ticket": "publisher"}));
    assert_eq!(master.next_event()["code"], "bad_ack", "only followers ack");

    let deliveries = |seq: i64| {
        as_user(server, &channel.master)
            .get(&format!("/api/copier/channels/{}/signals/{seq}/deliveries", channel.id))
            .json()["items"]
            .as_array()
            .unwrap()
            .clone()
    };
    let sent = deliveries(seq);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0]["acked_at"].is_null() && sent[0]["client_ticket"].is_null(), "{sent:?}");
    assert!(deliveries(seq + 1000000).is_empty(), "nothing stored for a future seq");
    // The seq acked early exists now: its record is the send, not the refused ack.
    let next = post(server, &channel, "/signal/broadcast", buy("K2", 0.1));
    assert_eq!(next, seq + 1);
    assert_eq!(socket.next_event()["seq"], next);
    let later = deliveries(next);
    assert!(later.len() == 1 && later[0]["acked_at"].is_null(), "{later:?}");

    // Honest acks still land, a string or a number, up to 64 characters.
    socket.send(&json!({"type": "ack", "seq": seq, "client_ticket": "y".repeat(64)}));
    socket.send(&json!({"type": "ack", "seq": next, "client_ticket": 12345}));
    socket.assert_quiet();
    assert_eq!(deliveries(seq)[0]["client_ticket"], "y".repeat(64));
    assert_eq!(deliveries(next)[0]["client_ticket"], "12345");
}

fn late_opens_arrive_marked_stale(server: &Server) {
    let channel = channel(server);
    let fan = follower(server, &channel, json!({"max_signal_age_s": 2}));
    let listed = as_user(server, &fan).get("/api/copier/channels").json();
    assert_eq!(listed[0]["trade_copy"]["max_signal_age_s"], 2);
    let other = follower(server, &channel, json!({}));
    let defaults = as_user(server, &other).get("/api/copier/channels").json();
    assert_eq!(defaults[0]["trade_copy"]["max_signal_age_s"], 60, "the documented default");

    let open_seq = post(server, &channel, "/signal/broadcast", buy("S1", 0.1));
    let modify_seq = post(server, &channel, "/signal/modify", json!({"ticket": "S1", "sl": 2390}));
    let close_seq = post(server, &channel, "/signal/close", json!({"ticket": "S1"}));
    std::thread::sleep(Duration::from_millis(3_200));
    let mut socket = open(&fan, server, &channel, Some(0));
    let replayed_open = socket.next_event();
    assert_eq!((replayed_open["seq"].as_i64(), replayed_open["stale"].as_bool()), (Some(open_seq), Some(true)));
    assert!(replayed_open["age_s"].as_i64().is_some_and(|age| age >= 3), "{replayed_open}");
    for seq in [modify_seq, close_seq] {
        let message = socket.next_event();
        assert_eq!(message["seq"], seq);
        assert!(message["stale"].is_null(), "closes and modifies are never stale: {message}");
    }
    let live = post(server, &channel, "/signal/broadcast", buy("S2", 0.1));
    let message = socket.next_event();
    assert_eq!(message["seq"], live);
    assert!(message["stale"].is_null(), "a live open is fresh: {message}");
    // A follower with the default 60 s gets the same replay unmarked.
    let mut patient = open(&other, server, &channel, Some(0));
    assert!(patient.next_event()["stale"].is_null());
}
