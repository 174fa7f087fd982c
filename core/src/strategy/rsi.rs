//! `rsi`: buys while RSI is below `oversold` (or, with `entry: "cross_up"`, when it crosses
//! back above it), sells while RSI is above `overbought`.
//!
//! | key | default | meaning |
//! |---|---|---|
//! | `period` | 14 | RSI period (Wilder) |
//! | `oversold` | 30 | entry level |
//! | `overbought` | 70 | exit signal while RSI is above this level |
//! | `entry` | `below` | `below`: entry while RSI is below `oversold`; `cross_up`: entry on the candle where RSI rises from at most `oversold` to above it |
//!
//! A market that has not moved at all in the RSI's memory (average gain and loss both 0, an
//! RSI of 0 by TA-Lib's convention) is not oversold: `below` does not enter there.
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
    /// Configs stored before this key existed ran the crossing rule, and keep it.
    #[serde(default = "RsiEntry::stored_before_the_choice")]
    pub entry: RsiEntry,
}

/// When the `rsi` strategy enters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RsiEntry {
    /// While RSI is below `oversold` (the default).
    Below,
    /// When RSI crosses from at most `oversold` to above it: the turn out of oversold.
    CrossUp,
}

impl RsiEntry {
    const CHOICES: [(&'static str, RsiEntry); 2] = [("below", RsiEntry::Below), ("cross_up", RsiEntry::CrossUp)];

    fn stored_before_the_choice() -> Self {
        Self::CrossUp
    }
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
        let entry = params.choice("entry", RsiEntry::Below, &RsiEntry::CHOICES)?;
        Ok(RsiParams { period, oversold: to_f64(oversold), overbought: to_f64(overbought), entry })
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
        let crossed_up = self.from_oversold.update(rsi - self.params.oversold) == Some(Crossing::Up);
        let enter = match self.params.entry {
            RsiEntry::Below => rsi < self.params.oversold && self.rsi.has_moved(),
            RsiEntry::CrossUp => crossed_up,
        };
        if enter {
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
    use crate::strategy::{Params, StrategyConfig};

    fn signals(entry: RsiEntry, closes: &[f64]) -> Vec<Signal> {
        let params = RsiParams { period: 2, oversold: 30.0, overbought: 70.0, entry };
        let mut strategy = RsiReversal::new(&params).unwrap();
        closes.iter().map(|&c| strategy.on_close(c)).collect()
    }

    // Falls (RSI 0 from the third candle), turns up (RSI 50, then 75), then rallies.
    const FALL_TURN_RALLY: [f64; 7] = [10.0, 9.0, 8.0, 7.0, 8.0, 9.0, 10.0];

    #[test]
    fn below_enters_while_rsi_is_under_oversold_and_exits_over_overbought() {
        let got = signals(RsiEntry::Below, &FALL_TURN_RALLY);
        use Signal::*;
        assert_eq!(got, [Hold, Hold, Enter, Enter, Hold, Exit, Exit]);
    }

    #[test]
    fn cross_up_enters_when_rsi_leaves_oversold_and_exits_over_overbought() {
        let got = signals(RsiEntry::CrossUp, &FALL_TURN_RALLY);
        use Signal::*;
        assert_eq!(got, [Hold, Hold, Hold, Hold, Enter, Exit, Exit]);
    }

    #[test]
    fn a_market_that_never_moved_is_not_oversold() {
        // RSI 0 by TA-Lib's convention, but no loss behind it.
        assert!(signals(RsiEntry::Below, &[5.0; 10]).iter().all(|s| *s == Signal::Hold));
    }

    #[test]
    fn the_rule_is_named_by_entry_and_below_is_the_default() {
        let rule =
            |pairs: &[&str]| match StrategyConfig::from_params("rsi", &Params::from_pairs(pairs.iter().copied())?) {
                Ok((StrategyConfig::Rsi(params), _, _)) => Ok(params.entry),
                Ok(_) => unreachable!(),
                Err(error) => Err(error),
            };
        assert_eq!(rule(&[]), Ok(RsiEntry::Below));
        assert_eq!(rule(&["entry=below"]), Ok(RsiEntry::Below));
        assert_eq!(rule(&["entry=cross_up"]), Ok(RsiEntry::CrossUp));
        let error = rule(&["entry=cross"]).unwrap_err().to_string();
        assert_eq!(error, "parameter `entry` must be one of `below`, `cross_up`, got `cross`");
        let json: Params = serde_json::from_str(r#"{"entry": "cross_up", "period": 5}"#).unwrap();
        assert!(
            matches!(StrategyConfig::from_params("rsi", &json), Ok((StrategyConfig::Rsi(p), _, _)) if p.entry == RsiEntry::CrossUp)
        );
    }

    #[test]
    fn a_config_stored_before_the_choice_keeps_the_crossing_rule() {
        let stored = r#"{"name": "rsi", "params": {"period": 14, "oversold": 30.0, "overbought": 70.0}}"#;
        let config: StrategyConfig = serde_json::from_str(stored).unwrap();
        assert!(matches!(config, StrategyConfig::Rsi(RsiParams { entry: RsiEntry::CrossUp, .. })));
        let written = serde_json::to_string(&config).unwrap();
        assert!(written.contains(r#""entry":"cross_up""#), "{written}");
    }
}
