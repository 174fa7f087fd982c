//! A parameter sweep: each parameter set backtested over the earlier part of the candles (in
//! sample) and, separately, over the held-out later part, so a page can show whether a set
//! that shone in sample still earns on candles it was not chosen on. The held-out run starts
//! flat and warms its indicators up on its own candles, as a bot started then would.

use auronex_core::backtest::backtest;
use auronex_core::market::Candle;
use auronex_core::metrics::Metrics;
use auronex_core::strategy::Params;
use serde::Serialize;

use crate::config::LabConfig;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SweepRow {
    Ran { in_sample: Metrics, held_out: Option<Metrics> },
    Refused { error: String },
}

/// Where the held-out part starts: the last `fraction` (0 to 0.9) of `len` candles.
pub fn held_out_start(len: usize, fraction: f64) -> usize {
    let fraction = if fraction.is_finite() { fraction.clamp(0.0, 0.9) } else { 0.0 };
    len - (len as f64 * fraction).round() as usize
}

/// One row per set, in order; a set the strategy refuses is a row with its error.
pub fn run_sweep(settings: &LabConfig, sets: &[Params], candles: &[Candle], held_out_fraction: f64) -> Vec<SweepRow> {
    let (in_sample, held_out) = candles.split_at(held_out_start(candles.len(), held_out_fraction));
    sets.iter()
        .map(|params| {
            let run = |part: &[Candle]| -> Result<Metrics, String> {
                let config = settings.bot_config_with(params)?;
                backtest(config, part).map(|report| report.metrics).map_err(|e| e.to_string())
            };
            let outcome = run(in_sample)
                .and_then(|metrics| Ok((metrics, if held_out.is_empty() { None } else { Some(run(held_out)?) })));
            match outcome {
                Ok((in_sample, held_out)) => SweepRow::Ran { in_sample, held_out },
                Err(error) => SweepRow::Refused { error },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::candles_from_columns;
    use crate::test_candles::columns;

    fn settings() -> LabConfig {
        LabConfig::from_json(r#"{"exchange":"binance","symbol":"BTC/USDT","strategy":"rsi","capital":1000}"#).unwrap()
    }

    fn params(json: &str) -> Params {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn each_set_runs_in_sample_and_held_out() {
        let candles = candles_from_columns(&columns(2_000)).unwrap();
        let sets = [params(r#"{"period":7,"oversold":35}"#), params(r#"{"period":"x"}"#), params(r#"{"period":14}"#)];
        let rows = run_sweep(&settings(), &sets, &candles, 0.3);
        assert_eq!(rows.len(), 3);
        let SweepRow::Ran { in_sample, held_out: Some(held_out) } = &rows[0] else { panic!("{:?}", rows[0]) };
        let config = settings().bot_config_with(&sets[0]).unwrap();
        assert_eq!(*in_sample, backtest(config.clone(), &candles[..1_400]).unwrap().metrics);
        assert_eq!(*held_out, backtest(config, &candles[1_400..]).unwrap().metrics);
        assert!(matches!(&rows[1], SweepRow::Refused { error } if error.contains("period")));
        assert_ne!(rows[0], rows[2]);
    }

    #[test]
    fn the_held_out_part_is_the_later_fraction() {
        assert_eq!(held_out_start(1_000, 0.3), 700);
        assert_eq!(held_out_start(1_000, 0.0), 1_000);
        assert_eq!(held_out_start(1_000, 5.0), 100);
        assert_eq!(held_out_start(1_000, f64::NAN), 1_000);
        let candles = candles_from_columns(&columns(300)).unwrap();
        let rows = run_sweep(&settings(), &[params("{}")], &candles, 0.0);
        assert!(matches!(&rows[0], SweepRow::Ran { held_out: None, .. }));
    }
}
