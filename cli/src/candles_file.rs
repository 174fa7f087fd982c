//! Reads a candle CSV file for the subcommands, with errors that name the file.

use auronex_core::candles_csv::parse_candles;
use auronex_core::market::Candle;

pub fn read(path: &str) -> Result<Vec<Candle>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    parse_candles(&text).map_err(|e| format!("{path}: {e}"))
}
