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

#[cfg(test)]
pub(crate) mod fixture {
    //! Reads the raw payloads kept under `exchanges/fixtures/<venue>/`.

    /// A decimal literal for assertions.
    pub fn d(text: &str) -> rust_decimal::Decimal {
        text.parse().expect("a decimal literal")
    }

    pub fn read(venue: &str, name: &str) -> String {
        let path = format!("{}/fixtures/{venue}/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }
}
