//! `SignalShard`: holds up to a shard's worth of a channel's websockets (hibernation API), with
//! a replica of the channel's recent log so a `resume` is answered at once and in order. Each
//! follower gets every message sized by its own `trade_copy`.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};
use worker::{
    durable_object, wasm_bindgen, Delay, DurableObject, Env, Method, Request, Response, Result, SqlStorage, State,
    WebSocket, WebSocketIncomingMessage, WebSocketPair,
};

use super::audience::Audience;
use super::protocol::{
    ClientMessage, Deliver, Delivered, DeliveryRow, EndSockets, Member, MemberUpdate, MemberUpdated, ShardCount, Since,
    Stored, MAX_SOCKETS_PER_USER,
};
use super::room_stub;
use super::{delivery, protocol::MemberRole};
use crate::internal::{call, error_response, json_response, now_ms};

#[durable_object]
pub struct SignalShard {
    state: State,
    sql: SqlStorage,
    env: Env,
    /// The sockets grouped for sending; `None` until needed again after the set changed.
    audience: RefCell<Option<Rc<Audience>>>,
    /// Sockets in the middle of a paced replay: live messages skip them (the replay reaches
    /// those too, from the replica), so each gets every message once and in order.
    replaying: RefCell<Vec<web_sys::WebSocket>>,
}

/// A replay sends this many messages per turn, then lets the object serve others (live
/// deliveries, other sockets' messages) before the next batch.
pub const REPLAY_BATCH: i64 = 200;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS replica (
    seq INTEGER PRIMARY KEY, signal_id TEXT NOT NULL, kind TEXT NOT NULL, ticket TEXT NOT NULL,
    data TEXT NOT NULL, created_at_ms INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS replica_created ON replica (created_at_ms);
CREATE TABLE IF NOT EXISTS deliveries (
    seq INTEGER NOT NULL, user_id TEXT NOT NULL, sent_at_ms INTEGER, acked_at_ms INTEGER, client_ticket TEXT,
    PRIMARY KEY (seq, user_id));
CREATE TABLE IF NOT EXISTS refusals (
    seq INTEGER NOT NULL, user_id TEXT NOT NULL, reason TEXT NOT NULL, at_ms INTEGER NOT NULL,
    PRIMARY KEY (seq, user_id));";

/// Longest `client_ticket` an ack may carry (characters).
pub const MAX_CLIENT_TICKET: usize = 64;

pub const MEMBER_HEADER: &str = "x-auronex-member";

impl DurableObject for SignalShard {
    fn new(state: State, env: Env) -> Self {
        let sql = state.storage().sql();
        if let Err(error) = sql.exec(SCHEMA, None) {
            worker::console_error!("signal shard schema: {error}");
        }
        Self { state, sql, env, audience: RefCell::new(None), replaying: RefCell::new(Vec::new()) }
    }

    async fn fetch(&self, mut req: Request) -> Result<Response> {
        let url = req.url()?;
        match (req.method(), url.path()) {
            (Method::Get, "/connect") => self.accept_member(&req, &url).await,
            (Method::Post, "/deliver") => {
                let deliver: Deliver = req.json().await?;
                json_response(&Delivered { through: self.deliver(deliver.signals).await? })
            }
            (Method::Post, "/member") => {
                let update: MemberUpdate = req.json().await?;
                json_response(&self.update_member(&update)?)
            }
            (Method::Post, "/end-sockets") => {
                let end: EndSockets = req.json().await?;
                json_response(&json!({"sockets": self.end_sockets(&end)}))
            }
            (Method::Get, "/deliveries") => {
                let seq = url.query_pairs().find(|(k, _)| k == "seq").and_then(|(_, v)| v.parse::<i64>().ok());
                let rows: Vec<DeliveryRow> = self
                    .sql
                    .exec(
                        "SELECT user_id, MAX(sent_at_ms) AS sent_at_ms, MAX(acked_at_ms) AS acked_at_ms,
                                MAX(client_ticket) AS client_ticket, MAX(error) AS error FROM (
                           SELECT user_id, sent_at_ms, acked_at_ms, client_ticket, NULL AS error FROM deliveries WHERE seq = ?1
                           UNION ALL SELECT user_id, NULL, NULL, NULL, reason FROM refusals WHERE seq = ?1)
                         GROUP BY user_id ORDER BY user_id",
                        vec![seq.unwrap_or(-1).into()],
                    )?
                    .to_array()?;
                json_response(&rows)
            }
            _ => error_response(404, "not_found", "no such shard operation"),
        }
    }

    async fn websocket_message(&self, ws: WebSocket, message: WebSocketIncomingMessage) -> Result<()> {
        let Some(member) = ws.deserialize_attachment::<Member>()? else {
            let _ = ws.close(Some(1011), Some("lost its member record"));
            return Ok(());
        };
        let parsed = match message {
            WebSocketIncomingMessage::String(text) => serde_json::from_str::<ClientMessage>(&text).ok(),
            WebSocketIncomingMessage::Binary(_) => None,
        };
        match parsed {
            Some(ClientMessage::Ping) => send(&ws, &json!({"type": "pong"})),
            Some(ClientMessage::Resume { last_seq }) => self.replay(&ws, &member, last_seq).await,
            Some(ClientMessage::Ack { seq, client_ticket }) => match self.checked_ack(&member, seq, client_ticket) {
                Ok(ticket) => {
                    self.sql.exec(
                        "INSERT INTO deliveries (seq, user_id, acked_at_ms, client_ticket) VALUES (?, ?, ?, ?)
                         ON CONFLICT (seq, user_id) DO UPDATE SET acked_at_ms = excluded.acked_at_ms, client_ticket = excluded.client_ticket",
                        vec![seq.into(), member.user_id.as_str().into(), now_ms().into(), ticket.map(Into::into).unwrap_or(worker::SqlStorageValue::Null)],
                    )?;
                    Ok(())
                }
                Err(message) => send(&ws, &json!({"type": "error", "code": "bad_ack", "seq": seq, "message": message})),
            },
            None => {
                send(&ws, &json!({"type": "error", "code": "bad_message", "message": "unknown or malformed message"}))
            }
        }
    }

    async fn websocket_close(&self, ws: WebSocket, code: usize, _reason: String, _clean: bool) -> Result<()> {
        let code = if code == 1005 || code == 1006 { 1000 } else { code as u16 };
        let _ = ws.close(Some(code), Some("closing"));
        self.forget_audience();
        self.report_count(&ws).await;
        Ok(())
    }

    async fn websocket_error(&self, ws: WebSocket, _error: worker::Error) -> Result<()> {
        let _ = ws.close(Some(1011), Some("socket error"));
        self.forget_audience();
        self.report_count(&ws).await;
        Ok(())
    }
}

fn send(ws: &WebSocket, message: &Value) -> Result<()> {
    ws.send_with_str(message.to_string())
}

impl SignalShard {
    async fn accept_member(&self, req: &Request, url: &worker::Url) -> Result<Response> {
        let header = req.headers().get(MEMBER_HEADER)?.unwrap_or_default();
        let member: Member =
            serde_json::from_str(&header).map_err(|_| worker::Error::RustError("bad member header".into()))?;
        let last_seq = url.query_pairs().find(|(k, _)| k == "last_seq").and_then(|(_, v)| v.parse::<i64>().ok());
        let held = self
            .state
            .get_websockets()
            .iter()
            .filter(|ws| {
                ws.deserialize_attachment::<Member>().ok().flatten().is_some_and(|m| m.user_id == member.user_id)
            })
            .count();
        if held >= MAX_SOCKETS_PER_USER {
            let message =
                format!("at most {MAX_SOCKETS_PER_USER} open connections per user and channel; close one first");
            return error_response(429, "too_many_connections", &message);
        }
        let head_seq = self.catch_up(&member.channel_id).await?;

        let pair = WebSocketPair::new()?;
        self.state.accept_web_socket(&pair.server);
        pair.server.serialize_attachment(&member)?;
        self.forget_audience();
        let role = match member.role {
            MemberRole::Publisher => "publisher",
            MemberRole::Follower => "follower",
        };
        send(
            &pair.server,
            &json!({"type": "hello", "channel_id": member.channel_id, "role": role,
            "head_seq": head_seq, "oldest_seq": self.oldest_seq()?}),
        )?;
        if let Some(last_seq) = last_seq {
            self.replay(&pair.server, &member, last_seq).await?;
        }
        self.report_count(&pair.server).await;
        Ok(Response::builder().with_status(101).with_websocket(pair.client).empty())
    }

    /// Brings the replica up to the room's head (a new shard starts empty); returns the head.
    async fn catch_up(&self, channel_id: &str) -> Result<i64> {
        let room = room_stub(&self.env, channel_id)?;
        let since: Since =
            call::<(), _>(&room, Method::Get, &format!("/since?after={}", self.replica_max()?), None).await?;
        self.store(&since.signals)?;
        Ok(since.head_seq)
    }

    fn replica_max(&self) -> Result<i64> {
        #[derive(Deserialize)]
        struct Max {
            max: Option<i64>,
        }
        let rows: Vec<Max> = self.sql.exec("SELECT MAX(seq) AS max FROM replica", None)?.to_array()?;
        Ok(rows.first().and_then(|row| row.max).unwrap_or(0))
    }

    fn oldest_seq(&self) -> Result<i64> {
        #[derive(Deserialize)]
        struct Min {
            min: Option<i64>,
        }
        let rows: Vec<Min> = self.sql.exec("SELECT MIN(seq) AS min FROM replica", None)?.to_array()?;
        Ok(rows.first().and_then(|row| row.min).unwrap_or(0))
    }

    /// Stores `signals` in the replica; answers the ones it did not have, in order, and the
    /// sequence the replica now reaches.
    fn store(&self, signals: &[Stored]) -> Result<(Vec<Stored>, i64)> {
        let before = self.replica_max()?;
        let mut fresh = Vec::new();
        for signal in signals {
            self.sql.exec(
                "INSERT OR IGNORE INTO replica (seq, signal_id, kind, ticket, data, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
                vec![
                    signal.seq.into(),
                    signal.signal_id.as_str().into(),
                    signal.kind.as_str().into(),
                    signal.ticket.as_str().into(),
                    serde_json::to_string(&signal.data)?.into(),
                    signal.created_at_ms.into(),
                ],
            )?;
            if signal.seq > before {
                fresh.push(signal.clone());
            }
        }
        fresh.sort_by_key(|signal| signal.seq);
        delivery::prune_replica(&self.sql, now_ms())?;
        let through = fresh.last().map_or(before, |newest| newest.seq);
        Ok((fresh, through))
    }

    /// Stores pushed messages and sends the new ones, in order, to every socket. Each group is
    /// rendered and sent on its own: a group whose `trade_copy` cannot size a message gets a
    /// `sizing_failed` error instead (logged, and recorded as a refusal the publisher sees in
    /// the deliveries), and every other group still gets the message.
    async fn deliver(&self, signals: Vec<Stored>) -> Result<i64> {
        let (fresh, through) = self.store(&signals)?;
        let audience = self.audience();
        let now = now_ms();
        let mut lost_a_socket = false;
        let mut sent = Vec::with_capacity(fresh.len());
        let mut refused = Vec::new();
        for signal in &fresh {
            let mut sent_to = Vec::new();
            for group in &audience.groups {
                let (text, sized) = match delivery::message_for(&group.member, signal, now) {
                    Ok(message) => (message.to_string(), true),
                    Err(error) => {
                        refused.push((
                            signal.seq,
                            group.member.channel_id.as_str(),
                            group.user_ids.clone(),
                            error.to_string(),
                        ));
                        (delivery::sizing_failed(signal, &error).to_string(), false)
                    }
                };
                let failed = group.send(&text);
                lost_a_socket |= !failed.is_empty();
                if group.follows() && sized {
                    let delivered = group.user_ids.iter().enumerate().filter(|(index, _)| !failed.contains(index));
                    sent_to.extend(delivered.map(|(_, user_id)| user_id.as_str()));
                }
            }
            sent.push((signal.seq, sent_to));
        }
        if lost_a_socket {
            self.forget_audience();
        }
        // The messages leave once the replica write above commits. Who was sent what is written
        // a turn later, in its own transaction, so no follower waits for the bookkeeping; a
        // failure there is logged and holds nothing back.
        Delay::from(Duration::ZERO).await;
        for (seq, user_ids) in sent {
            if let Err(error) = self.record_sent(seq, &user_ids) {
                worker::console_error!("recording deliveries of seq {seq}: {error}");
            }
        }
        for (seq, channel_id, user_ids, reason) in refused {
            self.refuse(seq, channel_id, &user_ids, &reason);
        }
        Ok(through)
    }

    /// Logs and records that `user_ids` could not be sent `seq` (their sizing failed).
    fn refuse(&self, seq: i64, channel_id: &str, user_ids: &[String], reason: &str) {
        worker::console_error!(
            "{}",
            json!({"level": "error", "event": "copier_group_failed", "channel_id": channel_id, "seq": seq,
                   "followers": user_ids.len(), "detail": reason})
        );
        let outcome = self.sql.exec(
            "INSERT INTO refusals (seq, user_id, reason, at_ms) SELECT ?, value, ?, ? FROM json_each(?)
             WHERE true ON CONFLICT (seq, user_id) DO UPDATE SET reason = excluded.reason",
            vec![
                seq.into(),
                reason.into(),
                now_ms().into(),
                serde_json::to_string(user_ids).unwrap_or_default().into(),
            ],
        );
        if let Err(error) = outcome {
            worker::console_error!("recording refusals of seq {seq}: {error}");
        }
    }

    /// An ack's client ticket as stored, or why the ack is refused: only followers ack, a `seq`
    /// from 1 to the head this shard holds, a ticket of at most [`MAX_CLIENT_TICKET`] printable
    /// characters (a string or a number). A refused ack stores nothing.
    fn checked_ack(
        &self,
        member: &Member,
        seq: i64,
        client_ticket: Option<Value>,
    ) -> std::result::Result<Option<String>, String> {
        if member.role != MemberRole::Follower {
            return Err("only followers ack".into());
        }
        let head = self.replica_max().map_err(|error| error.to_string())?;
        if !(1..=head).contains(&seq) {
            return Err(format!("seq {seq} is not a message of this channel (head {head})"));
        }
        let ticket = match client_ticket {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::String(text)) => text,
            Some(Value::Number(number)) => number.to_string(),
            Some(_) => return Err("client_ticket must be a string or a number".into()),
        };
        if ticket.is_empty() || ticket.chars().count() > MAX_CLIENT_TICKET || ticket.chars().any(char::is_control) {
            return Err(format!("client_ticket must be 1 to {MAX_CLIENT_TICKET} printable characters"));
        }
        Ok(Some(ticket))
    }

    /// Gives the follower's open sockets its new sizing: every later message uses it.
    fn update_member(&self, update: &MemberUpdate) -> Result<MemberUpdated> {
        let mut sockets = 0;
        for ws in self.state.get_websockets() {
            let Ok(Some(mut member)) = ws.deserialize_attachment::<Member>() else { continue };
            if member.user_id == update.user_id && member.role == MemberRole::Follower {
                member.trade_copy = update.trade_copy.clone();
                ws.serialize_attachment(&member)?;
                sockets += 1;
            }
        }
        if sockets > 0 {
            self.forget_audience();
        }
        Ok(MemberUpdated { sockets })
    }

    /// Closes the sockets of `end.user_id` (or all of them): the Worker calls this once the
    /// user's sessions ended, the user left the channel or the channel was deleted (the
    /// attachments carry the user, so hibernated sockets are found as well).
    fn end_sockets(&self, end: &EndSockets) -> usize {
        let mut closed = 0;
        for ws in self.state.get_websockets() {
            let Ok(Some(member)) = ws.deserialize_attachment::<Member>() else { continue };
            if end.user_id.as_ref().is_none_or(|user_id| *user_id == member.user_id) {
                let _ = ws.close(Some(end.code), Some(end.reason.as_str()));
                closed += 1;
            }
        }
        if closed > 0 {
            self.forget_audience();
        }
        closed
    }

    fn audience(&self) -> Rc<Audience> {
        let cached = self.audience.borrow().clone();
        cached.unwrap_or_else(|| {
            let live = self.state.get_websockets().into_iter().filter(|ws| !self.is_replaying(ws)).collect();
            let built = Rc::new(Audience::from_sockets(live));
            *self.audience.borrow_mut() = Some(Rc::clone(&built));
            built
        })
    }

    fn forget_audience(&self) {
        self.audience.borrow_mut().take();
    }

    /// Records that `signal_seq` was sent to each of `user_ids` now (first send time kept).
    fn record_sent(&self, signal_seq: i64, user_ids: &[&str]) -> Result<()> {
        if user_ids.is_empty() {
            return Ok(());
        }
        self.sql.exec(
            "INSERT INTO deliveries (seq, user_id, sent_at_ms) SELECT ?, value, ? FROM json_each(?)
             WHERE true ON CONFLICT (seq, user_id) DO UPDATE SET sent_at_ms = COALESCE(sent_at_ms, excluded.sent_at_ms)",
            vec![signal_seq.into(), now_ms().into(), serde_json::to_string(user_ids)?.into()],
        )?;
        Ok(())
    }

    fn is_replaying(&self, ws: &WebSocket) -> bool {
        let socket: &web_sys::WebSocket = ws.as_ref();
        self.replaying.borrow().iter().any(|other| worker::js_sys::Object::is(other, socket))
    }

    /// Sends `ws` every message after `last_seq`, paced: [`REPLAY_BATCH`] at a time, yielding
    /// between batches so a replay of the whole log holds nobody else up. The socket gets no
    /// live message meanwhile; the replay ends when it finds nothing newer in the replica, in
    /// the same turn as the socket rejoins the live audience, so nothing is missed or doubled.
    async fn replay(&self, ws: &WebSocket, member: &Member, last_seq: i64) -> Result<()> {
        if self.is_replaying(ws) {
            let message = "a resume is already under way on this connection; wait for it to finish";
            return send(ws, &json!({"type": "error", "code": "resume_in_progress", "message": message}));
        }
        let oldest = self.oldest_seq()?;
        if last_seq + 1 < oldest {
            send(
                ws,
                &json!({"type": "gap", "oldest_seq": oldest,
                "message": "messages before oldest_seq are no longer kept; reconcile open positions"}),
            )?;
        }
        let socket: web_sys::WebSocket = AsRef::<web_sys::WebSocket>::as_ref(ws).clone();
        self.replaying.borrow_mut().push(socket.clone());
        self.forget_audience();
        let outcome = self.send_after(ws, member, last_seq).await;
        self.replaying.borrow_mut().retain(|other| !worker::js_sys::Object::is(other, &socket));
        self.forget_audience();
        outcome
    }

    async fn send_after(&self, ws: &WebSocket, member: &Member, mut cursor: i64) -> Result<()> {
        loop {
            let batch = delivery::log_after(&self.sql, "replica", cursor, REPLAY_BATCH)?;
            let Some(newest) = batch.last() else { return Ok(()) };
            cursor = newest.seq;
            let mut sent = Vec::with_capacity(batch.len());
            for signal in &batch {
                if self.send_signal(ws, member, signal)? {
                    sent.push(signal.seq);
                }
            }
            if member.role == MemberRole::Follower {
                self.record_sent_to(&member.user_id, &sent)?;
            }
            Delay::from(Duration::ZERO).await;
        }
    }

    /// Sends one message sized for `member`: whether it was a signal (not a sizing refusal).
    fn send_signal(&self, ws: &WebSocket, member: &Member, signal: &Stored) -> Result<bool> {
        match delivery::message_for(member, signal, now_ms()) {
            Ok(message) => {
                ws.send_with_str(message.to_string())?;
                Ok(true)
            }
            Err(error) => {
                ws.send_with_str(delivery::sizing_failed(signal, &error).to_string())?;
                self.refuse(signal.seq, &member.channel_id, std::slice::from_ref(&member.user_id), &error.to_string());
                Ok(false)
            }
        }
    }

    /// Records that each of `seqs` was sent to `user_id` now (first send time kept).
    fn record_sent_to(&self, user_id: &str, seqs: &[i64]) -> Result<()> {
        if seqs.is_empty() {
            return Ok(());
        }
        self.sql.exec(
            "INSERT INTO deliveries (seq, user_id, sent_at_ms) SELECT value, ?, ? FROM json_each(?)
             WHERE true ON CONFLICT (seq, user_id) DO UPDATE SET sent_at_ms = COALESCE(sent_at_ms, excluded.sent_at_ms)",
            vec![user_id.into(), now_ms().into(), serde_json::to_string(seqs)?.into()],
        )?;
        Ok(())
    }

    async fn report_count(&self, ws: &WebSocket) {
        let Ok(Some(member)) = ws.deserialize_attachment::<Member>() else { return };
        let sockets = self.state.get_websockets().len() as u32;
        let outcome = async {
            let room = room_stub(&self.env, &member.channel_id)?;
            call::<_, Value>(&room, Method::Post, "/shard-count", Some(&ShardCount { shard: member.shard, sockets }))
                .await
        };
        if let Err(error) = outcome.await {
            worker::console_error!("shard count report: {error}");
        }
    }
}
