//! Durable Object classes exported by the Worker, and the internal calls between them.

pub mod copier;
pub mod internal;
pub mod stream;

pub use copier::room::SignalRoom;
pub use copier::shard::SignalShard;
pub use stream::UserStream;
