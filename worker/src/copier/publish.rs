//! Publishing one message to a channel: the room sequences and stores it (a repeated
//! idempotency key gets the first `seq`), then the D1 history gets its copy.

use auronex_durable_objects::copier::protocol::{Kind, Publish, Published};
use serde_json::Value;
use worker::Env;

use super::repo::{self, HistoryEntry};
use super::room;

pub async fn publish(
    env: &Env,
    channel_id: &str,
    kind: Kind,
    ticket: String,
    idempotency_key: String,
    data: Value,
) -> worker::Result<Published> {
    let message = Publish { channel_id: channel_id.to_string(), kind, ticket, idempotency_key, data };
    let published = room::publish(env, &message).await?;
    let created_at = crate::clock::rfc3339_from_ms(published.created_at_ms);
    let entry = HistoryEntry {
        channel_id,
        seq: published.seq,
        signal_id: &published.signal_id,
        kind: kind.as_str(),
        ticket: &message.ticket,
        data: &message.data,
        created_at: &created_at,
    };
    repo::record_history(&env.d1("DB")?, entry).await?;
    Ok(published)
}
