//! `auronex indicators`: indicator columns for a candle CSV, in the order the options came.

use std::io::{BufWriter, Write};

use auronex_core::indicators::{self, IndicatorError};
use auronex_core::money::to_f64;
use clap::{ArgMatches, Args};

use crate::candles_file;

#[derive(Args)]
pub struct IndicatorsArgs {
    /// Candle CSV: open_time_ms,open,high,low,close,volume
    #[arg(long)]
    input: String,
    /// RSI period, e.g. --rsi 14
    #[arg(long, value_name = "N")]
    rsi: Vec<String>,
    /// MACD fast,slow,signal, e.g. --macd 12,26,9
    #[arg(long, value_name = "F,S,SIG")]
    macd: Vec<String>,
    /// Bollinger period,deviations, e.g. --bb 20,2
    #[arg(long, value_name = "N,K")]
    bb: Vec<String>,
    /// EMA period
    #[arg(long, value_name = "N")]
    ema: Vec<String>,
    /// SMA period
    #[arg(long, value_name = "N")]
    sma: Vec<String>,
}

/// Each option occurrence with its position on the command line.
fn in_given_order(matches: &ArgMatches) -> Vec<(&'static str, String)> {
    let mut found = Vec::new();
    for name in ["rsi", "macd", "bb", "ema", "sma"] {
        let indices = matches.indices_of(name).into_iter().flatten();
        let values = matches.get_many::<String>(name).into_iter().flatten();
        found.extend(indices.zip(values).map(|(i, v)| (i, name, v.clone())));
    }
    found.sort_by_key(|(index, _, _)| *index);
    found.into_iter().map(|(_, name, value)| (name, value)).collect()
}

fn numbers<'a, const N: usize>(option: &str, text: &'a str) -> Result<[&'a str; N], String> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    parts.try_into().map_err(|_| format!("--{option} {text}: expected {N} comma-separated numbers"))
}

fn period(option: &str, text: &str) -> Result<usize, String> {
    text.parse().map_err(|_| format!("--{option}: `{text}` is not a whole number"))
}

/// Column names and values for one option.
fn compute(option: &str, value: &str, closes: &[f64]) -> Result<Vec<(String, Vec<f64>)>, String> {
    let named = |error: IndicatorError| format!("--{option} {value}: {error}");
    Ok(match option {
        "rsi" | "ema" | "sma" => {
            let n = period(option, value.trim())?;
            let run = match option {
                "rsi" => indicators::rsi,
                "ema" => indicators::ema,
                _ => indicators::sma,
            };
            vec![(format!("{option}_{n}"), run(closes, n).map_err(named)?)]
        }
        "macd" => {
            let [f, s, g] = numbers::<3>(option, value)?;
            let (f, s, g) = (period(option, f)?, period(option, s)?, period(option, g)?);
            let [line, signal, hist] = indicators::macd(closes, f, s, g).map_err(named)?;
            let spec = format!("{f}_{s}_{g}");
            vec![
                (format!("macd_{spec}"), line),
                (format!("macd_signal_{spec}"), signal),
                (format!("macd_hist_{spec}"), hist),
            ]
        }
        _ => {
            let [n, k] = numbers::<2>(option, value)?;
            let n = period(option, n)?;
            let width: f64 = k.parse().map_err(|_| format!("--bb: `{k}` is not a number"))?;
            let [upper, middle, lower] = indicators::bollinger(closes, n, width).map_err(named)?;
            let spec = format!("{n}_{k}");
            vec![
                (format!("bb_upper_{spec}"), upper),
                (format!("bb_middle_{spec}"), middle),
                (format!("bb_lower_{spec}"), lower),
            ]
        }
    })
}

pub fn run(args: IndicatorsArgs, matches: &ArgMatches) -> Result<(), String> {
    let requested = in_given_order(matches);
    let candles = candles_file::read(&args.input)?;
    let closes: Vec<f64> = candles.iter().map(|c| to_f64(c.close)).collect();
    let mut columns = Vec::new();
    for (option, value) in &requested {
        columns.extend(compute(option, value, &closes)?);
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    let names: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
    let write_error = |e: std::io::Error| format!("writing output: {e}");
    writeln!(out, "open_time_ms{}{}", if names.is_empty() { "" } else { "," }, names.join(",")).map_err(write_error)?;
    let mut line = String::new();
    for (row, candle) in candles.iter().enumerate() {
        line.clear();
        line.push_str(&candle.open_time_ms.to_string());
        for (_, values) in &columns {
            line.push(',');
            if !values[row].is_nan() {
                line.push_str(&values[row].to_string());
            }
        }
        writeln!(out, "{line}").map_err(write_error)?;
    }
    out.flush().map_err(write_error)
}
