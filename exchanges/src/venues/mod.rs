//! One module per venue, each implementing `Venue`, plus the few helpers they share.

pub mod binance;
pub mod bybit;
pub mod coinbase;
pub mod foxbit;
pub mod gateio;
pub mod htx;
pub mod kraken;
pub mod kucoin;
pub mod mercadobitcoin;
pub mod okx;

use crate::Symbol;

/// The unified symbol for a venue's base and quote asset codes; `None` for assets the
/// product cannot name (non-ASCII or over-long codes some venues list).
pub(crate) fn unified(base: &str, quote: &str) -> Option<Symbol> {
    Symbol::new(base, quote).ok()
}
