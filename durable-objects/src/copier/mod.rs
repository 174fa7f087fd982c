//! The copier's objects: one `SignalRoom` per channel (sequence, log, idempotency, shards) and
//! `SignalShard`s holding the websockets, each with a replica of the recent log.

mod audience;
mod delivery;
pub mod protocol;
pub mod room;
pub mod shard;
