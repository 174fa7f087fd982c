//! The reference: a minimal in-process relay like the seed's Axum server, a tokio broadcast
//! channel behind `POST /signal/broadcast` and `GET /ws` (no auth, no storage, no sizing).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::broadcast;

#[derive(Clone)]
struct Relay {
    sender: broadcast::Sender<String>,
    seq: Arc<AtomicI64>,
}

/// Starts the relay on a free local port; returns its base URL.
pub async fn start() -> String {
    let (sender, _) = broadcast::channel(4096);
    let relay = Relay { sender, seq: Arc::new(AtomicI64::new(0)) };
    let app = Router::new().route("/signal/broadcast", post(broadcast)).route("/ws", get(upgrade)).with_state(relay);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind the relay");
    let address = listener.local_addr().expect("relay address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("relay server") });
    format!("http://{address}")
}

async fn broadcast(State(relay): State<Relay>, Json(body): Json<Value>) -> Json<Value> {
    let seq = relay.seq.fetch_add(1, Ordering::SeqCst) + 1;
    let _ = relay.sender.send(json!({"type": "signal", "seq": seq, "data": body}).to_string());
    Json(json!({"seq": seq}))
}

async fn upgrade(socket: WebSocketUpgrade, State(relay): State<Relay>) -> impl IntoResponse {
    let receiver = relay.sender.subscribe();
    socket.on_upgrade(move |socket| serve(socket, receiver))
}

async fn serve(mut socket: WebSocket, mut receiver: broadcast::Receiver<String>) {
    if socket.send(Message::Text(json!({"type": "hello"}).to_string().into())).await.is_err() {
        return;
    }
    loop {
        match receiver.recv().await {
            Ok(text) => {
                if socket.send(Message::Text(text.into())).await.is_err() {
                    return;
                }
            }
            Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}
