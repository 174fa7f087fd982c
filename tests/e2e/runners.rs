//! Sub-minute bots run on Durable Object alarms, with no cron trigger: a 1-second bot is
//! evaluated again and again once started and not after it is stopped, and its runner stops
//! re-arming when no bot of its speed is left. A tick past one invocation's budget (the test
//! server allows 2 bots per invocation) splits into partitions: every due bot runs exactly once
//! and each market is fetched once.

use std::time::{Duration, Instant};

use auronex_e2e::{Client, Server, SimClient};
use serde_json::{json, Value};

use crate::bots::{send, user, valid_bot};

pub const TESTS: &[crate::Test] = &[
    ("runners::a_one_second_bot_runs_on_alarms_until_stopped", a_one_second_bot_runs_on_alarms_until_stopped),
    ("runners::a_split_tick_runs_every_due_bot_once", a_split_tick_runs_every_due_bot_once),
];

fn start_bot(client: &Client, symbols: &[&str], interval: u32) -> String {
    let mut body = valid_bot();
    body["symbols"] = json!(symbols);
    body["analysis_interval"] = json!(interval);
    let created = client.post_json("/api/bots", &body);
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let started = send(client, "PATCH", &format!("/api/bots/{id}/toggle"), None);
    assert_eq!((started.status, started.json()["is_active"].clone()), (200, json!(true)), "{}", started.body);
    id
}

fn bot(client: &Client, id: &str) -> Value {
    let reply = client.get(&format!("/api/bots/{id}"));
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.json()
}

/// Polls the bot until it has been evaluated `runs` more times (distinct `last_run_at`
/// values), returning them in order; fails after 30 s.
fn wait_for_runs(client: &Client, id: &str, runs: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen: Vec<String> = Vec::new();
    let first = bot(client, id)["last_run_at"].as_str().map(String::from);
    while seen.len() < runs {
        assert!(Instant::now() < deadline, "bot {id} ran only {} times: {seen:?}", seen.len());
        if let Some(at) = bot(client, id)["last_run_at"].as_str() {
            if Some(at) != first.as_deref() && seen.last().map(String::as_str) != Some(at) {
                seen.push(at.to_string());
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    seen
}

fn a_one_second_bot_runs_on_alarms_until_stopped(server: &Server) {
    let (client, _) = user(server, "alarm1s");
    let (witness_client, _) = user(server, "alarmwitness");
    let id = start_bot(&client, &["RUNA/USDT"], 1);
    let runs = wait_for_runs(&client, &id, 4);
    assert!(runs.windows(2).all(|w| w[0] < w[1]), "each run is later than the one before: {runs:?}");

    let stopped = send(&client, "PATCH", &format!("/api/bots/{id}/toggle"), None);
    assert_eq!(stopped.json()["is_active"], false, "{}", stopped.body);
    assert!(stopped.json()["last_run_at"].is_null(), "stopping resets the run clock: {}", stopped.body);
    let activity_after_stop = client.get("/api/bot-activity/recent").json();

    // The runner keeps going for another 1-second bot; by the time that one has run three
    // times, the stopped bot had three chances to be (wrongly) evaluated.
    let witness = start_bot(&witness_client, &["RUNB/USDT"], 1);
    wait_for_runs(&witness_client, &witness, 3);
    let after = bot(&client, &id);
    assert!(after["last_run_at"].is_null() && after["is_active"] == false, "a stopped bot is not run: {after}");
    assert_eq!(client.get("/api/bot-activity/recent").json(), activity_after_stop);

    // With no 1-second bot left the runner does not re-arm.
    let idle = |log: &str| {
        log.lines().filter(|l| l.contains(r#""event":"runner_idle""#) && l.contains(r#""speed":1}"#)).count()
    };
    let idle_before = idle(&server.log());
    assert_eq!(send(&witness_client, "PATCH", &format!("/api/bots/{witness}/toggle"), None).status, 200);
    let deadline = Instant::now() + Duration::from_secs(15);
    while idle(&server.log()) == idle_before {
        assert!(Instant::now() < deadline, "the 1-second runner never stopped re-arming");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Fires the cron trigger with `cron` as its name and waits for that tick's `tick_runs` row.
fn tick(server: &Server, cron: &str) -> Value {
    let reply = server.client().get(&format!("/__scheduled?cron={}", cron.replace(' ', "+")));
    assert_eq!(reply.status, 200, "{}", reply.body);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let rows = server.d1_rows(&format!(
            "SELECT bots_evaluated, markets, partitions, failed_partitions, d1_statements FROM tick_runs \
             WHERE cron = '{cron}'"
        ));
        if let Some(row) = rows.first() {
            return row.clone();
        }
        assert!(Instant::now() < deadline, "tick {cron} was never recorded");
        std::thread::sleep(Duration::from_millis(300));
    }
}

fn a_split_tick_runs_every_due_bot_once(_: &Server) {
    // Its own server, so no other test's tick runs these bots, with 2 bots per invocation.
    let sim = SimClient::shared();
    let mut vars = sim.worker_vars();
    vars.push(("TICK_BOTS_PER_INVOCATION".into(), "2".into()));
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let server = Server::start(&vars);
    // Six bots over four markets; one bot trades SPLC and SPLD, so those two markets form one
    // group that no partition shares. That makes at least three partitions.
    let layout: &[&[&str]] =
        &[&["SPLA/USDT"], &["SPLA/USDT"], &["SPLB/USDT"], &["SPLB/USDT"], &["SPLC/USDT", "SPLD/USDT"], &["SPLD/USDT"]];
    let ids: Vec<String> = layout
        .iter()
        .enumerate()
        .map(|(i, symbols)| {
            let (client, _) = user(&server, &format!("split{i}"));
            start_bot(&client, symbols, 60)
        })
        .collect();
    let list = ids.iter().map(|id| format!("'{id}'")).collect::<Vec<_>>().join(",");
    // A bot is stored at version 0, starting it makes 1, and each evaluation adds one.
    let versions = || -> Vec<(i64, i64)> {
        server
            .d1_rows(&format!("SELECT version, last_run_ms FROM bots WHERE id IN ({list}) ORDER BY id"))
            .iter()
            .map(|r| (r["version"].as_i64().unwrap(), r["last_run_ms"].as_i64().unwrap()))
            .collect()
    };
    assert!(versions().iter().all(|v| *v == (1, 0)), "started and due: {:?}", versions());
    let requests = |kind: &str, symbol: &str| -> u64 {
        sim.stats()["by_request"]
            .as_object()
            .map(|all| {
                all.iter().filter(|(r, _)| r.contains(kind) && r.contains(symbol)).filter_map(|(_, n)| n.as_u64()).sum()
            })
            .unwrap_or(0)
    };

    let first = tick(&server, "0-59 * * * *");
    assert!(first["partitions"].as_i64().unwrap() >= 3, "split: {first}");
    assert_eq!((first["bots_evaluated"].clone(), first["failed_partitions"].clone()), (json!(6), json!(0)), "{first}");
    assert_eq!(first["markets"], 4, "each market in exactly one partition: {first}");
    let after = versions();
    assert!(after.iter().all(|(version, last)| *version == 2 && *last > 0), "each bot evaluated once: {after:?}");
    // Each market is fetched by one partition only: one request per market, unless the outbound
    // layer retried an attempt that failed in passing (http/outbound.rs; the shared simulator can
    // be slow under load), which this server logs as a failed upstream attempt.
    let failed_attempts = |path: &str| -> u64 {
        let log = server.log();
        let failed = |line: &&str| line.contains("\"upstream\"") && line.contains(path) && line.contains("\"warn\"");
        log.lines().filter(failed).count() as u64
    };
    for (kind, path) in [("/klines", "/api/v3/klines"), ("/bookTicker", "/api/v3/ticker/bookTicker")] {
        let retried = failed_attempts(path);
        for symbol in ["SPLAUSDT", "SPLBUSDT", "SPLCUSDT", "SPLDUSDT"] {
            let count = requests(kind, symbol);
            assert!((1..=1 + retried).contains(&count), "{symbol}: {count} {kind} requests ({retried} retried)");
        }
    }

    let second = tick(&server, "*/1 * * * *");
    assert_eq!(second["bots_evaluated"], 0, "none is due again within the minute: {second}");
    assert_eq!(versions(), after);
}
