//! The load client both targets get: N websocket followers, then M broadcasts one after the
//! other; each message's latency per follower is its receipt time minus the moment just before
//! the master's POST was sent.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

/// Where followers connect and how the master posts.
pub struct Target {
    pub name: &'static str,
    pub ws_urls: Vec<String>,
    pub post_url: String,
    pub master_token: Option<String>,
    pub channel_id: Option<String>,
}

impl Target {
    /// A relay without accounts: `/ws` for followers, an unauthenticated broadcast POST.
    pub fn open(name: &'static str, base: &str, followers: usize) -> Self {
        Self {
            name,
            ws_urls: vec![format!("{}/ws", base.replacen("http", "ws", 1)); followers],
            post_url: format!("{base}/signal/broadcast"),
            master_token: None,
            channel_id: None,
        }
    }
}

/// Connects every follower and waits for each one's `hello`; the receipts of every later
/// message arrive on the returned channel as (ticket, instant).
async fn connect_all(urls: &[String]) -> mpsc::UnboundedReceiver<(String, Instant)> {
    let (sender, receiver) = mpsc::unbounded_channel();
    let (ready_tx, mut ready_rx) = mpsc::unbounded_channel::<()>();
    for chunk in urls.chunks(50) {
        let mut pending = Vec::new();
        for url in chunk {
            pending.push(tokio_tungstenite::connect_async(url.clone()));
        }
        for connecting in pending {
            let (socket, _) = connecting.await.expect("follower connects");
            let (sender, ready) = (sender.clone(), ready_tx.clone());
            tokio::spawn(async move {
                let (_write, mut read) = socket.split();
                let mut greeted = false;
                while let Some(Ok(message)) = read.next().await {
                    let Message::Text(text) = message else { continue };
                    let now = Instant::now();
                    let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else { continue };
                    if value["type"] == "hello" && !greeted {
                        greeted = true;
                        let _ = ready.send(());
                    } else if let Some(ticket) = value["data"]["ticket"].as_str() {
                        let _ = sender.send((ticket.to_string(), now));
                    }
                }
            });
        }
    }
    for _ in urls {
        ready_rx.recv().await.expect("every follower says hello");
    }
    receiver
}

fn post(url: &str, token: Option<&str>, body: &Value) -> (Instant, Instant) {
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let mut request = agent.post(url);
    if let Some(token) = token {
        request = request.header("authorization", &format!("Bearer {token}"));
    }
    let started = Instant::now();
    let response = request.send_json(body).expect("broadcast POST");
    assert!(response.status().is_success(), "broadcast answered {}", response.status());
    (started, Instant::now())
}

/// Latencies in microseconds, one per (message, follower).
pub async fn run(target: &Target, messages: usize, tag: &str) -> Vec<u64> {
    let followers = target.ws_urls.len();
    let mut receipts = connect_all(&target.ws_urls).await;
    eprintln!("{tag}: {followers} connected");
    let mut latencies = Vec::with_capacity(messages * followers);
    let (mut answers, mut firsts, mut lasts) = (Vec::new(), Vec::new(), Vec::new());
    for index in 0..messages {
        let ticket = format!("{tag}-{index}");
        let mut body = json!({"ticket": ticket, "symbol": "XAUUSD", "action": "BUY", "volume": 0.1,
                              "price": 2400.5, "sl": 2390, "tp": 2420});
        if let Some(channel) = &target.channel_id {
            body["channel_id"] = json!(channel);
        }
        let (url, token) = (target.post_url.clone(), target.master_token.clone());
        let sent = tokio::task::spawn_blocking(move || post(&url, token.as_deref(), &body));
        let mut arrivals = Vec::with_capacity(followers);
        while arrivals.len() < followers {
            let (got, at) = tokio::time::timeout(Duration::from_secs(60), receipts.recv())
                .await
                .expect("every follower receives the message within 60 s")
                .expect("receipts channel open");
            if got == ticket {
                arrivals.push(at);
            }
        }
        let (started, answered) = sent.await.expect("post task");
        let micros = |at: Instant| at.saturating_duration_since(started).as_micros() as u64;
        answers.push(micros(answered));
        firsts.push(arrivals.iter().copied().map(micros).min().unwrap_or(0));
        lasts.push(arrivals.iter().copied().map(micros).max().unwrap_or(0));
        latencies.extend(arrivals.iter().map(|at| at.saturating_duration_since(started).as_micros() as u64));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if std::env::var("FANOUT_TRACE").is_ok() {
        eprintln!("{tag}: last receipts ms {:?}", lasts.iter().map(|l| l / 1000).collect::<Vec<_>>());
    }
    for list in [&mut answers, &mut firsts, &mut lasts] {
        list.sort_unstable();
    }
    let p50 = |list: &[u64]| format!("{:.1}", percentile(list, 50.0) as f64 / 1000.0);
    eprintln!(
        "{tag}: per message, p50 ms after the POST: answered {}, first receipt {}, last receipt {}",
        p50(&answers),
        p50(&firsts),
        p50(&lasts)
    );
    latencies
}

pub fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
