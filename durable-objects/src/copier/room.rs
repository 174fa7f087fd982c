//! `SignalRoom`: one per channel, the single writer of its sequence. A message is stored in the
//! room's SQLite log (with its idempotency key) before it is pushed to the shards; each shard's
//! delivery point is tracked, so a shard that missed a push catches up on the next one.

use futures_util::future::join_all;
use serde::Deserialize;
use worker::{durable_object, wasm_bindgen, DurableObject, Env, Method, Request, Response, Result, SqlStorage, State};

use super::delivery::log_after;
use super::protocol::{
    Assign, Assigned, Deliver, Delivered, MemberUpdate, MemberUpdated, Publish, Published, ShardCount, Since, Stored,
};
use super::protocol::{RETAIN_MS, RETAIN_SIGNALS};
use super::shard_stub;
use crate::internal::{self, call, error_response, json_response, now_ms};

#[durable_object]
pub struct SignalRoom {
    sql: SqlStorage,
    env: Env,
}

#[derive(Deserialize)]
struct ShardRow {
    shard: i64,
    sockets: i64,
    delivered_through: i64,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS signals (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, signal_id TEXT NOT NULL, kind TEXT NOT NULL, ticket TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE, data TEXT NOT NULL, created_at_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS signals_created ON signals (created_at_ms);
CREATE TABLE IF NOT EXISTS shards (
    shard INTEGER PRIMARY KEY, sockets INTEGER NOT NULL DEFAULT 0, delivered_through INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS member_shards (user_id TEXT PRIMARY KEY, shard INTEGER NOT NULL);";

/// Most messages one push carries to a shard that fell behind.
const CATCH_UP_BATCH: i64 = 500;

impl DurableObject for SignalRoom {
    fn new(state: State, env: Env) -> Self {
        let sql = state.storage().sql();
        if let Err(error) = sql.exec(SCHEMA, None) {
            worker::console_error!("signal room schema: {error}");
        }
        Self { sql, env }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let url = req.url()?;
        match (req.method(), url.path()) {
            (Method::Post, "/publish") => {
                let publish: Publish = req.json().await?;
                self.publish(publish).await
            }
            (Method::Post, "/member") => {
                let update: MemberUpdate = req.json().await?;
                json_response(&self.update_member(&update).await?)
            }
            (Method::Post, "/assign") => {
                let assign: Assign = req.json().await?;
                json_response(&self.assign(&assign)?)
            }
            (Method::Post, "/shard-count") => {
                let count: ShardCount = req.json().await?;
                self.sql.exec(
                    "INSERT INTO shards (shard, sockets) VALUES (?, ?) ON CONFLICT (shard) DO UPDATE SET sockets = excluded.sockets",
                    vec![(count.shard as i64).into(), (count.sockets as i64).into()],
                )?;
                json_response(&serde_json::json!({}))
            }
            (Method::Get, "/since") => {
                let after = query_i64(&url, "after").unwrap_or(0);
                let limit = query_i64(&url, "limit").unwrap_or(RETAIN_SIGNALS).clamp(1, RETAIN_SIGNALS);
                json_response(&Since { signals: self.since(after, limit)?, head_seq: self.head_seq()? })
            }
            (Method::Get, "/shards") => {
                let list: Vec<i64> = self.shards()?.iter().map(|row| row.shard).collect();
                json_response(&list)
            }
            _ => error_response(404, "not_found", "no such room operation"),
        }
    }
}

fn query_i64(url: &worker::Url, name: &str) -> Option<i64> {
    url.query_pairs().find(|(key, _)| key == name).and_then(|(_, value)| value.parse().ok())
}

impl SignalRoom {
    fn head_seq(&self) -> Result<i64> {
        #[derive(Deserialize)]
        struct Head {
            head: Option<i64>,
        }
        let head: Vec<Head> =
            self.sql.exec("SELECT seq AS head FROM sqlite_sequence WHERE name = 'signals'", None)?.to_array()?;
        Ok(head.first().and_then(|row| row.head).unwrap_or(0))
    }

    fn shards(&self) -> Result<Vec<ShardRow>> {
        self.sql.exec("SELECT shard, sockets, delivered_through FROM shards ORDER BY shard", None)?.to_array()
    }

    fn since(&self, after: i64, limit: i64) -> Result<Vec<Stored>> {
        log_after(&self.sql, "signals", after, limit)
    }

    async fn publish(&self, publish: Publish) -> Result<Response> {
        #[derive(Deserialize)]
        struct Existing {
            seq: i64,
            signal_id: String,
            created_at_ms: i64,
        }
        let existing: Vec<Existing> = self
            .sql
            .exec(
                "SELECT seq, signal_id, created_at_ms FROM signals WHERE idempotency_key = ?",
                vec![publish.idempotency_key.as_str().into()],
            )?
            .to_array()?;
        if let Some(first) = existing.into_iter().next() {
            return json_response(&Published {
                signal_id: first.signal_id,
                seq: first.seq,
                duplicate: true,
                created_at_ms: first.created_at_ms,
            });
        }
        let now = now_ms();
        let signal_id = random_id()?;
        self.sql.exec(
            "INSERT INTO signals (signal_id, kind, ticket, idempotency_key, data, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
            vec![
                signal_id.as_str().into(),
                publish.kind.as_str().into(),
                publish.ticket.as_str().into(),
                publish.idempotency_key.as_str().into(),
                serde_json::to_string(&publish.data)?.into(),
                now.into(),
            ],
        )?;
        let seq = self.head_seq()?;
        self.prune(now)?;
        self.fan_out(&publish.channel_id).await;
        json_response(&Published { signal_id, seq, duplicate: false, created_at_ms: now })
    }

    /// Keeps the log to its retention; both deletes are range searches (primary key, then the
    /// `created_at_ms` index), never a scan of the log (bench/signal_log_prune.py).
    fn prune(&self, now: i64) -> Result<()> {
        self.sql.exec(
            "DELETE FROM signals WHERE seq <= (SELECT seq FROM sqlite_sequence WHERE name = 'signals') - ?",
            vec![RETAIN_SIGNALS.into()],
        )?;
        self.sql.exec("DELETE FROM signals WHERE created_at_ms < ?", vec![(now - RETAIN_MS).into()])?;
        Ok(())
    }

    /// Pushes to every shard what it has not acknowledged yet, all shards in parallel.
    async fn fan_out(&self, channel_id: &str) {
        let shards = match self.shards() {
            Ok(shards) => shards,
            Err(error) => {
                worker::console_error!("signal room shards: {error}");
                return;
            }
        };
        let pushes = shards.iter().map(|shard| self.push(channel_id, shard));
        for (shard, outcome) in shards.iter().zip(join_all(pushes).await) {
            match outcome {
                Ok(through) => {
                    let _ = self.sql.exec(
                        "UPDATE shards SET delivered_through = MAX(delivered_through, ?) WHERE shard = ?",
                        vec![through.into(), shard.shard.into()],
                    );
                }
                Err(error) => worker::console_error!("push to shard {}: {error}", shard.shard),
            }
        }
    }

    async fn push(&self, channel_id: &str, shard: &ShardRow) -> Result<i64> {
        let signals = self.since(shard.delivered_through, CATCH_UP_BATCH)?;
        if signals.is_empty() {
            return Ok(shard.delivered_through);
        }
        let stub = shard_stub(&self.env, channel_id, shard.shard as u32)?;
        let delivered: Delivered = call(&stub, Method::Post, "/deliver", Some(&Deliver { signals })).await?;
        Ok(delivered.through)
    }

    /// Forwards a follower's new sizing to every shard (it may hold sockets in any of them).
    async fn update_member(&self, update: &MemberUpdate) -> Result<MemberUpdated> {
        let shards = self.shards()?;
        let calls = shards.iter().map(|shard| async move {
            let stub = shard_stub(&self.env, &update.channel_id, shard.shard as u32)?;
            call::<_, MemberUpdated>(&stub, Method::Post, "/member", Some(update)).await
        });
        let mut sockets = 0;
        for outcome in join_all(calls).await {
            sockets += outcome?.sockets;
        }
        Ok(MemberUpdated { sockets })
    }

    /// The least-loaded shard with room left, or a new one.
    fn assign(&self, assign: &Assign) -> Result<Assigned> {
        let _ = &assign.channel_id;
        let shards: Vec<ShardRow> = self
            .sql
            .exec("SELECT shard, sockets, delivered_through FROM shards ORDER BY sockets, shard", None)?
            .to_array()?;
        #[derive(Deserialize)]
        struct Sticky {
            shard: i64,
        }
        let sticky: Vec<Sticky> = self
            .sql
            .exec("SELECT shard FROM member_shards WHERE user_id = ?", vec![assign.user_id.as_str().into()])?
            .to_array()?;
        let shard = match (sticky.first(), shards.iter().find(|row| row.sockets < assign.shard_size.max(1) as i64)) {
            (Some(sticky), _) => sticky.shard,
            (None, Some(row)) => row.shard,
            (None, None) => shards.iter().map(|row| row.shard + 1).max().unwrap_or(0),
        };
        if sticky.is_empty() && !assign.user_id.is_empty() {
            self.sql.exec(
                "INSERT INTO member_shards (user_id, shard) VALUES (?, ?)",
                vec![assign.user_id.as_str().into(), shard.into()],
            )?;
        }
        // Count the socket now, so concurrent connections spread; the shard reports the truth.
        let head = self.head_seq()?;
        self.sql.exec(
            "INSERT INTO shards (shard, sockets, delivered_through) VALUES (?, 1, ?)
             ON CONFLICT (shard) DO UPDATE SET sockets = sockets + 1",
            vec![shard.into(), head.into()],
        )?;
        Ok(Assigned { shard: shard as u32 })
    }
}

fn random_id() -> Result<String> {
    let mut bytes = [0u8; 16];
    internal::random_fill(&mut bytes)?;
    Ok(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}
