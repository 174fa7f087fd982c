//! `auronex download-data` against the exchange simulator: several pages of ranged klines
//! written as the candle CSV the other commands read, equal to the simulator's own candles;
//! venues that cannot page and unknown markets are refused with a message.

use std::path::PathBuf;
use std::process::{Command, Output};

use auronex_e2e::{auronex_binary, Server, SimClient};

use crate::history::simulated_klines;

pub const TESTS: &[crate::Test] = &[
    ("download_data::writes_every_page_as_candle_csv", writes_every_page_as_candle_csv),
    ("download_data::refuses_what_it_cannot_download", refuses_what_it_cannot_download),
];

const JAN_1_2024: i64 = 1_704_067_200_000;
const JUN_1_2024: i64 = 1_717_200_000_000;
const HOUR: i64 = 3_600_000;

pub fn out_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("auronex-{}-{name}", std::process::id()))
}

/// Runs `auronex download-data ARGS --base-url <simulator>`.
pub fn download(args: &[&str]) -> Output {
    Command::new(auronex_binary())
        .arg("download-data")
        .args(args)
        .args(["--base-url", &SimClient::shared().base_url])
        .output()
        .expect("run auronex download-data")
}

fn writes_every_page_as_candle_csv(_: &Server) {
    let out = out_file("ltc_1h.csv");
    let needle = "/api/v3/klines?symbol=LTCUSDT&interval=1h&startTime=";
    let before = SimClient::shared().distinct_matching(needle);
    let output = download(&[
        "--exchange",
        "binance",
        "--symbol",
        "LTC/USDT",
        "--timeframe",
        "1h",
        "--from",
        "2024-01-01",
        "--to",
        "2024-06-01",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let candles = (JUN_1_2024 - JAN_1_2024) / HOUR;
    assert_eq!(candles, 3648);
    assert_eq!(SimClient::shared().distinct_matching(needle) - before, 4, "pages of 1000");
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("open_time_ms,open,high,low,close,volume"));
    let rows: Vec<Vec<&str>> = lines.map(|line| line.split(',').collect()).collect();
    let expected = simulated_klines("LTCUSDT", "1h", HOUR, JAN_1_2024, JUN_1_2024);
    assert_eq!(rows.len(), expected.len());
    assert_eq!(rows.len() as i64, candles);
    for (row, kline) in rows.iter().zip(&expected) {
        assert_eq!(row[0].parse::<i64>().unwrap(), kline[0].as_i64().unwrap());
        for column in 1..=5 {
            let theirs: f64 = kline[column].as_str().unwrap().parse().unwrap();
            assert_eq!(row[column].parse::<f64>().unwrap(), theirs, "{row:?} vs {kline}");
        }
    }
    let _ = std::fs::remove_file(out);
}

fn refuses_what_it_cannot_download(_: &Server) {
    let out = out_file("refused.csv");
    let out = out.to_str().unwrap();
    let kraken = download(&["--exchange", "kraken", "--symbol", "BTC/USD", "--from", "2024-01-01", "--out", out]);
    assert_eq!(kraken.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&kraken.stderr).contains("Kraken cannot page"), "{kraken:?}");
    let unknown = download(&["--exchange", "binance", "--symbol", "NOPE/USDT", "--from", "2024-01-01", "--out", out]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("does not list NOPE/USDT"), "{unknown:?}");
    let bad_date = download(&["--exchange", "binance", "--symbol", "BTC/USDT", "--from", "2024-13-01", "--out", out]);
    assert_eq!(bad_date.status.code(), Some(1));
    assert!(!std::path::Path::new(out).exists(), "nothing written on a refusal");
}
