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
        "at": rfc3339(signal.created_at_ms),
        "data": data,
    })
}

fn rfc3339(ms: i64) -> String {
    String::from(worker::js_sys::Date::new(&(ms as f64).into()).to_iso_string())
}

#[derive(Deserialize)]
struct ReplicaRow {
    seq: i64,
    signal_id: String,
    kind: Kind,
    ticket: String,
    data: String,
    created_at_ms: i64,
}

pub fn replica_after(sql: &SqlStorage, last_seq: i64) -> Result<Vec<Stored>> {
    let rows: Vec<ReplicaRow> = sql
        .exec(
            "SELECT seq, signal_id, kind, ticket, data, created_at_ms FROM replica WHERE seq > ? ORDER BY seq",
            vec![last_seq.into()],
        )?
        .to_array()?;
    rows.into_iter()
        .map(|row| {
            Ok(Stored {
                seq: row.seq,
                signal_id: row.signal_id,
                kind: row.kind,
                ticket: row.ticket,
                data: serde_json::from_str(&row.data)?,
                created_at_ms: row.created_at_ms,
            })
        })
        .collect()
}

/// Keeps the replica to the room's retention (count and age), and deliveries to the replica.
pub fn prune_replica(sql: &SqlStorage, now_ms: i64) -> Result<()> {
    sql.exec(
        "DELETE FROM replica WHERE seq <= (SELECT MAX(seq) FROM replica) - ? OR created_at_ms < ?",
        vec![RETAIN_SIGNALS.into(), (now_ms - RETAIN_MS).into()],
    )?;
    sql.exec("DELETE FROM deliveries WHERE seq < (SELECT MIN(seq) FROM replica)", None)?;
    Ok(())
}
