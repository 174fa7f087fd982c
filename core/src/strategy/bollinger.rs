//! `bollinger`: buys when the close drops through the lower band, sells at the upper band.
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `period` | 20 | SMA and standard deviation window |
//! | `std_dev` | 2 | band width in population standard deviations |
//!
//! Default exits: take-profit 3 %, stop-loss 2 %. Warm-up: `period + 1` candles.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::cross::{Cross, Crossing};
use super::{ParamError, ParamReader, Signal, Strategy};
use crate::exits::ExitRules;
use crate::indicators::{Bollinger, Indicator, IndicatorError, MAX_PERIOD};
use crate::money::to_f64;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BollingerParams {
    pub period: usize,
    pub std_dev: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BollingerBands {
    params: BollingerParams,
    bands: Bollinger,
    below_lower: Cross,
}

impl Strategy for BollingerBands {
    const NAME: &'static str = "bollinger";
    type Params = BollingerParams;

    fn read_params(params: &mut ParamReader) -> Result<BollingerParams, ParamError> {
        let period = params.period("period", 20, 2, MAX_PERIOD)?;
        let range = (Decimal::new(1, 1), Decimal::from(10));
        let std_dev = params.decimal("std_dev", Decimal::TWO, range.0, range.1)?;
        Ok(BollingerParams { period, std_dev: to_f64(std_dev) })
    }

    fn default_exits() -> ExitRules {
        ExitRules::bracket(Decimal::from(3), Decimal::from(2))
    }

    fn new(params: &BollingerParams) -> Result<Self, IndicatorError> {
        Ok(Self {
            params: *params,
            bands: Bollinger::new(params.period, params.std_dev)?,
            below_lower: Cross::default(),
        })
    }

    fn warmup_candles(&self) -> usize {
        self.params.period + 1
    }

    #[inline]
    fn on_close(&mut self, close: f64) -> Signal {
        let Some(bands) = self.bands.update(close) else {
            return Signal::Hold;
        };
        if self.below_lower.update(bands.lower - close) == Some(Crossing::Up) {
            Signal::Enter
        } else if close >= bands.upper && bands.upper > bands.lower {
            // A flat window has no band to reach (width 0, upper = close): no sell on it.
            Signal::Exit
        } else {
            Signal::Hold
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enters_on_a_break_below_the_lower_band_and_exits_at_the_upper() {
        let params = BollingerParams { period: 4, std_dev: 1.0 };
        let mut strategy = BollingerBands::new(&params).unwrap();
        let closes = [10.0, 10.5, 10.0, 10.5, 10.2, 8.0, 9.0, 10.0, 12.0];
        let signals: Vec<Signal> = closes.iter().map(|&c| strategy.on_close(c)).collect();
        assert_eq!(signals.iter().position(|s| *s == Signal::Enter), Some(5));
        // At the first candle the close sits on the upper band (10.5): a sell signal too.
        let exits: Vec<usize> = (0..signals.len()).filter(|&i| signals[i] == Signal::Exit).collect();
        assert_eq!(exits, [3, 8]);
    }

    #[test]
    fn a_flat_market_is_no_sell_signal() {
        let params = BollingerParams { period: 4, std_dev: 2.0 };
        let mut strategy = BollingerBands::new(&params).unwrap();
        let signals: Vec<Signal> = [10.0; 12].iter().map(|&c| strategy.on_close(c)).collect();
        assert!(signals.iter().all(|s| *s == Signal::Hold), "{signals:?}");
    }
}
