//! When an open position is closed: take-profit, stop-loss, a trailing stop that arms after
//! an activation offset, and an optional time limit, checked against the executable bid.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::{percent, Price};
use crate::strategy::{ParamError, ParamReader};

/// Exit settings in percent of the entry price; `None` switches a rule off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExitRules {
    pub take_profit_pct: Option<Decimal>,
    pub stop_loss_pct: Option<Decimal>,
    /// How far below its highest bid the trailing stop follows the price.
    pub trailing_stop_pct: Option<Decimal>,
    /// The gain over the entry price at which the trailing stop starts following (0: at once).
    pub trailing_activation_pct: Decimal,
    pub max_hold_minutes: Option<u32>,
    /// A first, partial take-profit: sell `partial_share_pct` of the position at this gain,
    /// the rest at `take_profit_pct`.
    #[serde(default)]
    pub partial_take_profit_pct: Option<Decimal>,
    #[serde(default = "half")]
    pub partial_share_pct: Decimal,
    /// After the partial take-profit, move the stop-loss up to the entry price.
    #[serde(default = "yes")]
    pub breakeven_after_partial: bool,
}

fn half() -> Decimal {
    Decimal::from(50)
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitReason {
    StopLoss,
    TrailingStop,
    TakeProfit,
    /// The partial take-profit sold part of the position; the rest stays open.
    PartialTakeProfit,
    TimeLimit,
    Signal,
    /// Closed from outside the strategy: the bot was stopped or a backtest ran out of data.
    ForceExit,
}

impl ExitReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StopLoss => "stop_loss",
            Self::TrailingStop => "trailing_stop",
            Self::TakeProfit => "take_profit",
            Self::PartialTakeProfit => "partial_take_profit",
            Self::TimeLimit => "time_limit",
            Self::Signal => "signal",
            Self::ForceExit => "force_exit",
        }
    }
}

impl Default for ExitRules {
    fn default() -> Self {
        Self {
            take_profit_pct: None,
            stop_loss_pct: None,
            trailing_stop_pct: None,
            trailing_activation_pct: Decimal::ZERO,
            max_hold_minutes: None,
            partial_take_profit_pct: None,
            partial_share_pct: half(),
            breakeven_after_partial: true,
        }
    }
}

impl ExitRules {
    /// Take-profit and stop-loss at the given percentages, nothing else.
    pub fn bracket(take_profit_pct: Decimal, stop_loss_pct: Decimal) -> Self {
        Self { take_profit_pct: Some(take_profit_pct), stop_loss_pct: Some(stop_loss_pct), ..Self::default() }
    }

    /// Reads `take_profit_pct`, `stop_loss_pct`, `trailing_stop_pct`,
    /// `trailing_activation_pct`, `max_hold_minutes` over a strategy's defaults, and the
    /// partial take-profit (`partial_take_profit_pct` off, `partial_share_pct` 50,
    /// `breakeven_after_partial` 1), which must lie below the final one.
    pub fn read(reader: &mut ParamReader, defaults: ExitRules) -> Result<Self, ParamError> {
        let hundred = Decimal::ONE_HUNDRED;
        let minutes =
            reader.period("max_hold_minutes", defaults.max_hold_minutes.unwrap_or(0) as usize, 0, u32::MAX as usize)?;
        let rules = Self {
            take_profit_pct: reader.optional_percent(
                "take_profit_pct",
                defaults.take_profit_pct,
                Decimal::from(10_000),
            )?,
            stop_loss_pct: reader.optional_percent("stop_loss_pct", defaults.stop_loss_pct, Decimal::from(99))?,
            trailing_stop_pct: reader.optional_percent(
                "trailing_stop_pct",
                defaults.trailing_stop_pct,
                Decimal::from(99),
            )?,
            trailing_activation_pct: reader.decimal(
                "trailing_activation_pct",
                defaults.trailing_activation_pct,
                Decimal::ZERO,
                hundred * hundred,
            )?,
            max_hold_minutes: (minutes > 0).then_some(minutes as u32),
            partial_take_profit_pct: reader.optional_percent("partial_take_profit_pct", None, Decimal::from(10_000))?,
            partial_share_pct: reader.decimal("partial_share_pct", half(), Decimal::ONE, Decimal::from(99))?,
            breakeven_after_partial: reader.period("breakeven_after_partial", 1, 0, 1)? == 1,
        };
        if let (Some(partial), Some(target)) = (rules.partial_take_profit_pct, rules.take_profit_pct) {
            if partial >= target {
                let message = format!("partial_take_profit_pct ({partial}) must be below take_profit_pct ({target})");
                return Err(ParamError::Invalid(message));
            }
        }
        Ok(rules)
    }

    /// The price levels for a position entered at `entry` at `entry_time_ms`.
    pub fn levels(&self, entry: Price, entry_time_ms: i64) -> ExitLevels {
        let above = |pct: Decimal| entry + entry * percent(pct);
        let below = |pct: Decimal| entry - entry * percent(pct);
        ExitLevels {
            take_profit: self.take_profit_pct.map(above),
            stop_loss: self.stop_loss_pct.map(below),
            trailing: self.trailing_stop_pct.map(|pct| {
                let distance = percent(pct);
                let activation = above(self.trailing_activation_pct);
                Trailing {
                    distance,
                    activation,
                    peak: entry,
                    stop: (entry >= activation).then(|| entry - entry * distance),
                }
            }),
            deadline_ms: self.max_hold_minutes.map(|minutes| entry_time_ms.saturating_add(i64::from(minutes) * 60_000)),
            partial_take_profit: self.partial_take_profit_pct.map(above),
            breakeven: self.breakeven_after_partial.then_some(entry),
        }
    }
}

/// A trailing stop in flight: `stop` is `None` until the peak bid reaches `activation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trailing {
    pub distance: Decimal,
    pub activation: Price,
    pub peak: Price,
    pub stop: Option<Price>,
}

/// An open position's exit levels, fixed at entry except for the trailing stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExitLevels {
    pub take_profit: Option<Price>,
    pub stop_loss: Option<Price>,
    pub trailing: Option<Trailing>,
    pub deadline_ms: Option<i64>,
    /// The partial take-profit's level, until it fires.
    #[serde(default)]
    pub partial_take_profit: Option<Price>,
    /// Where the stop-loss moves once the partial take-profit fired.
    #[serde(default)]
    pub breakeven: Option<Price>,
}

impl ExitLevels {
    /// Raises the trailing stop's peak to `bid`, arming the stop once the peak reaches the
    /// activation price.
    pub fn follow(&mut self, bid: Price) {
        if let Some(trailing) = &mut self.trailing {
            if bid > trailing.peak {
                trailing.peak = bid;
                if bid >= trailing.activation {
                    trailing.stop = Some(bid - bid * trailing.distance);
                }
            }
        }
    }

    /// After the partial take-profit: it is spent, and the stop-loss moves up to break-even.
    pub fn partial_taken(&mut self) {
        self.partial_take_profit = None;
        if let Some(breakeven) = self.breakeven {
            self.stop_loss = Some(self.stop_loss.map_or(breakeven, |stop| stop.max(breakeven)));
        }
    }

    /// Moves the trailing stop up with `bid` and says whether a rule now closes the position,
    /// the protective ones first.
    pub fn check(&mut self, bid: Price, now_ms: i64) -> Option<ExitReason> {
        if self.stop_loss.is_some_and(|stop| bid <= stop) {
            return Some(ExitReason::StopLoss);
        }
        self.follow(bid);
        if self.trailing.is_some_and(|trailing| trailing.stop.is_some_and(|stop| bid <= stop)) {
            return Some(ExitReason::TrailingStop);
        }
        if self.take_profit.is_some_and(|target| bid >= target) {
            return Some(ExitReason::TakeProfit);
        }
        if self.partial_take_profit.is_some_and(|target| bid >= target) {
            return Some(ExitReason::PartialTakeProfit);
        }
        if self.deadline_ms.is_some_and(|deadline| now_ms >= deadline) {
            return Some(ExitReason::TimeLimit);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> ExitRules {
        ExitRules {
            take_profit_pct: Some(Decimal::from(10)),
            stop_loss_pct: Some(Decimal::from(5)),
            trailing_stop_pct: Some(Decimal::from(2)),
            trailing_activation_pct: Decimal::from(4),
            max_hold_minutes: Some(60),
            ..ExitRules::default()
        }
    }

    #[test]
    fn stop_loss_and_take_profit_fire_at_their_levels() {
        let mut levels = rules().levels(Decimal::from(100), 0);
        assert_eq!(levels.check(Decimal::from(96), 1), None);
        assert_eq!(levels.check(Decimal::from(95), 1), Some(ExitReason::StopLoss));
        let mut levels = rules().levels(Decimal::from(100), 0);
        assert_eq!(levels.check(Decimal::from(110), 1), Some(ExitReason::TakeProfit));
    }

    #[test]
    fn trailing_stop_arms_at_the_offset_and_follows_the_peak() {
        let mut levels = rules().levels(Decimal::from(100), 0);
        assert_eq!(levels.check(Decimal::from(103), 1), None);
        assert_eq!(levels.trailing.unwrap().stop, None, "not armed below +4 %");
        assert_eq!(levels.check(Decimal::from(102), 1), None);
        assert_eq!(levels.check(Decimal::from(105), 1), None);
        assert_eq!(levels.trailing.unwrap().stop, Some(Decimal::new(1029, 1)));
        assert_eq!(levels.check(Decimal::new(1029, 1), 1), Some(ExitReason::TrailingStop));
    }

    #[test]
    fn trailing_without_offset_is_armed_at_entry() {
        let no_offset = ExitRules { trailing_activation_pct: Decimal::ZERO, ..rules() };
        let mut levels = no_offset.levels(Decimal::from(100), 0);
        assert_eq!(levels.check(Decimal::from(98), 1), Some(ExitReason::TrailingStop));
    }

    #[test]
    fn time_limit_closes_after_the_hold() {
        let mut levels = rules().levels(Decimal::from(100), 1_000);
        assert_eq!(levels.check(Decimal::from(100), 1_000 + 3_599_999), None);
        assert_eq!(levels.check(Decimal::from(100), 1_000 + 3_600_000), Some(ExitReason::TimeLimit));
    }
}
