//! Every indicator column TA-Lib computed for the real candles in `fixtures/` is recomputed
//! here by the whole-series functions (which equal the streaming updates bit for bit, see the
//! tests in `indicators`), and must agree within 1e-8 relative, with the same warm-up.

use std::fs;
use std::path::PathBuf;

use auronex_core::candles_csv::parse_candles;
use auronex_core::indicators::{self, Bar};
use auronex_core::money::to_f64;

const TOLERANCE: f64 = 1e-8;

fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn numbers(spec: &str) -> Vec<f64> {
    spec.split('_').map(|n| n.parse().unwrap()).collect()
}

/// Our values for a fixture column named like `rsi_14` or `bb_lower_20_2.0`.
fn ours(column: &str, bars: &[Bar]) -> Vec<f64> {
    let closes: Vec<f64> = bars.iter().map(|bar| bar.close).collect();
    let (kind, spec) = column.split_at(column.rfind(|c: char| c.is_alphabetic()).unwrap() + 2);
    let p = numbers(spec);
    let period = p[0] as usize;
    let result = match kind {
        "sma_" => indicators::sma(&closes, period),
        "ema_" => indicators::ema(&closes, period),
        "rsi_" => indicators::rsi(&closes, period),
        "atr_" => indicators::atr(bars, period),
        "macd_" | "macd_signal_" | "macd_hist_" => {
            let lines = indicators::macd(&closes, period, p[1] as usize, p[2] as usize).unwrap();
            let line = ["macd_", "macd_signal_", "macd_hist_"].iter().position(|k| *k == kind);
            return lines[line.unwrap()].clone();
        }
        "bb_upper_" | "bb_middle_" | "bb_lower_" => {
            let bands = indicators::bollinger(&closes, period, p[1]).unwrap();
            let band = ["bb_upper_", "bb_middle_", "bb_lower_"].iter().position(|k| *k == kind);
            return bands[band.unwrap()].clone();
        }
        other => panic!("no indicator for fixture column {other}{spec}"),
    };
    result.unwrap()
}

fn check(input: &str) {
    let candles = parse_candles(&fixture(&format!("{input}.csv"))).unwrap();
    let bars: Vec<Bar> =
        candles.iter().map(|c| Bar { high: to_f64(c.high), low: to_f64(c.low), close: to_f64(c.close) }).collect();
    let expected = fixture(&format!("talib_{input}.csv"));
    let mut lines = expected.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|line| line.split(',').collect()).collect();
    assert_eq!(rows.len(), candles.len());
    for (index, column) in header.iter().enumerate().skip(1) {
        let values = ours(column, &bars);
        let mut worst = 0.0f64;
        for (row, (cells, ours)) in rows.iter().zip(&values).enumerate() {
            let cell = cells[index];
            if cell.is_empty() {
                assert!(ours.is_nan(), "{input} {column} row {row}: TA-Lib is warming up, we gave {ours}");
                continue;
            }
            let theirs: f64 = cell.parse().unwrap();
            let error = (ours - theirs).abs() / theirs.abs().max(f64::MIN_POSITIVE);
            assert!(error <= TOLERANCE || ours == &theirs, "{input} {column} row {row}: ours {ours}, TA-Lib {theirs}");
            worst = worst.max(error);
        }
        println!("{input} {column}: worst relative error {worst:e}");
    }
}

#[test]
fn matches_ta_lib_on_coinbase_btc_daily() {
    check("coinbase_btcusd_1d");
}

#[test]
fn matches_ta_lib_on_bitstamp_eth_daily() {
    check("bitstamp_ethusd_1d");
}
