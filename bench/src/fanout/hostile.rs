//! A hostile follower connected to the product's channel during its runs (not counted in the
//! samples): subscribed with the most extreme sizing the bounds allow, it sends forged acks
//! (a future `seq`, an oversized ticket) every 5 ms and asks for a replay of the whole log
//! every 500 ms, and reads whatever it is sent.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

/// The sizing: multiplier 1000, lot step 10^-8, lots up to 10^6.
pub fn trade_copy() -> serde_json::Value {
    json!({"mode": "multiplier", "multiplier": 1000, "lot_step": 0.00000001, "min_lot": 0.00000001,
           "max_lot": 1000000})
}

/// Connects and keeps attacking until the process ends.
pub async fn start(url: String) {
    let (socket, _) = tokio_tungstenite::connect_async(url).await.expect("hostile follower connects");
    let (mut write, mut read) = socket.split();
    tokio::spawn(async move { while let Some(Ok(_)) = read.next().await {} });
    tokio::spawn(async move {
        let forged = json!({"type": "ack", "seq": 999_999_999_999_i64, "client_ticket": "x".repeat(65)}).to_string();
        let resume = json!({"type": "resume", "last_seq": 0}).to_string();
        for round in 0u64.. {
            let message = if round % 100 == 0 { &resume } else { &forged };
            if write.send(Message::text(message.clone())).await.is_err() {
                eprintln!("hostile follower: the server closed its socket");
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    });
    eprintln!("hostile follower connected: forged acks every 5 ms, a full resume every 500 ms");
}
