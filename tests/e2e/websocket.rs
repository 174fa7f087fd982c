//! `/ws` plumbing: upgrade required, token and channel checks, ping/pong through the shard object.

use auronex_e2e::{Account, Server, Socket};

pub const TESTS: &[crate::Test] = &[
    ("websocket::room_answers_ping_with_pong", room_answers_ping_with_pong),
    ("websocket::room_rejects_malformed_messages", room_rejects_malformed_messages),
    ("websocket::plain_http_to_ws_is_426", plain_http_to_ws_is_426),
    ("websocket::missing_channel_is_422", missing_channel_is_422),
    ("websocket::no_or_bad_token_is_401", no_or_bad_token_is_401),
];

/// A socket of a channel's publisher, after its `hello`.
fn connect(server: &Server, _tag: &str) -> Socket {
    let master = Account::register(&server.client(), "ws");
    let client = server.client().with_token(&master.access_token);
    let channel = client.post_json("/api/copier/channels", &serde_json::json!({"name": "plumbing"})).json();
    let mut socket =
        Socket::connect(server, &master.access_token, channel["id"].as_str().unwrap(), None).expect("connect");
    let hello = socket.next();
    assert_eq!((hello["type"].as_str(), hello["role"].as_str()), (Some("hello"), Some("publisher")));
    socket
}

fn room_answers_ping_with_pong(server: &Server) {
    let mut socket = connect(server, "plumbing");
    for _ in 0..3 {
        socket.send(&serde_json::json!({"type": "ping"}));
        assert_eq!(socket.next()["type"], "pong");
    }
    socket.close();
}

fn room_rejects_malformed_messages(server: &Server) {
    let mut socket = connect(server, "plumbing-bad");
    socket.send(&serde_json::json!("not a message"));
    let reply = socket.next();
    assert_eq!(reply["type"], "error");
    assert_eq!(reply["code"], "bad_message");
    socket.send(&serde_json::json!({"type": "ping"}));
    assert_eq!(socket.next()["type"], "pong", "the socket stays usable");
}

fn plain_http_to_ws_is_426(server: &Server) {
    let reply = server.client().get("/ws?channel_id=x");
    assert_eq!(reply.status, 426);
    assert_eq!(reply.error_code(), "upgrade_required");
}

fn upgrade_headers() -> [(&'static str, &'static str); 2] {
    [("upgrade", "websocket"), ("connection", "upgrade")]
}

fn no_or_bad_token_is_401(server: &Server) {
    let reply = server.client().send("GET", "/ws?channel_id=x", None, &upgrade_headers());
    assert_eq!(reply.status, 401, "{}", reply.body);
    let reply = server.client().send("GET", "/ws?channel_id=x&token=forged.token.here", None, &upgrade_headers());
    assert_eq!(reply.status, 401, "{}", reply.body);
}

fn missing_channel_is_422(server: &Server) {
    let token = Account::register(&server.client(), "wsch").access_token;
    let reply = server.client().with_token(&token).send("GET", "/ws", None, &upgrade_headers());
    assert_eq!(reply.status, 422, "{}", reply.body);
    assert_eq!(reply.error_code(), "validation_error");
    assert_eq!(reply.json()["error"]["field"], "channel_id");
}
