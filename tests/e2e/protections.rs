//! A protection pauses a live bot's entries: a paper bot stops out, its cooldown starts (a
//! `protection` activity line), and at the next candle close the entry its strategy wants is
//! skipped (a `skipped` line) while the same bot without the cooldown buys again.

use std::time::Duration;

use auronex_e2e::{Client, Server, SimClient};
use serde_json::{json, Value};

use crate::bots::{send, user, valid_bot};
use crate::paper::{fire_tick, minute_window, now_ms, trades_until};

pub const TESTS: &[crate::Test] = &[(
    "protections::a_cooldown_pauses_a_live_bots_entries_after_a_stop_out",
    a_cooldown_pauses_a_live_bots_entries_after_a_stop_out,
)];

/// A fall from 100 to 60 over 25 minutes (RSI deep in oversold), flat, then 50 at +5 s.
fn fall_script(symbol: &str, now: i64, minute: i64) {
    let at = |ms: i64| (ms - now) as f64 / 1000.0;
    let points = json!([[at(minute - 1_500_000), 100.0], [at(minute - 10_000), 60.0], [5.0, 60.0], [5.001, 50.0]]);
    SimClient::shared().control("script", &json!({"symbol": symbol, "points": points}));
}

fn activity(client: &Client) -> Vec<Value> {
    client.get("/api/bot-activity/recent").json().as_array().unwrap().clone()
}

fn a_cooldown_pauses_a_live_bots_entries_after_a_stop_out(server: &Server) {
    let (now, minute) = minute_window();
    // Two traders (a free plan runs one bot): the same bot, one with a cooldown.
    // Both markets are listed from the simulator's start (tests/data/sim_script.json): the
    // Worker caches the listing the first bot of the run reads.
    let markets = [("COOL/USDT", 3), ("FREE/USDT", 0)];
    markets.iter().for_each(|(symbol, _)| fall_script(&symbol.replace('/', ""), now, minute));
    let bots: Vec<(Client, String)> = markets
        .into_iter()
        .map(|(symbol, cooldown)| {
            let (client, _) = user(server, "protect");
            let mut body = valid_bot();
            body["symbols"] = json!([symbol]);
            body["params"] = json!({"period": 14, "entry": "below", "oversold": 40, "stop_loss_pct": 5,
                                    "take_profit_pct": 50, "cooldown_candles": cooldown});
            let reply = client.post_json("/api/bots", &body);
            assert_eq!(reply.status, 201, "{}", reply.body);
            let id = reply.json()["id"].as_str().unwrap().to_string();
            assert_eq!(send(&client, "PATCH", &format!("/api/bots/{id}/toggle"), None).status, 200);
            (client, id)
        })
        .collect();
    let both_due = || {
        for (_, id) in &bots {
            server.d1_execute(&format!("UPDATE bots SET last_run_ms = 0 WHERE id = '{id}'"));
        }
    };
    let (cool, free) = (&bots[0].0, &bots[1].0);
    let trades = |client: &Client, status: &str, count: usize| {
        trades_until(client, &format!("status={status}"), |t| {
            both_due();
            t.len() == count
        })
    };
    fire_tick(cool);
    trades(cool, "open", 1);
    trades(free, "open", 1);

    // The fall to 50 stops both out inside the same candle.
    std::thread::sleep(Duration::from_millis((now + 6_000 - now_ms()).max(0) as u64));
    for client in [cool, free] {
        let closed = trades(client, "closed", 1);
        assert_eq!(closed[0]["exit_reason"], "stop_loss", "{closed:?}");
    }
    let lines = activity(cool);
    let started = lines.iter().find(|line| line["action"] == "protection").unwrap_or_else(|| panic!("{lines:?}"));
    assert_eq!(started["message"], "cooldown: entries paused for 3 candles after stop_loss on COOL/USDT");
    assert!(activity(free).iter().all(|line| line["action"] != "protection"));

    // The next candle close: the strategy still wants in; only the bot without a cooldown buys.
    std::thread::sleep(Duration::from_millis((minute + 62_000 - now_ms()).max(0) as u64));
    trades(free, "open", 1);
    both_due();
    fire_tick(cool);
    let lines = activity(cool);
    let skipped = lines.iter().find(|line| line["action"] == "skipped").unwrap_or_else(|| panic!("{lines:?}"));
    assert_eq!(skipped["message"], "entry on COOL/USDT skipped: cooldown (entries resume in 3 candles)");
    let all = cool.get("/api/trades/").json();
    assert_eq!(all["items"].as_array().unwrap().len(), 1, "no second entry: {all}");
}
