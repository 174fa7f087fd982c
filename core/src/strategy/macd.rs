//! `macd`: buys when the MACD line crosses above its signal line, sells when it crosses below.
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `fast_period` | 12 | fast EMA |
//! | `slow_period` | 26 | slow EMA (above `fast_period`) |
//! | `signal_period` | 9 | EMA of the MACD line |
//!
//! Default exits: take-profit 4 %, stop-loss 2 %. Warm-up: `slow_period + signal_period`
//! candles (TA-Lib's lookback plus one more to see a crossing).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::cross::Cross;
use super::{ParamError, ParamReader, Signal, Strategy};
use crate::exits::ExitRules;
use crate::indicators::{Indicator, IndicatorError, Macd, MAX_PERIOD};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MacdParams {
    pub fast_period: usize,
    pub slow_period: usize,
    pub signal_period: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MacdCross {
    params: MacdParams,
    macd: Macd,
    cross: Cross,
}

impl Strategy for MacdCross {
    const NAME: &'static str = "macd";
    type Params = MacdParams;

    fn read_params(params: &mut ParamReader) -> Result<MacdParams, ParamError> {
        let fast_period = params.period("fast_period", 12, 2, MAX_PERIOD)?;
        Ok(MacdParams {
            fast_period,
            slow_period: params.period("slow_period", 26, fast_period + 1, MAX_PERIOD)?,
            signal_period: params.period("signal_period", 9, 1, MAX_PERIOD)?,
        })
    }

    fn default_exits() -> ExitRules {
        ExitRules::bracket(Decimal::from(4), Decimal::from(2))
    }

    fn new(params: &MacdParams) -> Result<Self, IndicatorError> {
        Ok(Self {
            params: *params,
            macd: Macd::new(params.fast_period, params.slow_period, params.signal_period)?,
            cross: Cross::default(),
        })
    }

    fn warmup_candles(&self) -> usize {
        self.macd.lookback() + 2
    }

    #[inline]
    fn on_close(&mut self, close: f64) -> Signal {
        let Some(value) = self.macd.update(close) else {
            return Signal::Hold;
        };
        self.cross.signal(value.histogram)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_follow_the_histogram_sign_changes() {
        let params = MacdParams { fast_period: 3, slow_period: 6, signal_period: 3 };
        let mut strategy = MacdCross::new(&params).unwrap();
        let closes: Vec<f64> = (0..150).map(|i| 100.0 + (i as f64 / 6.0).sin() * 10.0).collect();
        let signals: Vec<Signal> = closes.iter().map(|&c| strategy.on_close(c)).collect();
        let entries = signals.iter().filter(|s| **s == Signal::Enter).count();
        let exits = signals.iter().filter(|s| **s == Signal::Exit).count();
        assert!(entries >= 3 && exits >= 3, "{entries} entries, {exits} exits");
        let first = signals.iter().position(|s| *s != Signal::Hold).unwrap();
        assert!(first + 1 >= strategy.warmup_candles());
        // Entries and exits alternate, since each is a crossing in the other direction.
        let turns: Vec<&Signal> = signals.iter().filter(|s| **s != Signal::Hold).collect();
        assert!(turns.windows(2).all(|pair| pair[0] != pair[1]));
    }
}
