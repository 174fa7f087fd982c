//! What a socket receives: a stored message rendered for one member (followers get volumes
//! sized by their `trade_copy`), and the shard replica's queries.

use std::str::FromStr;

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

/// The websocket message for `member`: `{"type", "seq", "signal_id", "at", "data"}`.
pub fn message_for(member: &Member, signal: &Stored) -> Value {
    let mut data = signal.data.clone();
    let sized = member.role == MemberRole::Follower && matches!(signal.kind, Kind::Signal | Kind::Close);
    if sized {
        if let Some(master_volume) = data.get("volume").and_then(decimal) {
            data["master_volume"] = number(master_volume);
            data["volume"] = number(member.trade_copy.size(master_volume));
        }
    }
    json!({
        "type": signal.kind.as_str(),
        "seq": signal.seq,
        "signal_id": signal.signal_id,
        "at": crate::internal::rfc3339(signal.created_at_ms),
        "data": data,
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

/// Keeps the replica to the room's retention (count and age), and deliveries to the replica;
/// range searches only (primary key, `created_at_ms` index), like the room's log.
pub fn prune_replica(sql: &SqlStorage, now_ms: i64) -> Result<()> {
    sql.exec("DELETE FROM replica WHERE seq <= (SELECT MAX(seq) FROM replica) - ?", vec![RETAIN_SIGNALS.into()])?;
    sql.exec("DELETE FROM replica WHERE created_at_ms < ?", vec![(now_ms - RETAIN_MS).into()])?;
    sql.exec("DELETE FROM deliveries WHERE seq < (SELECT MIN(seq) FROM replica)", None)?;
    Ok(())
}
