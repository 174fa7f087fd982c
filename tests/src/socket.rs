//! A websocket test client: JSON messages in and out, with a read timeout on every wait.

use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;
use tungstenite::client::IntoClientRequest;
use tungstenite::{Message, WebSocket};

use crate::Server;

const READ_TIMEOUT: Duration = Duration::from_secs(20);

pub struct Socket {
    inner: WebSocket<TcpStream>,
}

impl Socket {
    /// Connects to `/ws` for `channel_id` with `token`, optionally resuming after `last_seq`.
    pub fn connect(server: &Server, token: &str, channel_id: &str, last_seq: Option<i64>) -> Result<Socket, u16> {
        let mut path = format!("/ws?channel_id={channel_id}&token={token}");
        if let Some(seq) = last_seq {
            path.push_str(&format!("&last_seq={seq}"));
        }
        Socket::open(server, &path, &[])
    }

    /// Connects to any websocket path with extra request headers (e.g. `Sec-WebSocket-Protocol`);
    /// the handshake's HTTP status when the server refuses the upgrade.
    pub fn open(server: &Server, path: &str, headers: &[(&str, &str)]) -> Result<Socket, u16> {
        let mut request = server.ws_url(path).into_client_request().expect("a websocket request");
        for (name, value) in headers {
            let name = tungstenite::http::HeaderName::from_bytes(name.as_bytes()).expect("a header name");
            request.headers_mut().insert(name, value.parse().expect("a header value"));
        }
        let stream = TcpStream::connect(("127.0.0.1", server.port)).expect("tcp connect");
        stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        match tungstenite::client(request, stream) {
            Ok((inner, _)) => Ok(Socket { inner }),
            Err(tungstenite::HandshakeError::Failure(tungstenite::Error::Http(response))) => {
                Err(response.status().as_u16())
            }
            Err(error) => panic!("websocket handshake: {error}"),
        }
    }

    pub fn send(&mut self, message: &Value) {
        self.inner.send(Message::text(message.to_string())).expect("send");
    }

    /// The next JSON text message (pings and pongs of the protocol layer are skipped).
    pub fn next(&mut self) -> Value {
        loop {
            match self.inner.read().expect("read a message") {
                Message::Text(text) => return serde_json::from_str(text.as_str()).expect("JSON message"),
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => continue,
                other => panic!("unexpected message {other:?}"),
            }
        }
    }

    /// The next message whose `type` is not `hello`.
    pub fn next_event(&mut self) -> Value {
        loop {
            let message = self.next();
            if message["type"] != "hello" {
                return message;
            }
        }
    }

    /// Asserts nothing else is queued: a ping's pong must be the very next message.
    pub fn assert_quiet(&mut self) {
        self.send(&serde_json::json!({"type": "ping"}));
        let next = self.next_event();
        assert_eq!(next["type"], "pong", "expected nothing before the pong, got {next}");
    }

    /// Waits up to `limit` for the server to close the socket, skipping any messages before;
    /// the close code (1006 when the connection just dropped), or `None` if it stayed open.
    pub fn closed_within(&mut self, limit: Duration) -> Option<u16> {
        let deadline = std::time::Instant::now() + limit;
        let code = loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                break None;
            }
            self.inner.get_ref().set_read_timeout(Some(left)).unwrap();
            match self.inner.read() {
                Ok(Message::Close(frame)) => break Some(frame.map_or(1005, |f| u16::from(f.code))),
                Ok(_) => continue,
                Err(tungstenite::Error::Io(e))
                    if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) =>
                {
                    break None
                }
                Err(_) => break Some(1006),
            }
        };
        self.inner.get_ref().set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        code
    }

    pub fn close(mut self) {
        let _ = self.inner.close(None);
        let _ = self.inner.flush();
    }
}
