//! Runs the real `auronex` binary on small committed CSVs: indicator columns (checked against
//! the TA-Lib fixture), backtest table and JSON, and one-line errors for bad input.

use std::collections::HashMap;
use std::process::{Command, Output};

const ETH_200: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/eth_1d_200.csv");
const ETH_ALL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/fixtures/bitstamp_ethusd_1d.csv");
const TALIB_ETH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/fixtures/talib_bitstamp_ethusd_1d.csv");

fn auronex(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_auronex")).args(args).output().unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn columns(csv: &str) -> HashMap<String, Vec<String>> {
    let mut lines = csv.lines();
    let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let mut table: HashMap<String, Vec<String>> = header.iter().map(|h| (h.clone(), Vec::new())).collect();
    for line in lines {
        for (name, cell) in header.iter().zip(line.split(',')) {
            table.get_mut(name).unwrap().push(cell.to_string());
        }
    }
    table
}

#[test]
fn indicator_columns_come_in_option_order_and_match_ta_lib() {
    let args = [
        "indicators",
        "--input",
        ETH_ALL,
        "--sma",
        "30",
        "--macd",
        "12,26,9",
        "--rsi",
        "14",
        "--bb",
        "20,2.0",
        "--ema",
        "14",
        "--rsi",
        "2",
    ];
    let csv = stdout(&auronex(&args));
    let header = csv.lines().next().unwrap();
    assert_eq!(
        header,
        "open_time_ms,sma_30,macd_12_26_9,macd_signal_12_26_9,macd_hist_12_26_9,rsi_14,\
         bb_upper_20_2.0,bb_middle_20_2.0,bb_lower_20_2.0,ema_14,rsi_2"
    );
    let ours = columns(&csv);
    let talib = columns(&std::fs::read_to_string(TALIB_ETH).unwrap());
    for name in header.split(',') {
        for (row, (mine, theirs)) in ours[name].iter().zip(&talib[name]).enumerate() {
            if theirs.is_empty() || name == "open_time_ms" {
                assert_eq!(mine, theirs, "{name} row {row}");
                continue;
            }
            let (mine, theirs): (f64, f64) = (mine.parse().unwrap(), theirs.parse().unwrap());
            assert!((mine - theirs).abs() <= 1e-8 * theirs.abs(), "{name} row {row}: {mine} vs {theirs}");
        }
    }
}

#[test]
fn backtest_prints_json_trades_and_metrics() {
    let args = [
        "backtest",
        "--input",
        ETH_200,
        "--strategy",
        "macd",
        "--param",
        "fast_period=5",
        "--param",
        "slow_period=12",
        "--capital",
        "500",
        "--fee-pct",
        "0.2",
        "--spread-pct",
        "0.1",
        "--json",
    ];
    let json: serde_json::Value = serde_json::from_str(&stdout(&auronex(&args))).unwrap();
    let trades = json["trades"].as_array().unwrap();
    assert!(!trades.is_empty());
    assert_eq!(json["metrics"]["trades"].as_u64(), Some(trades.len() as u64));
    assert_eq!(json["metrics"]["start_capital"], "500");
    for field in [
        "entry_price",
        "exit_price",
        "quantity",
        "fees",
        "profit_loss",
        "profit_pct",
        "entry_time_ms",
        "exit_time_ms",
        "exit_reason",
    ] {
        assert!(!trades[0][field].is_null(), "trade field {field}");
    }
    for field in [
        "win_rate_pct",
        "net_profit",
        "profit_factor",
        "expectancy",
        "max_drawdown_pct",
        "sharpe",
        "sortino",
        "exposure_pct",
        "fees_paid",
    ] {
        assert!(json["metrics"].get(field).is_some(), "metric {field}");
    }
}

#[test]
fn backtest_prints_a_readable_table() {
    let text = stdout(&auronex(&["backtest", "--input", ETH_200, "--strategy", "scalping"]));
    assert!(text.lines().next().unwrap().contains("reason"));
    assert!(text.contains("win rate") && text.contains("max drawdown") && text.contains("sharpe"));
}

fn fails_with(args: &[&str], needle: &str) {
    let output = auronex(args);
    assert!(!output.status.success(), "{args:?} should fail");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(stderr.contains(needle), "{args:?}: {stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
}

#[test]
fn bad_input_exits_non_zero_naming_the_problem() {
    let bad_row = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/bad_row.csv");
    fails_with(&["backtest", "--input", "missing.csv", "--strategy", "rsi"], "missing.csv");
    fails_with(&["indicators", "--input", bad_row, "--rsi", "14"], "line 6: high `abc` is not a number");
    fails_with(&["backtest", "--input", ETH_200, "--strategy", "yolo"], "unknown strategy `yolo`");
    fails_with(&["backtest", "--input", ETH_200, "--strategy", "rsi", "--param", "period=1"], "parameter `period`");
    fails_with(
        &["backtest", "--input", ETH_200, "--strategy", "rsi", "--param", "colour=3"],
        "unknown parameter `colour`",
    );
    fails_with(&["backtest", "--input", ETH_200, "--strategy", "rsi", "--fee-pct", "x"], "--fee-pct");
    fails_with(&["indicators", "--input", ETH_200, "--macd", "12,26"], "--macd 12,26");
    fails_with(&["indicators", "--input", ETH_200, "--rsi", "1"], "RSI period");
    fails_with(&["indicators", "--input", ETH_200, "--wma", "3"], "unexpected argument '--wma'");
}
