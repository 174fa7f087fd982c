//! The strategy lab's entry points for the browser (wasm-bindgen): a backtest and a parameter
//! sweep on core's engine, the one live bots run. Settings and results cross as JSON text,
//! candles as one Float64Array of columns (see `columns`). Errors are thrown as JS errors.

pub mod columns;
pub mod config;
pub mod curves;
pub mod run;
pub mod sweep;
#[cfg(test)]
mod test_candles;

use auronex_core::strategy::Params;
use wasm_bindgen::prelude::*;

use crate::columns::candles_from_columns;
use crate::config::LabConfig;

fn to_json(value: &impl serde::Serialize) -> Result<String, JsError> {
    serde_json::to_string(value).map_err(|e| JsError::new(&e.to_string()))
}

/// The report (`trades`, `metrics`, `refused_entries`, `buy_and_hold_pct`) with `equity` and
/// `drawdown_pct` as `[time_ms, value]` pairs, about `max_points` of each.
#[wasm_bindgen]
pub fn backtest(settings: &str, candles: &[f64], max_points: usize) -> Result<String, JsError> {
    let settings = LabConfig::from_json(settings).map_err(|e| JsError::new(&e))?;
    let candles = candles_from_columns(candles).map_err(|e| JsError::new(&e))?;
    let report = run::run_backtest(&settings, &candles, max_points).map_err(|e| JsError::new(&e))?;
    to_json(&report)
}

/// One row per parameter set of `sets` (a JSON array of params objects, each replacing the
/// settings' params): `{in_sample, held_out}` metrics, or `{error}`.
#[wasm_bindgen]
pub fn sweep(settings: &str, sets: &str, candles: &[f64], held_out_fraction: f64) -> Result<String, JsError> {
    let settings = LabConfig::from_json(settings).map_err(|e| JsError::new(&e))?;
    let sets: Vec<Params> = serde_json::from_str(sets).map_err(|e| JsError::new(&format!("sets: {e}")))?;
    let candles = candles_from_columns(candles).map_err(|e| JsError::new(&e))?;
    to_json(&sweep::run_sweep(&settings, &sets, &candles, held_out_fraction))
}
