//! Trade copier rules: what a valid master signal is, how each follower sizes it, and the
//! follower's safety rules.

pub mod safety;
pub mod signal;
pub mod sizing;

pub use signal::{Action, OpenSignal, SignalError};
pub use sizing::{LotRules, SizingMode, TradeCopy};
