//! The Durable Object plumbing: `/ws` reaches a `SignalRoom` over a real websocket.

use auronex_e2e::{Account, Server};
use tungstenite::Message;

pub const TESTS: &[crate::Test] = &[
    ("websocket::room_answers_ping_with_pong", room_answers_ping_with_pong),
    ("websocket::room_rejects_malformed_messages", room_rejects_malformed_messages),
    ("websocket::plain_http_to_ws_is_426", plain_http_to_ws_is_426),
    ("websocket::missing_channel_is_422", missing_channel_is_422),
    ("websocket::no_or_bad_token_is_401", no_or_bad_token_is_401),
];

fn connect(server: &Server, channel: &str) -> tungstenite::WebSocket<std::net::TcpStream> {
    let token = Account::register(&server.client(), "ws").access_token;
    let url = server.ws_url(&format!("/ws?channel_id={channel}&token={token}"));
    let stream = std::net::TcpStream::connect(("127.0.0.1", server.port)).expect("tcp connect");
    stream.set_read_timeout(Some(std::time::Duration::from_secs(20))).unwrap();
    let (socket, response) = tungstenite::client(url.as_str(), stream).expect("websocket handshake");
    assert_eq!(response.status().as_u16(), 101);
    socket
}

fn next_text(socket: &mut tungstenite::WebSocket<std::net::TcpStream>) -> serde_json::Value {
    loop {
        match socket.read().expect("read a message") {
            Message::Text(text) => return serde_json::from_str(text.as_str()).expect("JSON message"),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected message {other:?}"),
        }
    }
}

fn room_answers_ping_with_pong(server: &Server) {
    let mut socket = connect(server, "plumbing");
    for _ in 0..3 {
        socket.send(Message::text(r#"{"type":"ping"}"#)).unwrap();
        assert_eq!(next_text(&mut socket)["type"], "pong");
    }
    socket.close(None).unwrap();
}

fn room_rejects_malformed_messages(server: &Server) {
    let mut socket = connect(server, "plumbing-bad");
    socket.send(Message::text("not json")).unwrap();
    let reply = next_text(&mut socket);
    assert_eq!(reply["type"], "error");
    assert_eq!(reply["code"], "bad_message");
    socket.send(Message::text(r#"{"type":"ping"}"#)).unwrap();
    assert_eq!(next_text(&mut socket)["type"], "pong", "the socket stays usable");
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
