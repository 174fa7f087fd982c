//! `scalping`: a fast EMA crossing a slow EMA, with tight default exits for quick trades.
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `fast_period` | 9 | candles in the fast EMA |
//! | `slow_period` | 21 | candles in the slow EMA (above `fast_period`) |
//!
//! Enters when the fast EMA crosses above the slow one, exits when it crosses below.
//! Default exits: take-profit 1.5 %, stop-loss 1 %. Warm-up: `slow_period + 1` candles.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::cross::Cross;
use super::{ParamError, ParamReader, Signal, Strategy};
use crate::exits::ExitRules;
use crate::indicators::{Ema, Indicator, IndicatorError, MAX_PERIOD};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScalpingParams {
    pub fast_period: usize,
    pub slow_period: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EmaScalping {
    params: ScalpingParams,
    fast: Ema,
    slow: Ema,
    cross: Cross,
}

impl Strategy for EmaScalping {
    const NAME: &'static str = "scalping";
    type Params = ScalpingParams;

    fn read_params(params: &mut ParamReader) -> Result<ScalpingParams, ParamError> {
        let fast_period = params.period("fast_period", 9, 1, MAX_PERIOD)?;
        let slow_period = params.period("slow_period", 21, fast_period + 1, MAX_PERIOD)?;
        Ok(ScalpingParams { fast_period, slow_period })
    }

    fn default_exits() -> ExitRules {
        ExitRules::bracket(Decimal::new(15, 1), Decimal::ONE)
    }

    fn new(params: &ScalpingParams) -> Result<Self, IndicatorError> {
        Ok(Self {
            params: *params,
            fast: Ema::new(params.fast_period)?,
            slow: Ema::new(params.slow_period)?,
            cross: Cross::default(),
        })
    }

    fn warmup_candles(&self) -> usize {
        self.params.slow_period + 1
    }

    #[inline]
    fn on_close(&mut self, close: f64) -> Signal {
        let fast = self.fast.update(close);
        let (Some(fast), Some(slow)) = (fast, self.slow.update(close)) else {
            return Signal::Hold;
        };
        self.cross.signal(fast - slow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enters_on_the_golden_cross_and_exits_on_the_death_cross() {
        let params = ScalpingParams { fast_period: 2, slow_period: 4 };
        let mut strategy = EmaScalping::new(&params).unwrap();
        let closes = [10.0, 9.0, 8.0, 7.0, 6.0, 9.0, 12.0, 12.0, 8.0, 5.0];
        let signals: Vec<Signal> = closes.iter().map(|&c| strategy.on_close(c)).collect();
        assert_eq!(signals.iter().position(|s| *s == Signal::Enter), Some(5));
        assert_eq!(signals.iter().position(|s| *s == Signal::Exit), Some(8));
        assert!(signals[..strategy.warmup_candles() - 1].iter().all(|s| *s == Signal::Hold));
    }
}
