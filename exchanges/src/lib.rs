//! Exchange catalogue and venue modules: pure request builders and response parsers.
//! Fetching happens in the Worker; base URLs are configuration.

pub mod catalog;

pub use catalog::{ExchangeId, UnknownExchange};
