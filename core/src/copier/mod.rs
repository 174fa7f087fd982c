//! Trade copier rules: what a valid master signal is, and how each follower sizes it.

pub mod signal;
pub mod sizing;

pub use signal::{Action, OpenSignal, SignalError};
pub use sizing::{LotRules, SizingMode, TradeCopy};
