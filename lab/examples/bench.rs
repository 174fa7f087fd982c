//! The lab's own code natively, for bench/lab/run.sh: the same `run_backtest` and `run_sweep`
//! the wasm runs in the browser, on the same candle files, timed here (CSV reading and the
//! columns are outside the timing, as in the browser's figure). Prints JSON.
//! Usage: cargo run --profile speed -p auronex-lab --example bench -- YEAR_1M.csv YEAR_1H.csv GRID.json SETTINGS_JSON

use std::time::Instant;

use auronex_core::candles_csv::parse_candles;
use auronex_core::strategy::Params;
use auronex_lab::columns::candles_from_columns;
use auronex_lab::config::LabConfig;
use auronex_lab::run::run_backtest;
use auronex_lab::sweep::run_sweep;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{json, Value};

/// The file's candles as the page's columns (open times, opens, highs, lows, closes, volumes).
fn columns(path: &str) -> Vec<f64> {
    let candles = parse_candles(&std::fs::read_to_string(path).expect(path)).expect(path);
    let fields: [fn(&auronex_core::market::Candle) -> f64; 6] = [
        |c| c.open_time_ms as f64,
        |c| c.open.to_f64().unwrap(),
        |c| c.high.to_f64().unwrap(),
        |c| c.low.to_f64().unwrap(),
        |c| c.close.to_f64().unwrap(),
        |c| c.volume.to_f64().unwrap(),
    ];
    fields.iter().flat_map(|field| candles.iter().map(field)).collect()
}

/// Best of `runs` after one warm-up, in ms.
fn best_ms(runs: usize, mut work: impl FnMut()) -> f64 {
    work();
    (0..runs)
        .map(|_| {
            let started = Instant::now();
            work();
            started.elapsed().as_secs_f64() * 1000.0
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, minute, hour, grid, settings] = &args[..] else {
        panic!("usage: bench YEAR_1M.csv YEAR_1H.csv GRID.json SETTINGS_JSON")
    };
    let settings = LabConfig::from_json(settings).unwrap();
    let minute = columns(minute);
    let mut trades = 0;
    let backtest_ms = best_ms(5, || {
        let candles = candles_from_columns(&minute).unwrap();
        trades = run_backtest(&settings, &candles, 2000).unwrap().report.trades.len();
    });
    let grid: Value = serde_json::from_str(&std::fs::read_to_string(grid).unwrap()).unwrap();
    let (x, y, base) = (&grid["x"], &grid["y"], &grid["base"]);
    let sets: Vec<Params> = y["values"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|yv| {
            x["values"].as_array().unwrap().iter().map(move |xv| {
                let mut set = base.clone();
                set[x["key"].as_str().unwrap()] = xv.clone();
                set[y["key"].as_str().unwrap()] = yv.clone();
                serde_json::from_value(set).unwrap()
            })
        })
        .collect();
    let hour = columns(hour);
    let sweep_ms = best_ms(3, || {
        let candles = candles_from_columns(&hour).unwrap();
        assert_eq!(run_sweep(&settings, &sets, &candles, 0.0).len(), sets.len());
    });
    let out =
        json!({"backtest_ms": backtest_ms, "trades": trades, "sweep_ms_one_thread": sweep_ms, "sets": sets.len()});
    println!("{out}");
}
