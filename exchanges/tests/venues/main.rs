//! Fixture tests: every venue's raw payloads (documented examples, empty results and error
//! payloads, named after the endpoint) parsed word for word by that venue's module.

mod awesomeapi;
mod binance;
mod bybit;
mod coinbase;
mod foxbit;
mod gateio;
mod htx;
mod kraken;
mod kucoin;
mod mercadobitcoin;
mod okx;

mod fixture {
    //! Reads the raw payloads kept under `exchanges/fixtures/<venue>/`.

    pub fn read(venue: &str, name: &str) -> String {
        let path = format!("{}/fixtures/{venue}/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// A decimal literal for assertions.
    pub fn d(text: &str) -> rust_decimal::Decimal {
        text.parse().expect("a decimal literal")
    }
}
