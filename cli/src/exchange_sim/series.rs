//! Recorded candles to replay: loads `base_quote_step.csv` files (`open_time_ms,open,high,
//! low,close,volume`) and answers the price at any instant of the series by walking each
//! candle's open -> low -> high -> close (rising) or open -> high -> low -> close (falling).

use std::fs;
use std::path::Path;

/// The candle files shipped with the binary (see cli/data/market/README.md).
const BUILT_IN: &[(&str, &str)] = &[
    ("btc_usdt_1h.csv", include_str!("../../data/market/btc_usdt_1h.csv")),
    ("eth_usdt_1d.csv", include_str!("../../data/market/eth_usdt_1d.csv")),
    ("ltc_usdt_1d.csv", include_str!("../../data/market/ltc_usdt_1d.csv")),
];

#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: f64,
}

/// One market's recorded candles, replayed in order at a fixed step.
#[derive(Debug, Clone)]
pub struct Series {
    pub base: String,
    pub quote: String,
    pub step_ms: i64,
    pub rows: Vec<Row>,
}

impl Series {
    pub fn span_ms(&self) -> i64 {
        self.step_ms * self.rows.len() as i64
    }

    /// Price at `offset_ms` into the series (wrapping around at its end).
    pub fn price_at(&self, offset_ms: i64) -> f64 {
        let (row, fraction) = self.locate(offset_ms);
        let [a, b] = if row.close >= row.open { [row.low, row.high] } else { [row.high, row.low] };
        let points = [row.open, a, b, row.close];
        let scaled = fraction * 3.0;
        let index = (scaled.floor() as usize).min(2);
        let local = scaled - index as f64;
        points[index] + (points[index + 1] - points[index]) * local
    }

    /// Volume traded per millisecond around `offset_ms`.
    pub fn volume_rate(&self, offset_ms: i64) -> f64 {
        self.locate(offset_ms).0.volume / self.step_ms as f64
    }

    /// Milliseconds between the turning points of the walk (a third of a candle).
    pub fn vertex_ms(&self) -> i64 {
        (self.step_ms / 3).max(1)
    }

    fn locate(&self, offset_ms: i64) -> (&Row, f64) {
        let offset = offset_ms.rem_euclid(self.span_ms());
        let index = (offset / self.step_ms) as usize;
        let fraction = (offset % self.step_ms) as f64 / self.step_ms as f64;
        (&self.rows[index], fraction)
    }
}

/// Loads every `*.csv` of `dir`, or the built-in files when `dir` is `None`.
pub fn load(dir: Option<&Path>) -> Result<Vec<Series>, String> {
    let mut files: Vec<(String, String)> = match dir {
        None => BUILT_IN.iter().map(|(name, text)| (name.to_string(), text.to_string())).collect(),
        Some(dir) => {
            let entries = fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let mut files = Vec::new();
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|ext| ext == "csv") {
                    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                    let name = entry.file_name().to_string_lossy().into_owned();
                    files.push((name, text));
                }
            }
            files
        }
    };
    files.sort();
    let series: Vec<Series> = files.iter().map(|(name, text)| parse(name, text)).collect::<Result<_, _>>()?;
    if series.is_empty() {
        return Err("no candle files (*.csv) to replay".into());
    }
    Ok(series)
}

/// `btc_usdt_1h.csv` -> BTC/USDT; the step comes from the first two timestamps.
fn parse(name: &str, text: &str) -> Result<Series, String> {
    let stem = name.trim_end_matches(".csv");
    let mut parts = stem.split('_');
    let (Some(base), Some(quote)) = (parts.next(), parts.next()) else {
        return Err(format!("{name}: expected a name like btc_usdt_1h.csv"));
    };
    let mut times = Vec::new();
    let mut rows = Vec::new();
    for (number, line) in text.lines().enumerate().skip(1) {
        let fields: Vec<f64> = line
            .split(',')
            .map(|f| f.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{name}:{}: {e}", number + 1))?;
        let [time, open, high, low, close, volume] = fields[..] else {
            return Err(format!("{name}:{}: expected 6 columns", number + 1));
        };
        times.push(time as i64);
        rows.push(Row { open, high, low, close, volume });
    }
    let step_ms = match times.as_slice() {
        [first, second, ..] if second > first => second - first,
        _ => return Err(format!("{name}: needs at least two ascending rows")),
    };
    Ok(Series { base: base.to_ascii_uppercase(), quote: quote.to_ascii_uppercase(), step_ms, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_files_load() {
        let series = load(None).unwrap();
        let names: Vec<String> = series.iter().map(|s| format!("{}{}", s.base, s.quote)).collect();
        assert_eq!(names, ["BTCUSDT", "ETHUSDT", "LTCUSDT"]);
        assert_eq!(series[0].step_ms, 3_600_000);
        assert_eq!(series[1].step_ms, 86_400_000);
    }

    #[test]
    fn walk_passes_through_open_extremes_and_close() {
        let series = parse("a_b_1h.csv", "h\n0,10,14,8,12,36\n3600000,12,13,11,11,1\n").unwrap();
        assert_eq!(series.price_at(0), 10.0);
        assert_eq!(series.price_at(1_200_000), 8.0); // rising candle: low first
        assert_eq!(series.price_at(2_400_000), 14.0);
        assert!((series.price_at(3_599_999) - 12.0).abs() < 0.01);
        assert_eq!(series.price_at(4_800_000), 13.0); // falling candle: high first
        assert_eq!(series.price_at(7_200_000), 10.0); // wraps around
        assert_eq!(series.volume_rate(0), 36.0 / 3_600_000.0);
    }
}
