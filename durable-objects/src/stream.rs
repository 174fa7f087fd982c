//! `UserStream`: one object per user id holding that user's live-update websockets (hibernation
//! API). The Worker authenticates the upgrade and hands it here; the tick and manual closes post
//! events, which go to every socket of the user. No event is stored: a client that was away
//! reloads its state over HTTP.
//!
//! Each socket is tagged with the login session it was opened under (tags, like attachments,
//! survive hibernation). When sessions end (logout, refresh-token reuse, password change,
//! deactivation) the Worker posts `/end` after the revocation is in D1: their sockets are
//! closed with [`SESSION_ENDED`], and the ended session ids are kept for a while so an upgrade
//! that was authenticated just before the revocation cannot be accepted after the close.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use worker::{
    durable_object, wasm_bindgen, DurableObject, Env, Method, Request, Response, Result, State, WebSocket,
    WebSocketIncomingMessage, WebSocketPair,
};

use crate::internal::{error_response, json_response};

/// The authenticated user id the Worker puts on a forwarded upgrade.
pub const USER_HEADER: &str = "x-auronex-user";
/// The subprotocol the client offered for its token, echoed back so browsers accept the upgrade.
pub const PROTOCOL_HEADER: &str = "x-auronex-protocol";
/// The login session the upgrade was authenticated under.
pub const SESSION_HEADER: &str = "x-auronex-session";
/// The close code of a socket whose session ended (4000-4999 are the application's own).
pub const SESSION_ENDED: u16 = 4401;
/// How long an ended session's id is kept to refuse late upgrades: past an access token's life.
const ENDED_KEPT_MS: i64 = 20 * 60_000;

/// `POST /end`: these sessions of the user ended; with `all`, every session did.
#[derive(Debug, Serialize, Deserialize)]
pub struct End {
    pub sessions: Vec<String>,
    pub all: bool,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Ended {
    /// Sockets closed.
    pub sockets: usize,
}

/// `POST /publish`: events (JSON objects) for every socket of the user, in order.
#[derive(Debug, Serialize, Deserialize)]
pub struct Publish {
    pub events: Vec<Value>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Published {
    /// Sockets the events were sent to.
    pub sockets: usize,
}

#[derive(Serialize, Deserialize)]
struct Attachment {
    user_id: String,
    #[serde(default)]
    session_id: Option<String>,
}

fn session_tag(session_id: &str) -> String {
    format!("session:{session_id}")
}

#[durable_object]
pub struct UserStream {
    state: State,
}

impl DurableObject for UserStream {
    fn new(state: State, _env: Env) -> Self {
        let sql = state.storage().sql();
        if let Err(error) =
            sql.exec("CREATE TABLE IF NOT EXISTS ended (session_id TEXT PRIMARY KEY, at_ms INTEGER NOT NULL)", None)
        {
            worker::console_error!("user stream schema: {error}");
        }
        let held = state.get_websockets();
        if let Some(socket) = held.first() {
            // Woken (after hibernation or eviction) with sockets to serve: their tags and
            // attachments are all the state there is.
            let user_id = socket.deserialize_attachment::<Attachment>().ok().flatten().map(|a| a.user_id);
            worker::console_log!("{}", json!({"event": "user_stream_woke", "user_id": user_id, "sockets": held.len()}));
        }
        Self { state }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let url = req.url()?;
        match (req.method(), url.path()) {
            (Method::Get, "/connect") => self.accept(&req),
            (Method::Post, "/publish") => {
                let publish: Publish = req.json().await?;
                json_response(&Published { sockets: self.broadcast(&publish.events) })
            }
            (Method::Post, "/end") => {
                let end: End = req.json().await?;
                json_response(&Ended { sockets: self.end(&end)? })
            }
            _ => error_response(404, "not_found", "no such stream operation"),
        }
    }

    async fn websocket_message(&self, ws: WebSocket, message: WebSocketIncomingMessage) -> Result<()> {
        let ping = match message {
            WebSocketIncomingMessage::String(text) => {
                serde_json::from_str::<Value>(&text).ok().is_some_and(|m| m["type"] == "ping")
            }
            WebSocketIncomingMessage::Binary(_) => false,
        };
        let reply = if ping {
            json!({"type": "pong"})
        } else {
            json!({"type": "error", "code": "bad_message", "message": "the only client message is {\"type\":\"ping\"}"})
        };
        ws.send_with_str(reply.to_string())
    }

    async fn websocket_close(&self, ws: WebSocket, code: usize, _reason: String, _clean: bool) -> Result<()> {
        let code = if code == 1005 || code == 1006 { 1000 } else { code as u16 };
        let _ = ws.close(Some(code), Some("closing"));
        Ok(())
    }

    async fn websocket_error(&self, ws: WebSocket, _error: worker::Error) -> Result<()> {
        let _ = ws.close(Some(1011), Some("socket error"));
        Ok(())
    }
}

impl UserStream {
    fn accept(&self, req: &Request) -> Result<Response> {
        let user_id = req.headers().get(USER_HEADER)?.unwrap_or_default();
        let session_id = req.headers().get(SESSION_HEADER)?.unwrap_or_default();
        if user_id.is_empty() || session_id.is_empty() {
            return error_response(400, "bad_request", "no user or session");
        }
        if self.has_ended(&session_id)? {
            return error_response(401, "unauthorized", "session ended; log in again");
        }
        let pair = WebSocketPair::new()?;
        self.state.accept_websocket_with_tags(&pair.server, &[&session_tag(&session_id)]);
        let attachment = Attachment { user_id: user_id.clone(), session_id: Some(session_id) };
        pair.server.serialize_attachment(&attachment)?;
        pair.server.send_with_str(json!({"type": "hello", "user_id": user_id}).to_string())?;
        let mut response = Response::builder().with_status(101).with_websocket(pair.client);
        if let Some(protocol) = req.headers().get(PROTOCOL_HEADER)? {
            response = response.with_header("sec-websocket-protocol", &protocol)?;
        }
        Ok(response.empty())
    }

    fn has_ended(&self, session_id: &str) -> Result<bool> {
        #[derive(Deserialize)]
        struct Count {
            n: i64,
        }
        let sql = self.state.storage().sql();
        let count: Count =
            sql.exec("SELECT COUNT(*) AS n FROM ended WHERE session_id = ?", vec![session_id.into()])?.one()?;
        Ok(count.n > 0)
    }

    /// Closes the sockets of the ended sessions (every socket with `all`) and remembers the
    /// sessions; forgets those ended long enough ago that no token of theirs is still valid.
    fn end(&self, end: &End) -> Result<usize> {
        let sql = self.state.storage().sql();
        let now = crate::internal::now_ms();
        for session_id in &end.sessions {
            sql.exec(
                "INSERT INTO ended (session_id, at_ms) VALUES (?, ?) ON CONFLICT (session_id) DO NOTHING",
                vec![session_id.as_str().into(), now.into()],
            )?;
        }
        sql.exec("DELETE FROM ended WHERE at_ms < ?", vec![(now - ENDED_KEPT_MS).into()])?;
        let sockets = if end.all {
            self.state.get_websockets()
        } else {
            end.sessions.iter().flat_map(|id| self.state.get_websockets_with_tag(&session_tag(id))).collect()
        };
        for ws in &sockets {
            let _ = ws.close(Some(SESSION_ENDED), Some("session ended; log in again"));
        }
        Ok(sockets.len())
    }

    /// Sends each event to every socket; a socket that cannot be written to is closed.
    fn broadcast(&self, events: &[Value]) -> usize {
        let sockets = self.state.get_websockets();
        for ws in &sockets {
            for event in events {
                if ws.send_with_str(event.to_string()).is_err() {
                    let _ = ws.close(Some(1011), Some("send failed"));
                    break;
                }
            }
        }
        sockets.len()
    }
}
