//! `rsi`: buys the turn out of oversold, sells into overbought.
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `period` | 14 | RSI period (Wilder) |
//! | `oversold` | 30 | entry when RSI crosses back above this level |
//! | `overbought` | 70 | exit signal while RSI is above this level |
//!
//! Default exits: take-profit 3 %, stop-loss 2 %. Warm-up: `period + 2` candles.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::cross::{Cross, Crossing};
use super::{ParamError, ParamReader, Signal, Strategy};
use crate::exits::ExitRules;
use crate::indicators::{Indicator, IndicatorError, Rsi, MAX_PERIOD};
use crate::money::to_f64;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RsiParams {
    pub period: usize,
    pub oversold: f64,
    pub overbought: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RsiReversal {
    params: RsiParams,
    rsi: Rsi,
    from_oversold: Cross,
}

impl Strategy for RsiReversal {
    const NAME: &'static str = "rsi";
    type Params = RsiParams;

    fn read_params(params: &mut ParamReader) -> Result<RsiParams, ParamError> {
        let period = params.period("period", 14, 2, MAX_PERIOD)?;
        let hundred = Decimal::ONE_HUNDRED;
        let oversold = params.decimal("oversold", Decimal::from(30), Decimal::ZERO, hundred)?;
        let overbought = params.decimal("overbought", Decimal::from(70), oversold, hundred)?;
        Ok(RsiParams { period, oversold: to_f64(oversold), overbought: to_f64(overbought) })
    }

    fn default_exits() -> ExitRules {
        ExitRules::bracket(Decimal::from(3), Decimal::from(2))
    }

    fn new(params: &RsiParams) -> Result<Self, IndicatorError> {
        Ok(Self { params: *params, rsi: Rsi::new(params.period)?, from_oversold: Cross::default() })
    }

    fn warmup_candles(&self) -> usize {
        self.params.period + 2
    }

    #[inline]
    fn on_close(&mut self, close: f64) -> Signal {
        let Some(rsi) = self.rsi.update(close) else {
            return Signal::Hold;
        };
        if self.from_oversold.update(rsi - self.params.oversold) == Some(Crossing::Up) {
            Signal::Enter
        } else if rsi > self.params.overbought {
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
    fn enters_when_rsi_leaves_oversold_and_exits_when_overbought() {
        let params = RsiParams { period: 2, oversold: 30.0, overbought: 70.0 };
        let mut strategy = RsiReversal::new(&params).unwrap();
        // Falls (RSI 0), turns up (RSI above 30), then rallies (RSI above 70).
        let closes = [10.0, 9.0, 8.0, 7.0, 8.0, 9.0, 10.0];
        let signals: Vec<Signal> = closes.iter().map(|&c| strategy.on_close(c)).collect();
        assert_eq!(signals[..4], [Signal::Hold; 4]);
        assert_eq!(signals[4], Signal::Enter);
        assert_eq!(signals[5], Signal::Exit);
    }
}
