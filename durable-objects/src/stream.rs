//! `UserStream`: one object per user id holding that user's live-update websockets (hibernation
//! API). The Worker authenticates the upgrade and hands it here; the tick and manual closes post
//! events, which go to every socket of the user. Nothing is stored: a client that was away
//! reloads its state over HTTP.

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
}

#[durable_object]
pub struct UserStream {
    state: State,
}

impl DurableObject for UserStream {
    fn new(state: State, _env: Env) -> Self {
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
        if user_id.is_empty() {
            return error_response(400, "bad_request", "no user");
        }
        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        pair.server.serialize_attachment(&Attachment { user_id: user_id.clone() })?;
        pair.server.send_with_str(json!({"type": "hello", "user_id": user_id}).to_string())?;
        let mut response = Response::builder().with_status(101).with_websocket(pair.client);
        if let Some(protocol) = req.headers().get(PROTOCOL_HEADER)? {
            response = response.with_header("sec-websocket-protocol", &protocol)?;
        }
        Ok(response.empty())
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
