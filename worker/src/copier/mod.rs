//! The copier in the Worker: channels and subscriptions in D1, and calls to the channel's room.

pub mod repo;
pub mod room;
