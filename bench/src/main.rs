//! Benchmarks auronex-core on the same 1,000,000 candles TA-Lib was just timed on: indicator
//! series (ratio to TA-Lib), streaming updates in ns per candle, and backtest throughput.

use std::hint::black_box;

use auronex_core::backtest::backtest;
use auronex_core::candles_csv::parse_candles;
use auronex_core::engine::{BotConfig, MarketConfig};
use auronex_core::fills::FillModel;
use auronex_core::indicators::{self, Bollinger, Ema, Indicator, Macd, Rsi};
use auronex_core::money::to_f64;
use auronex_core::rules::TradingRules;
use auronex_core::strategy::{Params, STRATEGY_NAMES};
use rust_decimal::Decimal;
use serde_json::Value;

const RUNS: usize = 30;

/// CPU time of this thread, in seconds: what `talib_bench.py` reads too (`time.thread_time`).
/// On a machine shared with other jobs, wall-clock time also counts the moments another job
/// held the core; this clock does not, which makes the two sides comparable run to run.
fn thread_seconds() -> f64 {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid timespec for clock_gettime to write into.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    now.tv_sec as f64 + now.tv_nsec as f64 * 1e-9
}

fn best<T>(runs: usize, mut work: impl FnMut() -> T) -> (f64, T) {
    let mut fastest = f64::INFINITY;
    let mut last = None;
    for _ in 0..runs {
        let start = thread_seconds();
        let out = black_box(work());
        fastest = fastest.min(thread_seconds() - start);
        last = Some(out);
    }
    (fastest, last.unwrap())
}

fn sum(values: &[f64]) -> f64 {
    values.iter().filter(|v| !v.is_nan()).sum()
}

/// Checks our output sums against TA-Lib's; returns the worst relative difference.
fn agreement(ours: &[&Vec<f64>], theirs: &Value) -> f64 {
    let theirs: Vec<f64> = theirs.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let worst = ours
        .iter()
        .zip(&theirs)
        .map(|(ours, theirs)| (sum(ours) - theirs).abs() / theirs.abs().max(1e-300))
        .fold(0.0, f64::max);
    assert!(worst < 1e-9, "our sums differ from TA-Lib's by {worst:e}");
    worst
}

/// Feeds every close and folds every output into the result, so no work can be optimised away.
fn stream<I: Indicator<Input = f64>>(mut indicator: I, closes: &[f64], fold: impl Fn(I::Output) -> f64) -> f64 {
    let mut total = 0.0;
    for &close in closes {
        if let Some(output) = indicator.update(black_box(close)) {
            total += fold(output);
        }
    }
    total
}

fn config(strategy: &str) -> BotConfig {
    let market = MarketConfig { symbol: "BTC/USD".parse().unwrap(), rules: TradingRules::default() };
    let fills = FillModel::from_percents(Decimal::new(5, 2), Decimal::ZERO).unwrap();
    BotConfig::from_params(strategy, &Params::default(), Decimal::from(10_000), fills, vec![market]).unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (candles_path, talib_path) = match &args[..] {
        [_, candles, talib] => (candles, talib),
        _ => panic!("usage: auronex-bench CANDLES.csv TALIB.json"),
    };
    let candles = parse_candles(&std::fs::read_to_string(candles_path).unwrap()).unwrap();
    let talib: Value = serde_json::from_str(&std::fs::read_to_string(talib_path).unwrap()).unwrap();
    let closes: Vec<f64> = candles.iter().map(|c| to_f64(c.close)).collect();
    let n = closes.len() as f64;
    println!(
        "candles: {}   TA-Lib {}   best of {RUNS} runs each (5 for backtests), thread CPU time\n",
        closes.len(),
        talib["talib_version"]
    );

    println!("| indicator (whole series) | ours candles/s | TA-Lib candles/s | ours/TA-Lib | sums agree to |");
    println!("|---|---:|---:|---:|---:|");
    let (rsi_s, rsi) = best(RUNS, || indicators::rsi(&closes, 14).unwrap());
    let (macd_s, macd) = best(RUNS, || indicators::macd(&closes, 12, 26, 9).unwrap());
    let (bb_s, bb) = best(RUNS, || indicators::bollinger(&closes, 20, 2.0).unwrap());
    let rows = [
        ("RSI(14)", rsi_s, "rsi", vec![&rsi]),
        ("MACD(12,26,9)", macd_s, "macd", macd.iter().collect()),
        ("BBANDS(20,2)", bb_s, "bbands", bb.iter().collect()),
    ];
    for (name, ours, key, outputs) in rows {
        let theirs = talib[key]["seconds"].as_f64().unwrap();
        let agree = agreement(&outputs, &talib[key]["sums"]);
        println!(
            "| {name} | {:.0} M | {:.0} M | {:.2}x | {agree:.1e} |",
            n / ours / 1e6,
            n / theirs / 1e6,
            theirs / ours
        );
    }

    println!("\n| streaming update (one candle at a time) | ns per candle |");
    println!("|---|---:|");
    let streams: [(&str, Box<dyn Fn() -> f64>); 4] = [
        ("RSI(14)", Box::new(|| stream(Rsi::new(14).unwrap(), &closes, |v| v))),
        ("MACD(12,26,9)", Box::new(|| stream(Macd::new(12, 26, 9).unwrap(), &closes, |m| m.macd + m.signal))),
        ("BBANDS(20,2)", Box::new(|| stream(Bollinger::new(20, 2.0).unwrap(), &closes, |b| b.upper + b.lower))),
        ("EMA(20)", Box::new(|| stream(Ema::new(20).unwrap(), &closes, |v| v))),
    ];
    for (name, work) in &streams {
        let (seconds, _) = best(RUNS, work);
        println!("| {name} | {:.2} |", seconds / n * 1e9);
    }

    println!("\n| backtest (tick per candle, paper fills, equity curve) | candles/s | trades |");
    println!("|---|---:|---:|");
    for strategy in STRATEGY_NAMES {
        let (seconds, report) = best(5, || backtest(config(strategy), &candles).unwrap());
        println!("| {strategy} | {:.1} M | {} |", n / seconds / 1e6, report.trades.len());
    }
}
