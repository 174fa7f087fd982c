//! Exchange catalogue and venue modules: pure request builders and response parsers.
//! Fetching happens in the Worker; base URLs are configuration.
//!
//! Every venue implements [`Venue`]: it says which path answers each market-data question
//! (spot markets with their trading rules, best bid/ask, 24-hour ticker, candles), how many
//! markets one request may cover, and turns the venue's raw payload into the unified types
//! of [`model`]. Venue symbols (`BTCUSDT`, `XXBTZUSD`, `BTC-USD`) appear only inside the
//! venue modules and the [`Market`] records they produce; everything else speaks `BASE/QUOTE`.

pub mod catalog;
pub mod error;
mod fields;
pub mod fx;
pub mod history;
mod json;
pub mod model;
pub mod request;
pub mod venue;
pub mod venues;

pub use auronex_core::symbol::Symbol;
pub use catalog::{ExchangeId, UnknownExchange};
pub use error::{ErrorKind, VenueError};
pub use model::{BookTicker, Candle, Market, Ticker24h, Timeframe, UnknownTimeframe};
pub use request::UpstreamRequest;
pub use venue::{venue, Batching, HistoryPaging, Quirks, Venue};
