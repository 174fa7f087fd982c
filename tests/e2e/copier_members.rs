//! Who belongs to a channel, attacked from each side: a follower who unsubscribes and one the
//! publisher removes have their open `/ws` sockets closed (4403) and are refused on reconnect,
//! while the other followers keep receiving; a rotated invite code admits no one new and keeps
//! the followers; a deleted channel closes every socket (4410) and leaves nothing reachable.
//! Only the publisher manages a channel (a follower or an outsider gets 404). One user holds at
//! most five sockets per channel; the sixth is refused with 429 and nobody else is affected.

use std::time::Duration;

use auronex_e2e::{Account, Server, Socket};
use serde_json::{json, Value};

use crate::copier::{as_user, channel, follower, open, Channel};

pub const TESTS: &[crate::Test] = &[
    ("copier_members::unsubscribing_ends_only_that_followers_sockets", unsubscribing_ends_only_that_followers_sockets),
    ("copier_members::the_publisher_removes_a_follower", the_publisher_removes_a_follower),
    ("copier_members::a_rotated_invite_admits_no_one_new", a_rotated_invite_admits_no_one_new),
    ("copier_members::a_deleted_channel_ends_for_everyone", a_deleted_channel_ends_for_everyone),
    ("copier_members::one_user_holds_at_most_five_sockets", one_user_holds_at_most_five_sockets),
];

const WITHIN: Duration = Duration::from_secs(5);
const NOT_A_MEMBER: u16 = 4403;
const CHANNEL_DELETED: u16 = 4410;

fn fixed() -> Value {
    json!({"mode": "fix", "fixed_lot": 0.01})
}

fn broadcast(server: &Server, channel: &Channel, ticket: u32) -> i64 {
    let body = json!({"channel_id": channel.id, "ticket": ticket, "symbol": "XAUUSD", "action": "BUY",
                      "volume": 0.1, "price": 2400.5});
    let reply = as_user(server, &channel.master).post_json("/signal/broadcast", &body);
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply.json()["seq"].as_i64().unwrap()
}

fn receives(socket: &mut Socket, seq: i64) {
    let message = socket.next_event();
    assert_eq!((message["type"].as_str(), message["seq"].as_i64()), (Some("signal"), Some(seq)), "{message}");
}

fn refused(server: &Server, account: &Account, channel: &Channel) -> u16 {
    Socket::connect(server, &account.access_token, &channel.id, None).err().expect("the socket was admitted")
}

fn unsubscribing_ends_only_that_followers_sockets(server: &Server) {
    let channel = channel(server);
    let leaving = follower(server, &channel, fixed());
    let staying = follower(server, &channel, fixed());
    let mut leaving_ws = open(&leaving, server, &channel, None);
    let mut staying_ws = open(&staying, server, &channel, None);

    // Nobody else can end a follower's subscription: the path names the caller's own.
    let outsider = Account::register(&server.client(), "unsubother");
    assert_eq!(as_user(server, &outsider).delete(&format!("/api/copier/subscriptions/{}", channel.id)).status, 404);
    let gone = as_user(server, &leaving).delete(&format!("/api/copier/subscriptions/{}", channel.id));
    assert_eq!(gone.status, 204, "{}", gone.body);
    assert_eq!(leaving_ws.closed_within(WITHIN), Some(NOT_A_MEMBER));
    assert_eq!(refused(server, &leaving, &channel), 403);
    assert_eq!(as_user(server, &leaving).delete(&format!("/api/copier/subscriptions/{}", channel.id)).status, 404);
    assert_eq!(as_user(server, &leaving).get("/api/copier/channels").json(), json!([]));
    let history = as_user(server, &leaving).get(&format!("/api/copier/channels/{}/signals", channel.id));
    assert_eq!(history.status, 404, "a former follower reads no more history");

    let seq = broadcast(server, &channel, 7001);
    receives(&mut staying_ws, seq);
    staying_ws.assert_quiet();
    let listed = as_user(server, &channel.master).get("/api/copier/channels").json();
    assert_eq!(listed[0]["followers"], 1);
}

fn the_publisher_removes_a_follower(server: &Server) {
    let channel = channel(server);
    let removed = follower(server, &channel, fixed());
    let kept = follower(server, &channel, fixed());
    let mut removed_ws = open(&removed, server, &channel, None);
    let mut kept_ws = open(&kept, server, &channel, None);
    let path = format!("/api/copier/channels/{}/followers/{}", channel.id, removed.id());

    // A follower cannot remove another; an outsider learns nothing (404 both).
    assert_eq!(as_user(server, &kept).delete(&path).status, 404);
    let outsider = Account::register(&server.client(), "removeother");
    assert_eq!(as_user(server, &outsider).delete(&path).status, 404);
    let listed = as_user(server, &channel.master).get(&format!("/api/copier/channels/{}/followers", channel.id));
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.json()["items"].as_array().map(Vec::len), Some(2));

    let reply = as_user(server, &channel.master).delete(&path);
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!(removed_ws.closed_within(WITHIN), Some(NOT_A_MEMBER));
    assert_eq!(refused(server, &removed, &channel), 403);
    assert_eq!(as_user(server, &channel.master).delete(&path).status, 404, "removed once");
    let seq = broadcast(server, &channel, 7002);
    receives(&mut kept_ws, seq);
    let left = as_user(server, &channel.master).get(&format!("/api/copier/channels/{}/followers", channel.id)).json();
    assert_eq!(left["items"], json!([{"user_id": kept.id()}]));
    assert_eq!(left["removed"], json!([{"user_id": removed.id()}]));

    // The removed follower knows the invite code: subscribing again is refused, several at once too.
    let rejoin = json!({"invite_code": channel.invite, "trade_copy": fixed()});
    let attempts: Vec<(u16, String)> = std::thread::scope(|scope| {
        let calls: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    let reply = as_user(server, &removed).post_json("/api/copier/subscriptions", &rejoin);
                    (reply.status, reply.error_code())
                })
            })
            .collect();
        calls.into_iter().map(|call| call.join().unwrap()).collect()
    });
    assert!(attempts.iter().all(|attempt| *attempt == (403, "removed_from_channel".to_string())), "{attempts:?}");
    assert_eq!(refused(server, &removed, &channel), 403, "still not a member");

    // Only the publisher lifts the removal; then the invite code works again.
    let lift = format!("/api/copier/channels/{}/removed/{}", channel.id, removed.id());
    assert_eq!(as_user(server, &kept).delete(&lift).status, 404);
    assert_eq!(as_user(server, &removed).delete(&lift).status, 404);
    assert_eq!(as_user(server, &channel.master).delete(&lift).status, 204);
    assert_eq!(as_user(server, &channel.master).delete(&lift).status, 404, "lifted once");
    let back = as_user(server, &removed).post_json("/api/copier/subscriptions", &rejoin);
    assert_eq!(back.status, 201, "{}", back.body);
    let mut back_ws = open(&removed, server, &channel, None);
    let seq = broadcast(server, &channel, 7003);
    receives(&mut back_ws, seq);
}

fn a_rotated_invite_admits_no_one_new(server: &Server) {
    let channel = channel(server);
    let fan = follower(server, &channel, fixed());
    let mut fan_ws = open(&fan, server, &channel, None);
    let path = format!("/api/copier/channels/{}/invite", channel.id);
    assert_eq!(as_user(server, &fan).post_json(&path, &json!({})).status, 404, "a follower cannot rotate it");

    let rotated = as_user(server, &channel.master).post_json(&path, &json!({}));
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let new_code = rotated.json()["invite_code"].as_str().unwrap().to_string();
    assert_ne!(new_code, channel.invite);
    let late = Account::register(&server.client(), "latefan");
    let old = as_user(server, &late)
        .post_json("/api/copier/subscriptions", &json!({"invite_code": channel.invite, "trade_copy": fixed()}));
    assert_eq!((old.status, old.error_code().as_str()), (422, "validation_error"), "{}", old.body);
    let joined = as_user(server, &late)
        .post_json("/api/copier/subscriptions", &json!({"invite_code": new_code, "trade_copy": fixed()}));
    assert_eq!(joined.status, 201, "{}", joined.body);

    // The follower from before kept its subscription and its socket.
    let seq = broadcast(server, &channel, 7003);
    receives(&mut fan_ws, seq);
}

fn a_deleted_channel_ends_for_everyone(server: &Server) {
    let channel = channel(server);
    let fan = follower(server, &channel, fixed());
    let other_fan = follower(server, &channel, fixed());
    broadcast(server, &channel, 7004);
    let mut fan_ws = open(&fan, server, &channel, None);
    let mut other_ws = open(&other_fan, server, &channel, None);
    let mut master_ws = open(&channel.master, server, &channel, None);
    let path = format!("/api/copier/channels/{}", channel.id);
    assert_eq!(as_user(server, &fan).delete(&path).status, 404, "a follower cannot delete it");

    let reply = as_user(server, &channel.master).delete(&path);
    assert_eq!(reply.status, 204, "{}", reply.body);
    for socket in [&mut fan_ws, &mut other_ws, &mut master_ws] {
        assert_eq!(socket.closed_within(WITHIN), Some(CHANNEL_DELETED));
    }
    assert_eq!(refused(server, &fan, &channel), 404);
    assert_eq!(as_user(server, &fan).get("/api/copier/channels").json(), json!([]));
    assert_eq!(as_user(server, &channel.master).get("/api/copier/channels").json(), json!([]));
    let history = as_user(server, &channel.master).get(&format!("{path}/signals"));
    assert_eq!(history.status, 404);
    let signal = json!({"channel_id": channel.id, "ticket": 1, "symbol": "XAUUSD", "action": "BUY", "volume": 0.1,
                        "price": 2400.5});
    let after = as_user(server, &channel.master).post_json("/signal/broadcast", &signal);
    assert!(matches!(after.status, 403 | 404), "a deleted channel takes no signals: {} {}", after.status, after.body);
    let rejoin = as_user(server, &fan)
        .post_json("/api/copier/subscriptions", &json!({"invite_code": channel.invite, "trade_copy": fixed()}));
    assert_eq!(rejoin.status, 422, "{}", rejoin.body);
    assert_eq!(as_user(server, &channel.master).delete(&path).status, 404);
}

fn one_user_holds_at_most_five_sockets(server: &Server) {
    let channel = channel(server);
    let greedy = follower(server, &channel, fixed());
    let honest = follower(server, &channel, fixed());
    let mut held: Vec<Socket> = (0..5).map(|_| open(&greedy, server, &channel, None)).collect();
    assert_eq!(refused(server, &greedy, &channel), 429, "a sixth socket");
    let mut honest_ws = open(&honest, server, &channel, None);
    let mut master_ws = open(&channel.master, server, &channel, None);
    let seq = broadcast(server, &channel, 7005);
    for socket in held.iter_mut().chain([&mut honest_ws, &mut master_ws]) {
        receives(socket, seq);
    }

    // Closing one frees its place.
    held.pop().unwrap().close();
    let deadline = std::time::Instant::now() + WITHIN;
    let again = loop {
        match Socket::connect(server, &greedy.access_token, &channel.id, None) {
            Ok(socket) => break socket,
            Err(429) if std::time::Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
            Err(status) => panic!("a socket after closing one: {status}"),
        }
    };
    drop(again);
}
