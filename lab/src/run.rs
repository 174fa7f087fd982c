//! One backtest for the page: core's `backtest_observed` (the live engine, candle by candle)
//! over the candles, its report plus the equity and drawdown curves thinned for a chart.

use auronex_core::backtest::{backtest_observed, BacktestReport};
use auronex_core::market::Candle;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::config::LabConfig;
use crate::curves::{chart_curves, Curves, Point};

/// The fill model and venue rules the run assumed, for the report (and to rerun it elsewhere,
/// e.g. with the CLI's `--fee-pct`, `--spread-pct`, ...).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assumptions {
    pub fee_pct: Decimal,
    pub spread_pct: Decimal,
    pub slippage_pct: Decimal,
    pub lot_step: Decimal,
    pub min_notional: Decimal,
    /// Cash one entry may use: the capital, or its share when the bot trades several markets.
    pub stake: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabReport {
    #[serde(flatten)]
    pub report: BacktestReport,
    pub assumptions: Assumptions,
    #[serde(flatten)]
    pub curves: Curves,
}

pub fn run_backtest(settings: &LabConfig, candles: &[Candle], max_points: usize) -> Result<LabReport, String> {
    let config = settings.bot_config()?;
    let stake = config.stake();
    let mut points = Vec::with_capacity(candles.len());
    let report = backtest_observed(config, candles, |time, equity| {
        points.push(Point(time, equity.to_f64().unwrap_or(f64::NAN)));
    })
    .map_err(|e| e.to_string())?;
    let assumptions = Assumptions {
        fee_pct: (settings.fee_rate()? * Decimal::ONE_HUNDRED).normalize(),
        spread_pct: settings.spread_pct,
        slippage_pct: settings.slippage_pct,
        lot_step: settings.lot_step,
        min_notional: settings.min_notional,
        stake,
    };
    Ok(LabReport { report, assumptions, curves: chart_curves(&points, max_points) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::candles_from_columns;
    use crate::test_candles::{columns, csv};
    use auronex_core::backtest::backtest;
    use auronex_core::candles_csv::parse_candles;

    fn settings(params: &str) -> LabConfig {
        let json = format!(
            r#"{{"exchange":"binance","symbol":"BTC/USDT","strategy":"rsi","capital":1000,"params":{params}}}"#
        );
        LabConfig::from_json(&json).unwrap()
    }

    /// The wrapper, fed columns of numbers, reports exactly what `backtest()` reports for the
    /// same candles read from the CLI's CSV text and the same config.
    #[test]
    fn the_wrapper_reports_what_backtest_reports() {
        let settings =
            settings(r#"{"period":7,"oversold":35,"overbought":60,"take_profit_pct":1.5,"stop_loss_pct":1}"#);
        let n = 3_000;
        let from_csv = parse_candles(&csv(n)).unwrap();
        let from_columns = candles_from_columns(&columns(n)).unwrap();
        assert_eq!(from_columns, from_csv);
        let expected = backtest(settings.bot_config().unwrap(), &from_csv).unwrap();
        assert!(expected.trades.len() >= 5, "the fixture should trade: {}", expected.trades.len());
        let lab = run_backtest(&settings, &from_columns, 500).unwrap();
        assert_eq!(lab.report, expected);
        assert_eq!(lab.assumptions.fee_pct.to_string(), "0.1");
        assert_eq!(serde_json::to_value(&lab.report.trades).unwrap(), serde_json::to_value(&expected.trades).unwrap());
        let last = lab.curves.equity.last().unwrap();
        assert!(lab.curves.equity.len() <= 1_000);
        assert_eq!(last.0, from_csv[n - 1].open_time_ms + 60_000);
        let worst = lab.curves.drawdown_pct.iter().map(|p| p.1).fold(0.0, f64::min);
        let reported = expected.metrics.max_drawdown_pct.to_f64().unwrap();
        assert!((worst + reported).abs() < 0.01, "chart {worst} vs metrics {reported}");
    }

    #[test]
    fn a_bad_parameter_is_an_error() {
        let candles = candles_from_columns(&columns(50)).unwrap();
        assert!(run_backtest(&settings(r#"{"nonsense":1}"#), &candles, 10).is_err());
    }
}
