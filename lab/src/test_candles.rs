//! A deterministic wavy price series for the crate's tests, as the CLI's CSV text and as the
//! page's columns (the same numbers).

/// Close of candle `i`: waves and a drift, two decimals, always positive.
fn close(i: usize) -> f64 {
    let x = i as f64;
    let raw = 30_000.0 + 900.0 * (x / 37.0).sin() + 400.0 * (x / 11.0).cos() + 2.5 * x;
    (raw * 100.0).round() / 100.0
}

fn row(i: usize) -> [f64; 6] {
    let open = if i == 0 { close(0) } else { close(i - 1) };
    let c = close(i);
    let high = ((open.max(c) + 15.25) * 100.0).round() / 100.0;
    let low = ((open.min(c) - 12.5) * 100.0).round() / 100.0;
    [1_700_000_000_000.0 + 60_000.0 * i as f64, open, high, low, c, 1.5 + (i % 5) as f64]
}

pub fn csv(n: usize) -> String {
    let mut text = String::from(auronex_core::candles_csv::HEADER);
    for i in 0..n {
        let [t, o, h, l, c, v] = row(i);
        text.push_str(&format!("\n{t},{o},{h},{l},{c},{v}"));
    }
    text
}

pub fn columns(n: usize) -> Vec<f64> {
    let rows: Vec<[f64; 6]> = (0..n).map(row).collect();
    (0..6).flat_map(|field| rows.iter().map(move |r| r[field])).collect()
}
