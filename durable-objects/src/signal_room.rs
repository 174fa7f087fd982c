//! `SignalRoom`: one object per copier channel holding its websockets with the hibernation API.
//! For now it proves the plumbing: it accepts sockets and answers `{"type":"ping"}` with a pong.

use serde::Deserialize;
use worker::{
    durable_object, wasm_bindgen, DurableObject, Env, Request, Response, Result, State, WebSocket,
    WebSocketIncomingMessage, WebSocketPair,
};

#[durable_object]
pub struct SignalRoom {
    state: State,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientMessage {
    Ping,
}

impl DurableObject for SignalRoom {
    fn new(state: State, _env: Env) -> Self {
        Self { state }
    }

    async fn fetch(&self, req: Request) -> Result<Response> {
        let upgrade = req.headers().get("upgrade")?.unwrap_or_default();
        if !upgrade.eq_ignore_ascii_case("websocket") {
            return Response::error("expected a websocket upgrade", 426);
        }
        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        Ok(Response::builder().with_status(101).with_websocket(pair.client).empty())
    }

    async fn websocket_message(&self, ws: WebSocket, message: WebSocketIncomingMessage) -> Result<()> {
        let reply = match message {
            WebSocketIncomingMessage::String(text) => match serde_json::from_str(&text) {
                Ok(ClientMessage::Ping) => r#"{"type":"pong"}"#,
                Err(_) => r#"{"type":"error","code":"bad_message","message":"unknown or malformed message"}"#,
            },
            WebSocketIncomingMessage::Binary(_) => {
                r#"{"type":"error","code":"bad_message","message":"messages are JSON text"}"#
            }
        };
        ws.send_with_str(reply)
    }

    async fn websocket_close(&self, ws: WebSocket, code: usize, _reason: String, _clean: bool) -> Result<()> {
        let code = if code == 1005 || code == 1006 { 1000 } else { code as u16 };
        let _ = ws.close(Some(code), Some("closing"));
        Ok(())
    }
}
