//! The copier's objects: one `SignalRoom` per channel (sequence, log, idempotency, shards) and
//! `SignalShard`s holding the websockets, each with a replica of the recent log.

mod audience;
mod delivery;
pub mod protocol;
pub mod room;
pub mod shard;

use worker::{Env, Result, Stub};

/// The channel's `SignalRoom`.
pub fn room_stub(env: &Env, channel_id: &str) -> Result<Stub> {
    env.durable_object("SIGNAL_ROOM")?.id_from_name(channel_id)?.get_stub()
}

/// Shard number `shard` of the channel.
pub fn shard_stub(env: &Env, channel_id: &str, shard: u32) -> Result<Stub> {
    env.durable_object("SIGNAL_SHARD")?.id_from_name(&protocol::shard_name(channel_id, shard))?.get_stub()
}
