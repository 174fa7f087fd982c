//! Accounts for the workerd side: a master with a channel and N followers subscribed to it,
//! registered over the public API (each from its own `CF-Connecting-IP`, as distinct users).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::load::Target;

pub struct Channel {
    base: String,
    id: String,
    master_token: String,
    follower_tokens: Vec<String>,
    hostile_token: String,
    resumer_token: String,
}

fn new_agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().new_agent()
}

fn post(agent: &ureq::Agent, url: &str, token: Option<&str>, address: usize, body: &Value) -> Value {
    let mut request = agent
        .post(url)
        .header("cf-connecting-ip", &format!("10.{}.{}.{}", address >> 16 & 255, address >> 8 & 255, address & 255));
    if let Some(token) = token {
        request = request.header("authorization", &format!("Bearer {token}"));
    }
    let mut response = request.send_json(body).unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = response.status().as_u16();
    let reply: Value = response.body_mut().read_json().unwrap_or(Value::Null);
    assert!(status < 300, "{url} answered {status}: {reply}");
    reply
}

fn register(agent: &ureq::Agent, base: &str, run: u128, index: usize) -> String {
    let body = json!({"email": format!("bench.{run}.{index}@example.com"), "password": "bench-password-123"});
    let reply = post(agent, &format!("{base}/api/auth/register"), None, index + 1, &body);
    reply["access_token"].as_str().expect("access_token").to_string()
}

/// Registers the master, its channel and `followers` subscribers (8 at a time).
pub fn channel(base: &str, followers: usize) -> Channel {
    let run = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
    let agent = new_agent();
    let master_token = register(&agent, base, run, 0);
    let created =
        post(&agent, &format!("{base}/api/copier/channels"), Some(&master_token), 1, &json!({"name": "bench"}));
    let id = created["id"].as_str().expect("channel id").to_string();
    let invite = created["invite_code"].as_str().expect("invite").to_string();
    let next = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let (next, base, invite) = (Arc::clone(&next), base.to_string(), invite.clone());
            std::thread::spawn(move || {
                let agent = new_agent();
                let mut tokens = Vec::new();
                loop {
                    let index = next.fetch_add(1, Ordering::SeqCst);
                    if index >= followers {
                        return tokens;
                    }
                    let token = register(&agent, &base, run, index + 1);
                    let body = json!({"invite_code": invite, "trade_copy": {"mode": "multiplier", "multiplier": 2}});
                    post(&agent, &format!("{base}/api/copier/subscriptions"), Some(&token), index + 2, &body);
                    tokens.push(token);
                }
            })
        })
        .collect();
    let follower_tokens = workers.into_iter().flat_map(|worker| worker.join().expect("registration thread")).collect();
    let hostile_token = register(&agent, base, run, followers + 1);
    let body = json!({"invite_code": invite, "trade_copy": crate::hostile::trade_copy()});
    post(&agent, &format!("{base}/api/copier/subscriptions"), Some(&hostile_token), followers + 2, &body);
    let resumer_token = register(&agent, base, run, followers + 3);
    let body = json!({"invite_code": invite, "trade_copy": {"mode": "multiplier", "multiplier": 1}});
    post(&agent, &format!("{base}/api/copier/subscriptions"), Some(&resumer_token), followers + 4, &body);
    Channel { base: base.to_string(), id, master_token, follower_tokens, hostile_token, resumer_token }
}

impl Channel {
    /// The hostile follower's socket URL.
    pub fn hostile_url(&self) -> String {
        format!("{}/ws?channel_id={}&token={}", self.base.replacen("http", "ws", 1), self.id, self.hostile_token)
    }

    /// The resuming follower's socket URL (`REPLAY=N`, see `replay.rs`).
    pub fn resumer_url(&self) -> String {
        format!("{}/ws?channel_id={}&token={}", self.base.replacen("http", "ws", 1), self.id, self.resumer_token)
    }

    pub fn target(&self, followers: usize) -> Target {
        let ws = self.base.replacen("http", "ws", 1);
        Target {
            name: "workerd",
            ws_urls: self.follower_tokens[..followers]
                .iter()
                .map(|token| format!("{ws}/ws?channel_id={}&token={token}", self.id))
                .collect(),
            post_url: format!("{}/signal/broadcast", self.base),
            master_token: Some(self.master_token.clone()),
            channel_id: Some(self.id.clone()),
        }
    }
}
