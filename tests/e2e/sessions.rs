//! Sockets end with the right to hold them: logout, refresh-token reuse, a password change and
//! an admin's deactivation close the user's `/api/stream` sockets (those of the sessions that
//! ended) and copier `/ws` sockets within seconds, with code 4401, idle (hibernated) ones too;
//! the sockets of sessions that did not end stay open.

use std::time::Duration;

use auronex_e2e::{admin_token, Account, Client, Server, Socket};
use serde_json::{json, Value};

pub const TESTS: &[crate::Test] = &[
    ("sessions::logout_closes_that_sessions_stream_sockets", logout_closes_that_sessions_stream_sockets),
    ("sessions::refresh_reuse_closes_the_sessions_sockets", refresh_reuse_closes_the_sessions_sockets),
    ("sessions::a_password_change_closes_every_socket", a_password_change_closes_every_socket),
    ("sessions::deactivation_closes_stream_and_copier_sockets", deactivation_closes_stream_and_copier_sockets),
    ("sessions::logout_closes_the_users_copier_sockets", logout_closes_the_users_copier_sockets),
    ("sessions::hibernated_sockets_are_closed_too", hibernated_sockets_are_closed_too),
];

/// How soon a socket must close after the request that ended its session answered.
const WITHIN: Duration = Duration::from_secs(5);
const SESSION_ENDED: u16 = 4401;

/// A live-update socket the browser's way (token in the subprotocol), past its hello.
fn stream(server: &Server, access_token: &str) -> Socket {
    let protocol = format!("bearer, {access_token}");
    let mut socket = Socket::open(server, "/api/stream", &[("sec-websocket-protocol", &protocol)]).expect("connect");
    assert_eq!(socket.next()["type"], "hello");
    socket
}

fn stream_refused(server: &Server, access_token: &str) -> Option<u16> {
    let protocol = format!("bearer, {access_token}");
    Socket::open(server, "/api/stream", &[("sec-websocket-protocol", &protocol)]).err()
}

fn copier_socket(server: &Server, access_token: &str, channel_id: &str) -> Socket {
    let mut socket = Socket::connect(server, access_token, channel_id, None).expect("connect /ws");
    assert_eq!(socket.next()["type"], "hello");
    socket
}

/// Another session of `account`: its access and refresh tokens.
fn login(server: &Server, account: &Account) -> (String, String) {
    let reply =
        server.client().post_json("/api/auth/login", &json!({"email": account.email, "password": account.password}));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    (body["access_token"].as_str().unwrap().into(), body["refresh_token"].as_str().unwrap().into())
}

fn logout(server: &Server, refresh_token: &str) {
    let reply = server.client().post_json("/api/auth/logout", &json!({"refresh_token": refresh_token}));
    assert_eq!(reply.status, 204, "{}", reply.body);
}

fn as_user(server: &Server, access_token: &str) -> Client {
    server.client().with_token(access_token)
}

/// A channel published by a new user, followed by another: (publisher, follower, channel id).
fn channel(server: &Server) -> (Account, Account, String) {
    let publisher = Account::register(&server.client(), "sockpub");
    let reply = as_user(server, &publisher.access_token).post_json("/api/copier/channels", &json!({"name": "Ends"}));
    assert_eq!(reply.status, 201, "{}", reply.body);
    let body: Value = reply.json();
    let follower = Account::register(&server.client(), "sockfan");
    let subscribed = as_user(server, &follower.access_token).post_json(
        "/api/copier/subscriptions",
        &json!({"invite_code": body["invite_code"], "trade_copy": {"mode": "fix", "fixed_lot": 0.01}}),
    );
    assert_eq!(subscribed.status, 201, "{}", subscribed.body);
    (publisher, follower, body["id"].as_str().unwrap().to_string())
}

fn logout_closes_that_sessions_stream_sockets(server: &Server) {
    let account = Account::register(&server.client(), "sockout");
    let (other_access, _) = login(server, &account);
    let mut mine = stream(server, &account.access_token);
    let mut mine_too = stream(server, &account.access_token);
    let mut other_device = stream(server, &other_access);
    logout(server, &account.refresh_token);
    assert_eq!(mine.closed_within(WITHIN), Some(SESSION_ENDED));
    assert_eq!(mine_too.closed_within(WITHIN), Some(SESSION_ENDED));
    other_device.assert_quiet();
    assert_eq!(stream_refused(server, &account.access_token), Some(401), "the ended session cannot reconnect");
    other_device.close();
}

fn refresh_reuse_closes_the_sessions_sockets(server: &Server) {
    let account = Account::register(&server.client(), "sockreuse");
    let rotated = server.client().post_json("/api/auth/refresh", &json!({"refresh_token": account.refresh_token}));
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let mut socket = stream(server, rotated.json()["access_token"].as_str().unwrap());
    // Someone presents the used token again: the whole session is revoked, its socket closed.
    let replay = server.client().post_json("/api/auth/refresh", &json!({"refresh_token": account.refresh_token}));
    assert_eq!(replay.status, 401, "{}", replay.body);
    assert_eq!(socket.closed_within(WITHIN), Some(SESSION_ENDED));
}

fn a_password_change_closes_every_socket(server: &Server) {
    let account = Account::register(&server.client(), "sockpw");
    let (other_access, _) = login(server, &account);
    let mut here = stream(server, &account.access_token);
    let mut elsewhere = stream(server, &other_access);
    let me = as_user(server, &account.access_token);

    let short =
        me.post_json("/api/auth/password", &json!({"current_password": account.password, "new_password": "short"}));
    assert_eq!((short.status, short.json()["error"]["field"].as_str()), (422, Some("new_password")), "{}", short.body);
    let wrong = me.post_json(
        "/api/auth/password",
        &json!({"current_password": "not-my-password", "new_password": "long-enough-1"}),
    );
    assert_eq!((wrong.status, wrong.error_code()), (403, "wrong_password".to_string()), "{}", wrong.body);
    here.assert_quiet();

    let changed = me.post_json(
        "/api/auth/password",
        &json!({"current_password": account.password, "new_password": "long-enough-1"}),
    );
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert_eq!(here.closed_within(WITHIN), Some(SESSION_ENDED), "this session ended too");
    assert_eq!(elsewhere.closed_within(WITHIN), Some(SESSION_ENDED));
    assert_eq!(stream_refused(server, &other_access), Some(401));
    assert_eq!(me.get("/api/auth/me").status, 401);

    let fresh = changed.json()["access_token"].as_str().unwrap().to_string();
    stream(server, &fresh).assert_quiet();
    let old =
        server.client().post_json("/api/auth/login", &json!({"email": account.email, "password": account.password}));
    assert_eq!(old.status, 401);
    let new =
        server.client().post_json("/api/auth/login", &json!({"email": account.email, "password": "long-enough-1"}));
    assert_eq!(new.status, 200, "{}", new.body);
}

fn deactivation_closes_stream_and_copier_sockets(server: &Server) {
    let (publisher, follower, channel_id) = channel(server);
    let mut follower_ws = copier_socket(server, &follower.access_token, &channel_id);
    let mut follower_stream = stream(server, &follower.access_token);
    let mut publisher_ws = copier_socket(server, &publisher.access_token, &channel_id);
    let admin = as_user(server, &admin_token(&server.client()));
    let reply = admin.patch_json(&format!("/api/admin/users/{}", follower.id()), &json!({"is_active": false}));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(follower_ws.closed_within(WITHIN), Some(SESSION_ENDED));
    assert_eq!(follower_stream.closed_within(WITHIN), Some(SESSION_ENDED));
    publisher_ws.assert_quiet();
    assert_eq!(Socket::connect(server, &follower.access_token, &channel_id, None).err(), Some(401));
    publisher_ws.close();
}

fn logout_closes_the_users_copier_sockets(server: &Server) {
    let (publisher, follower, channel_id) = channel(server);
    let mut publisher_ws = copier_socket(server, &publisher.access_token, &channel_id);
    let mut follower_ws = copier_socket(server, &follower.access_token, &channel_id);
    logout(server, &follower.refresh_token);
    assert_eq!(follower_ws.closed_within(WITHIN), Some(SESSION_ENDED));
    publisher_ws.assert_quiet();
    logout(server, &publisher.refresh_token);
    assert_eq!(publisher_ws.closed_within(WITHIN), Some(SESSION_ENDED));
}

fn hibernated_sockets_are_closed_too(server: &Server) {
    let account = Account::register(&server.client(), "sockidle");
    let mut socket = stream(server, &account.access_token);
    let woke = |log: &str| {
        log.lines().any(|line| line.contains(r#""event":"user_stream_woke""#) && line.contains(account.id()))
    };
    assert!(!woke(&server.log()));
    // Left idle, the object is evicted (its memory gone, its sockets kept by the runtime); the
    // logout wakes it and it finds the sockets from their tags and attachments alone.
    std::thread::sleep(Duration::from_secs(15));
    logout(server, &account.refresh_token);
    assert_eq!(socket.closed_within(WITHIN), Some(SESSION_ENDED));
    assert!(woke(&server.log()), "the object did not hibernate: the test proves nothing");
}
