//! Public market routes under a flood: one address over its limit gets 429 while others go on,
//! and a flood of anonymous candle requests from many addresses cannot starve the bots (the
//! venue budget keeps a reserve that only ticks may spend).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use auronex_e2e::{Account, Client, Server, SimClient};
use serde_json::json;

use crate::paper::{fire_tick, now_ms, turn_script};

pub const TESTS: &[crate::Test] = &[
    (
        "flood::an_address_over_its_limit_gets_429_and_others_do_not",
        an_address_over_its_limit_gets_429_and_others_do_not,
    ),
    ("flood::a_candle_flood_cannot_starve_the_bots", a_candle_flood_cannot_starve_the_bots),
];

/// `PUBLIC_MARKET_LIMITER` in wrangler.toml.
const PER_ADDRESS_LIMIT: usize = 600;

/// Sends `count` requests from `client` (one address) on `threads` threads; returns the replies'
/// statuses.
fn burst(client: &Client, path: &str, count: usize, threads: usize) -> Vec<u16> {
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut statuses = Vec::new();
                    while next.fetch_add(1, Ordering::Relaxed) < count {
                        statuses.push(client.get(path).status);
                    }
                    statuses
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
    })
}

fn an_address_over_its_limit_gets_429_and_others_do_not(server: &Server) {
    let flooder = server.client();
    let statuses = burst(&flooder, "/api/cotacao/usd-brl", PER_ADDRESS_LIMIT + 60, 6);
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert!(refused >= 1, "never limited: {} answers", statuses.len());
    assert!(statuses.iter().all(|s| *s == 200 || *s == 429), "only 200 or 429: {statuses:?}");
    let reply = flooder.get("/api/cotacao/usd-brl");
    assert_eq!(reply.status, 429);
    assert_eq!(reply.error_code(), "rate_limited");
    assert_eq!(reply.header("retry-after"), Some("60"));
    // Another address is not affected, and neither is a signed-in caller.
    assert_eq!(server.client().get("/api/cotacao/usd-brl").status, 200);
    let account = Account::register(&server.client(), "flood-user");
    let signed_in = server.client().with_token(&account.access_token);
    assert_eq!(signed_in.get("/api/market/candles?exchange=binance&symbol=BTC/USDT&timeframe=1h&limit=2").status, 200);
}

/// Candle requests that all miss the cache: cycling symbols, timeframes and lengths.
fn cold_candle_path(n: usize) -> String {
    const SYMBOLS: [&str; 8] = ["ALPHA", "BETA", "GAMMA", "OKUP", "LIVE", "RUNA", "RUNB", "SPLA"];
    const TIMEFRAMES: [&str; 6] = ["1m", "5m", "15m", "1h", "4h", "1d"];
    let symbol = SYMBOLS[n % SYMBOLS.len()];
    let timeframe = TIMEFRAMES[(n / SYMBOLS.len()) % TIMEFRAMES.len()];
    let limit = 2 + n / (SYMBOLS.len() * TIMEFRAMES.len());
    format!("/api/market/candles?exchange=binance&symbol={symbol}/USDT&timeframe={timeframe}&limit={limit}")
}

/// Waits for a moment 2 to 8 s into a minute (the venue budget's window): the flood and the
/// tick after it fit in what is left of it. Returns (now, minute start).
fn early_in_a_minute() -> (i64, i64) {
    loop {
        let now = now_ms();
        let into = now.rem_euclid(60_000);
        if (2_000..8_000).contains(&into) {
            return (now, now - into);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A server of its own: the flood spends its venue budget, which other tests must not share.
fn a_candle_flood_cannot_starve_the_bots(_: &Server) {
    let vars = SimClient::shared().worker_vars();
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let server = Server::start(&vars);
    let account = Account::register(&server.client(), "flood-bot");
    let owner = server.client().with_token(&account.access_token);
    let bot = json!({"name": "Flood survivor", "exchange": "binance", "symbols": ["FLOD/USDT"],
                     "capital": 100, "strategy": "scalping", "analysis_interval": 60,
                     "params": {"fast_period": 1, "slow_period": 2, "take_profit_pct": 50, "stop_loss_pct": 50}});
    let created = owner.post_json("/api/bots", &bot);
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_string();

    let (now, minute) = early_in_a_minute();
    turn_script("FLODUSDT", now, minute, &[]);
    // Earlier traffic of this minute has spent 1,700 of the browsing share's 1,800 (Binance:
    // 6,000 weight a minute, half of it ours, 60 % of that for API callers): seeded, so the
    // flood that spends the rest fits in one budget window on a loaded machine.
    server.d1_execute(&format!(
        "INSERT OR REPLACE INTO market_throttle (venue, window_start_ms, used_weight, blocked_until_ms) \
         VALUES ('binance', {minute}, 1700, 0)"
    ));
    // Many addresses (each under its own limit), every request a cache miss: the rest of the
    // browsing share runs out and refusals follow.
    let sent = Arc::new(AtomicUsize::new(0));
    let venue_refusals = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs(25);
    let floods: Vec<_> = (0..6)
        .map(|thread| {
            let (base, sent, refusals) = (server.base_url.clone(), Arc::clone(&sent), Arc::clone(&venue_refusals));
            std::thread::spawn(move || {
                let mut client = Client::new(&base);
                while refusals.load(Ordering::Relaxed) < 30 && Instant::now() < deadline {
                    let n = sent.fetch_add(1, Ordering::Relaxed);
                    if n % 200 == thread {
                        client = Client::new(&base);
                    }
                    let reply = client.get(&cold_candle_path(n));
                    if reply.status == 503 && reply.body.contains("exchange_rate_limited") {
                        refusals.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    floods.into_iter().for_each(|h| h.join().unwrap());
    let (sent, refused) = (sent.load(Ordering::Relaxed), venue_refusals.load(Ordering::Relaxed));
    assert!(refused >= 30, "the flood never used up the browsing share: {refused} of {sent} refused");

    // The bot still trades, in the same budget window the flood used up.
    assert_eq!(owner.send("PATCH", &format!("/api/bots/{id}/toggle"), None, &[]).status, 200);
    let opened = (0..10).find_map(|_| {
        fire_tick(&owner);
        let trades = owner.get(&format!("/api/trades/?bot_id={id}")).json()["items"].as_array().cloned()?;
        if trades.is_empty() {
            server.d1_execute(&format!("UPDATE bots SET last_run_ms = 0 WHERE id = '{id}'"));
            std::thread::sleep(Duration::from_millis(500));
            return None;
        }
        Some(trades)
    });
    let trades = opened.expect("the bot never opened during the flood");
    assert_eq!(trades[0]["status"], "open");
    let budget = server.d1_rows("SELECT used_weight, window_start_ms FROM market_throttle WHERE venue = 'binance'");
    let used = budget[0]["used_weight"].as_f64().unwrap();
    assert!(used > 1_800.0, "the tick spent beyond the browsing share (60 % of 3,000): {budget:?}");
    assert_eq!(
        budget[0]["window_start_ms"].as_f64().unwrap() as i64,
        minute,
        "the flood and the tick were in one budget window"
    );
}
