//! The copier in the Worker: channels and subscriptions in D1, calls to the channel's room,
//! and bots publishing their paper trades to a channel.

pub mod bot_trades;
pub mod publish;
pub mod repo;
pub mod room;
