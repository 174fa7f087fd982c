//! Every indicator column TA-Lib computed for the candles in `fixtures/` is recomputed here by
//! the whole-series functions (which equal the streaming updates bit for bit, see the tests in
//! `indicators`), and must agree with the same warm-up: within 1e-8 relative on the real
//! candles, and within 1e-9 of max(1, |value|) on the stress series (flat stretches, BTC/BRL
//! near 500,000, a 0.00001 coin), where flat windows must also be exact.

use std::fs;
use std::path::PathBuf;

use auronex_core::candles_csv::parse_candles;
use auronex_core::indicators::{self, Bar};
use auronex_core::money::to_f64;

/// Relative tolerance on the real candles.
const RELATIVE: f64 = 1e-8;
/// Tolerance on the stress series, relative to max(`unit`, |value|).
const STRESS: f64 = 1e-9;

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

/// How far from TA-Lib a value may be.
#[derive(Clone, Copy)]
enum Tolerance {
    Relative,
    /// `STRESS` times max(unit, |TA-Lib's value|).
    Stress {
        unit: f64,
    },
}

impl Tolerance {
    fn allows(self, ours: f64, theirs: f64) -> bool {
        let error = (ours - theirs).abs();
        match self {
            Self::Relative => ours == theirs || error <= RELATIVE * theirs.abs(),
            Self::Stress { unit } => error <= STRESS * unit.max(theirs.abs()),
        }
    }
}

fn bars(input: &str) -> Vec<Bar> {
    let candles = parse_candles(&fixture(&format!("{input}.csv"))).unwrap();
    candles.iter().map(|c| Bar { high: to_f64(c.high), low: to_f64(c.low), close: to_f64(c.close) }).collect()
}

/// Compares every column, then fails naming each column that disagrees and its first bad row.
fn check(input: &str, tolerance: Tolerance) {
    let bars = bars(input);
    let expected = fixture(&format!("talib_{input}.csv"));
    let mut lines = expected.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|line| line.split(',').collect()).collect();
    assert_eq!(rows.len(), bars.len());
    let mut failures = Vec::new();
    for (index, column) in header.iter().enumerate().skip(1) {
        let values = ours(column, &bars);
        let mut worst = 0.0f64;
        let mut first_bad = None;
        for (row, (cells, &ours)) in rows.iter().zip(&values).enumerate() {
            let cell = cells[index];
            let theirs: f64 = if cell.is_empty() { f64::NAN } else { cell.parse().unwrap() };
            let agrees = if theirs.is_nan() { ours.is_nan() } else { tolerance.allows(ours, theirs) };
            if !agrees && first_bad.is_none() {
                first_bad = Some(format!("{input} {column} row {row}: ours {ours}, TA-Lib {theirs}"));
            }
            if !theirs.is_nan() {
                worst = worst.max((ours - theirs).abs() / theirs.abs().max(f64::MIN_POSITIVE));
            }
        }
        println!("{input} {column}: worst relative error {worst:e}");
        failures.extend(first_bad);
    }
    assert!(failures.is_empty(), "{} columns disagree with TA-Lib:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn matches_ta_lib_on_coinbase_btc_daily() {
    check("coinbase_btcusd_1d", Tolerance::Relative);
}

#[test]
fn matches_ta_lib_on_bitstamp_eth_daily() {
    check("bitstamp_ethusd_1d", Tolerance::Relative);
}

#[test]
fn matches_ta_lib_on_btc_daily_flat_for_30_days_in_the_middle() {
    check("flat_middle_btcusd_1d", Tolerance::Stress { unit: 1.0 });
}

#[test]
fn matches_ta_lib_on_btc_brl_hourly_with_hours_nobody_traded() {
    check("btcbrl_1h_flat", Tolerance::Stress { unit: 1.0 });
}

#[test]
fn matches_ta_lib_on_a_0_00001_coin_listed_flat() {
    // max(1, |value|) would let a price near 0.00001 be off by 1e-4 of itself: measured in the
    // coin's own units instead, which is stricter for every column.
    check("tiny_coin_1h_flat", Tolerance::Stress { unit: 1e-5 });
}

/// Where the latest `period` closes are one repeated price, the average and the bands are that
/// price exactly and the width is exactly 0 (TA-Lib's own middle band carries its running
/// sum's residue there, within the tolerance above).
#[test]
fn flat_windows_give_the_close_exactly() {
    let mut failures = Vec::new();
    for input in ["flat_middle_btcusd_1d", "btcbrl_1h_flat", "tiny_coin_1h_flat"] {
        let closes: Vec<f64> = bars(input).iter().map(|bar| bar.close).collect();
        for period in [2, 10, 14, 20, 30, 50] {
            let sma = indicators::sma(&closes, period).unwrap();
            let [upper, middle, lower] = indicators::bollinger(&closes, period, 2.0).unwrap();
            let mut flat = 0;
            for (end, window) in closes.windows(period).enumerate().map(|(i, w)| (i + period - 1, w)) {
                if window.iter().any(|close| *close != window[0]) {
                    continue;
                }
                flat += 1;
                let close = window[0];
                if sma[end] != close {
                    failures.push(format!("{input} sma_{period} row {end}: {} for a flat {close}", sma[end]));
                }
                if (upper[end], middle[end], lower[end]) != (close, close, close) {
                    let bands = (upper[end], middle[end], lower[end]);
                    failures.push(format!("{input} bb_{period} row {end}: {bands:?} for a flat {close}"));
                }
            }
            assert!(period > 30 || flat > 0, "{input}: no flat window of {period}");
        }
    }
    assert!(failures.is_empty(), "{} flat windows are off:\n{}", failures.len(), failures.join("\n"));
}
