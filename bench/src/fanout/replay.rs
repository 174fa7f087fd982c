//! The cost of a long resume to everyone else (`REPLAY=N`): the channel's log is filled with N
//! signals, then the product's live followers are measured twice side by side, quiet and while a
//! resumer follower asks for the whole log again and again (`resume` from seq 0 as soon as the
//! previous replay has arrived). A shard that sent a replay in one go would hold every live
//! message behind it; a paced one lets them through between batches.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

/// Posts `count` signals to the channel, 8 at a time; the head seq after them.
pub fn fill(post_url: &str, token: &str, channel_id: &str, count: usize) -> i64 {
    let next = Arc::new(AtomicU64::new(0));
    let head = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let (next, head) = (Arc::clone(&next), Arc::clone(&head));
            let (url, token, channel) = (post_url.to_string(), token.to_string(), channel_id.to_string());
            std::thread::spawn(move || {
                let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    if index >= count as u64 {
                        return;
                    }
                    let body = json!({"channel_id": channel, "ticket": format!("fill-{index}"), "symbol": "XAUUSD",
                                      "action": "BUY", "volume": 0.1, "price": 2400.5});
                    let mut response = agent
                        .post(&url)
                        .header("authorization", &format!("Bearer {token}"))
                        .send_json(&body)
                        .expect("fill POST");
                    let reply: Value = response.body_mut().read_json().unwrap_or(Value::Null);
                    head.fetch_max(reply["seq"].as_u64().expect("fill answers a seq"), Ordering::SeqCst);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().expect("fill thread");
    }
    head.load(Ordering::SeqCst) as i64
}

/// A follower replaying the whole log over and over while `running`; counts what it received.
pub struct Resumer {
    pub running: Arc<AtomicBool>,
    pub replays: Arc<AtomicU64>,
    pub messages: Arc<AtomicU64>,
    pub started: Instant,
}

impl Resumer {
    pub async fn start(url: String, head: i64) -> Resumer {
        let (socket, _) = tokio_tungstenite::connect_async(url).await.expect("resumer connects");
        let (mut write, mut read) = socket.split();
        let resumer = Resumer {
            running: Arc::new(AtomicBool::new(true)),
            replays: Arc::new(AtomicU64::new(0)),
            messages: Arc::new(AtomicU64::new(0)),
            started: Instant::now(),
        };
        let (running, replays, messages) =
            (Arc::clone(&resumer.running), Arc::clone(&resumer.replays), Arc::clone(&resumer.messages));
        let resume = json!({"type": "resume", "last_seq": 0}).to_string();
        tokio::spawn(async move {
            write.send(Message::text(resume.clone())).await.expect("first resume");
            while let Some(Ok(message)) = read.next().await {
                let Message::Text(text) = message else { continue };
                let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                // The log grew with the live messages, so the previous replay may still be
                // sending them: ask again a moment later.
                if value["code"] == "resume_in_progress" {
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    if write.send(Message::text(resume.clone())).await.is_err() {
                        return;
                    }
                    continue;
                }
                let Some(seq) = value["seq"].as_i64() else { continue };
                messages.fetch_add(1, Ordering::Relaxed);
                // Each replay passes the filled log's head once: ask for the next one.
                if seq == head {
                    replays.fetch_add(1, Ordering::Relaxed);
                    if !running.load(Ordering::Relaxed) || write.send(Message::text(resume.clone())).await.is_err() {
                        return;
                    }
                }
            }
        });
        // Wait until the first replay is under way.
        while resumer.messages.load(Ordering::Relaxed) == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        resumer
    }

    pub fn stop(&self) -> (u64, u64, Duration) {
        self.running.store(false, Ordering::Relaxed);
        (self.replays.load(Ordering::Relaxed), self.messages.load(Ordering::Relaxed), self.started.elapsed())
    }
}
