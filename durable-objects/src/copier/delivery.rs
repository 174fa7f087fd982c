//! What a socket receives: a stored message rendered for one member (followers get volumes
//! sized by their `trade_copy`), and the shard replica's queries.

use std::str::FromStr;

use auronex_core::copier::sizing::SizingError;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Value};
use worker::{Result, SqlStorage};

use super::protocol::{Kind, Member, MemberRole, Stored, RETAIN_MS, RETAIN_SIGNALS};

fn decimal(value: &Value) -> Option<Decimal> {
    match value {
        Value::Number(number) => {
            Decimal::from_str(&number.to_string()).or_else(|_| Decimal::from_scientific(&number.to_string())).ok()
        }
        Value::String(text) => Decimal::from_str(text).ok(),
        _ => None,
    }
}

fn number(value: Decimal) -> Value {
    serde_json::from_str(&value.normalize().to_string()).unwrap_or(Value::Null)
}

/// The websocket message for `member`: `{"type", "seq", "signal_id", "at", "data"}`; a
/// follower's open older than its `max_signal_age_s` at `now_ms` also carries `"stale": true`
/// and `age_s`. `Err` when the follower's `trade_copy` cannot size the volume (only a config
/// stored before the bounds, or forged, can): the caller tells that member and no one else.
pub fn message_for(member: &Member, signal: &Stored, now_ms: i64) -> Result<Value, SizingError> {
    let mut data = signal.data.clone();
    let follower = member.role == MemberRole::Follower;
    if follower && matches!(signal.kind, Kind::Signal | Kind::Close) {
        if let Some(master_volume) = data.get("volume").and_then(decimal) {
            let volume = member.trade_copy.size(master_volume)?;
            data["master_volume"] = number(master_volume);
            data["volume"] = number(volume);
        }
    }
    let mut message = json!({
        "type": signal.kind.as_str(),
        "seq": signal.seq,
        "signal_id": signal.signal_id,
        "at": crate::internal::rfc3339(signal.created_at_ms),
        "data": data,
    });
    let age_ms = now_ms.saturating_sub(signal.created_at_ms);
    if follower && signal.kind == Kind::Signal && age_ms > i64::from(member.trade_copy.max_signal_age_s) * 1000 {
        message["stale"] = Value::Bool(true);
        message["age_s"] = Value::from(age_ms / 1000);
    }
    Ok(message)
}

/// What a member whose `trade_copy` cannot size a message gets instead of it.
pub fn sizing_failed(signal: &Stored, error: &SizingError) -> Value {
    json!({
        "type": "error",
        "code": "sizing_failed",
        "seq": signal.seq,
        "signal_id": signal.signal_id,
        "message": format!("{error}: subscribe again with a trade_copy within the documented bounds"),
    })
}

/// A log row as SQLite holds it (the room's `signals` and a shard's `replica` share columns).
#[derive(Deserialize)]
pub struct LogRow {
    seq: i64,
    signal_id: String,
    kind: Kind,
    ticket: String,
    data: String,
    created_at_ms: i64,
}

impl LogRow {
    pub fn into_stored(self) -> Result<Stored> {
        Ok(Stored {
            seq: self.seq,
            signal_id: self.signal_id,
            kind: self.kind,
            ticket: self.ticket,
            data: serde_json::from_str(&self.data)?,
            created_at_ms: self.created_at_ms,
        })
    }
}

/// Every logged message after `last_seq`, in order, from `table` (`signals` or `replica`).
pub fn log_after(sql: &SqlStorage, table: &str, last_seq: i64, limit: i64) -> Result<Vec<Stored>> {
    let rows: Vec<LogRow> = sql
        .exec(
            &format!("SELECT seq, signal_id, kind, ticket, data, created_at_ms FROM {table} WHERE seq > ? ORDER BY seq LIMIT ?"),
            vec![last_seq.into(), limit.into()],
        )?
        .to_array()?;
    rows.into_iter().map(LogRow::into_stored).collect()
}

/// Keeps the replica to the room's retention (count and age), and deliveries and refusals to
/// the replica;
/// range searches only (primary key, `created_at_ms` index), like the room's log.
pub fn prune_replica(sql: &SqlStorage, now_ms: i64) -> Result<()> {
    sql.exec("DELETE FROM replica WHERE seq <= (SELECT MAX(seq) FROM replica) - ?", vec![RETAIN_SIGNALS.into()])?;
    sql.exec("DELETE FROM replica WHERE created_at_ms < ?", vec![(now_ms - RETAIN_MS).into()])?;
    sql.exec("DELETE FROM deliveries WHERE seq < (SELECT MIN(seq) FROM replica)", None)?;
    sql.exec("DELETE FROM refusals WHERE seq < (SELECT MIN(seq) FROM replica)", None)?;
    Ok(())
}
