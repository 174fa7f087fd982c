//! Durable Object classes exported by the Worker. Each class lives in its own module.

mod signal_room;

pub use signal_room::SignalRoom;
