//! Messages between the Worker, the room and its shards, and the websocket messages.

use auronex_core::copier::TradeCopy;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Signals older than this, or beyond this many, are dropped from the resume log.
pub const RETAIN_SIGNALS: i64 = 10_000;
pub const RETAIN_MS: i64 = 7 * 24 * 60 * 60 * 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Signal,
    Close,
    Modify,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Signal => "signal",
            Self::Close => "close",
            Self::Modify => "modify",
        }
    }
}

/// The Worker asks the room to sequence and store one message.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Publish {
    pub channel_id: String,
    pub kind: Kind,
    pub ticket: String,
    /// Same key, same signal: a master's retried POST gets the first one's `seq`.
    pub idempotency_key: String,
    pub data: Value,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Published {
    pub signal_id: String,
    pub seq: i64,
    pub duplicate: bool,
    pub created_at_ms: i64,
}

/// A sequenced message as stored in the room's log and in every shard's replica.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Stored {
    pub seq: i64,
    pub signal_id: String,
    pub kind: Kind,
    pub ticket: String,
    pub data: Value,
    pub created_at_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Since {
    pub signals: Vec<Stored>,
    pub head_seq: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Assign {
    pub channel_id: String,
    pub shard_size: u32,
    /// A user's sockets all go to one shard, so that shard can hold them to the per-user cap.
    #[serde(default)]
    pub user_id: String,
}

/// Sockets one user may hold open on one channel (several machines, a restart overlapping).
pub const MAX_SOCKETS_PER_USER: usize = 5;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Assigned {
    pub shard: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShardCount {
    pub shard: u32,
    pub sockets: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Deliver {
    pub signals: Vec<Stored>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Delivered {
    pub through: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberRole {
    Publisher,
    Follower,
}

/// Who a socket belongs to; travels in the `x-auronex-member` header of the upgrade the Worker
/// forwards (after checking the token and the membership) and lives in the socket's attachment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Member {
    pub user_id: String,
    pub role: MemberRole,
    pub trade_copy: TradeCopy,
    pub channel_id: String,
    pub shard: u32,
}

/// A follower's new `trade_copy`, applied to its open sockets (the room forwards it to every shard).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemberUpdate {
    pub channel_id: String,
    pub user_id: String,
    pub trade_copy: TradeCopy,
}

/// Sockets a shard closes: one user's (`user_id`) or everyone's (`None`), with the close code
/// and reason the client is told.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EndSockets {
    pub user_id: Option<String>,
    pub code: u16,
    pub reason: String,
}

/// Close codes a copier client sees when the server ends its socket.
pub mod close_code {
    /// The user's session ended (logout, deactivation, password change): log in again.
    pub const SESSION_ENDED: u16 = crate::stream::SESSION_ENDED;
    /// The user no longer belongs to the channel (unsubscribed, or removed by the publisher).
    pub const NOT_A_MEMBER: u16 = 4403;
    /// The publisher deleted the channel.
    pub const CHANNEL_DELETED: u16 = 4410;
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MemberUpdated {
    /// Open sockets that now size with the new `trade_copy`.
    pub sockets: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub user_id: String,
    pub sent_at_ms: Option<i64>,
    pub acked_at_ms: Option<i64>,
    pub client_ticket: Option<String>,
    /// Why the message could not be sent to this follower (`sizing_failed`'s reason).
    #[serde(default)]
    pub error: Option<String>,
}

/// Messages a client sends over the websocket.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    Ping,
    Resume { last_seq: i64 },
    Ack { seq: i64, client_ticket: Option<Value> },
}

pub fn shard_name(channel_id: &str, shard: u32) -> String {
    format!("{channel_id}#{shard}")
}
