//! `BotRunner`, the Durable Object that runs bots outside the cron trigger. Named `speed-{s}`,
//! its alarm fires every `s` seconds (1, 3 or 5) while any active bot has that speed, running
//! that speed's tick, and stops re-arming once none is left. Named `partition-{s}-{i}`, it runs
//! one partition of a split tick as its own invocation, with its own budget (`POST /run`).

use auronex_durable_objects::internal::{call, error_response, json_response};
use serde::{Deserialize, Serialize};
use worker::{durable_object, wasm_bindgen, DurableObject, Env, Method, Request, Response, Result, State};

use super::{due, run, Summary};
use crate::clock::now_ms;

#[durable_object]
pub struct BotRunner {
    state: State,
    env: Env,
}

#[derive(Serialize, Deserialize)]
struct Arm {
    speed: u32,
}

#[derive(Serialize, Deserialize)]
struct Armed {
    speed: u32,
    /// An alarm was already pending (arming is idempotent).
    already: bool,
}

#[derive(Serialize, Deserialize)]
struct Partition {
    speed: u32,
    due_by_ms: i64,
    ids: Vec<String>,
}

impl DurableObject for BotRunner {
    fn new(state: State, env: Env) -> Self {
        Self { state, env }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let path = req.url()?.path().to_string();
        match (req.method(), path.as_str()) {
            (Method::Post, "/arm") => {
                let Arm { speed } = req.json().await?;
                let storage = self.state.storage();
                storage.put("speed", speed).await?;
                let already = storage.get_alarm().await?.is_some();
                if !already {
                    storage.set_alarm(0).await?;
                }
                json_response(&Armed { speed, already })
            }
            (Method::Post, "/run") => {
                let Partition { speed, due_by_ms, ids } = req.json().await?;
                json_response(&run::run_bots(&self.env, &ids, due_by_ms, speed).await?)
            }
            _ => error_response(404, "not_found", "no such bot runner route"),
        }
    }

    async fn alarm(&self) -> Result<Response> {
        let storage = self.state.storage();
        let Some(speed) = storage.get::<u32>("speed").await? else {
            return Response::ok("idle");
        };
        let started = now_ms();
        match due::tick(&self.env, speed).await {
            Ok(summary) if summary.bots > 0 => log_run(speed, &summary, now_ms() - started),
            Ok(_) => {}
            Err(error) => crate::log::error("alarm_tick_failed", &format!("speed {speed}: {error}")),
        }
        // When the check itself fails, keep the alarm: the next run checks again.
        if due::any_active(&self.env, speed).await.unwrap_or(true) {
            storage.set_alarm((started + i64::from(speed) * 1000 - now_ms()).max(0)).await?;
        } else {
            worker::console_log!("{}", serde_json::json!({"event": "runner_idle", "speed": speed, "level": "info"}));
        }
        Response::ok("ran")
    }
}

fn log_run(speed: u32, summary: &Summary, duration_ms: i64) {
    worker::console_log!(
        "{}",
        serde_json::json!({"level": "info", "event": "alarm_tick", "speed": speed, "bots_evaluated": summary.bots,
                           "markets": summary.markets, "partitions": summary.partitions, "duration_ms": duration_ms})
    );
}

fn stub(env: &Env, name: &str) -> Result<worker::Stub> {
    env.durable_object("BOT_RUNNER")?.id_from_name(name)?.get_stub()
}

/// Makes sure the runner of `speed` (1, 3 or 5 seconds) has an alarm pending.
pub async fn arm(env: &Env, speed: u32) -> Result<()> {
    let _: Armed = call(&stub(env, &format!("speed-{speed}"))?, Method::Post, "/arm", Some(&Arm { speed })).await?;
    Ok(())
}

/// Runs one partition of a split tick in its own runner invocation.
pub async fn run_partition(env: &Env, speed: u32, index: usize, ids: &[String], due_by_ms: i64) -> Result<Summary> {
    let body = Partition { speed, due_by_ms, ids: ids.to_vec() };
    call(&stub(env, &format!("partition-{speed}-{index}"))?, Method::Post, "/run", Some(&body)).await
}
