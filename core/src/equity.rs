//! An equity curve sampled every tick: running peak, deepest drawdown, and one closing value
//! per UTC day for daily-return statistics.

use std::cmp::Ordering;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::Amount;

const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EquityCurve {
    pub start: Amount,
    pub peak: Amount,
    pub max_drawdown: Amount,
    /// The deepest drawdown as a percentage of the peak it fell from.
    pub max_drawdown_pct: Decimal,
    /// Equity at the last sample of each UTC day seen, oldest first.
    pub daily_closes: Vec<Amount>,
    day: Option<i64>,
}

impl EquityCurve {
    pub fn new(start: Amount) -> Self {
        Self {
            start,
            peak: start,
            max_drawdown: Decimal::ZERO,
            max_drawdown_pct: Decimal::ZERO,
            daily_closes: Vec::new(),
            day: None,
        }
    }

    #[inline]
    pub fn record(&mut self, time_ms: i64, equity: Amount) {
        // The last daily close is the equity recorded last. The same equity again (flat, out
        // of the market) cannot raise the peak nor deepen the drawdown: skip the decimal
        // arithmetic when its representation is identical, which is cheap to check.
        let repeated = self.daily_closes.last().is_some_and(|last| last.serialize() == equity.serialize());
        if !repeated {
            self.track_drawdown(equity);
        }
        let day = time_ms.div_euclid(DAY_MS);
        if self.day == Some(day) {
            if let Some(last) = self.daily_closes.last_mut() {
                *last = equity;
            }
        } else {
            self.day = Some(day);
            self.daily_closes.push(equity);
        }
    }

    fn track_drawdown(&mut self, equity: Amount) {
        // One comparison, not `>` then `<`: comparing decimals of different scales rescales.
        match equity.cmp(&self.peak) {
            Ordering::Greater => self.peak = equity,
            Ordering::Less => {
                let drawdown = self.peak - equity;
                if drawdown > self.max_drawdown {
                    self.max_drawdown = drawdown;
                    self.max_drawdown_pct = (drawdown / self.peak * Decimal::ONE_HUNDRED).round_dp(4);
                }
            }
            Ordering::Equal => {}
        }
    }

    /// Day-over-day returns as fractions, the first measured from the start capital.
    pub fn daily_returns(&self) -> Vec<f64> {
        let mut previous = self.start;
        let mut returns = Vec::with_capacity(self.daily_closes.len());
        for &close in &self.daily_closes {
            if previous > Decimal::ZERO {
                returns.push(crate::money::to_f64(close / previous - Decimal::ONE));
            }
            previous = close;
        }
        returns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracks_the_deepest_fall_from_a_peak() {
        let mut curve = EquityCurve::new(Decimal::from(100));
        for (t, e) in [(0, 120), (1, 90), (2, 130), (3, 110)] {
            curve.record(t, Decimal::from(e));
        }
        assert_eq!(curve.max_drawdown, Decimal::from(30));
        assert_eq!(curve.max_drawdown_pct, Decimal::from(25));
    }

    #[test]
    fn keeps_the_last_equity_of_each_day() {
        let mut curve = EquityCurve::new(Decimal::from(100));
        curve.record(0, Decimal::from(101));
        curve.record(DAY_MS - 1, Decimal::from(110));
        curve.record(DAY_MS, Decimal::from(99));
        assert_eq!(curve.daily_closes, [Decimal::from(110), Decimal::from(99)]);
        assert_eq!(curve.daily_returns(), [0.1, -0.1]);
    }

    #[test]
    fn a_repeated_equity_only_moves_the_days_close() {
        let mut curve = EquityCurve::new(Decimal::from(100));
        // 90 three times (once written 90.00, the same value at another scale), then a new low.
        let equities = ["120", "90", "90", "90.00", "110", "85", "85", "130", "130"];
        for (hour, equity) in equities.iter().enumerate() {
            curve.record(hour as i64 * DAY_MS / 4, equity.parse().unwrap());
        }
        assert_eq!(curve.peak, Decimal::from(130));
        assert_eq!(curve.max_drawdown, Decimal::from(35));
        assert_eq!(curve.max_drawdown_pct, "29.1667".parse().unwrap());
        let closes: Vec<String> = curve.daily_closes.iter().map(|c| c.to_string()).collect();
        assert_eq!(closes, ["90.00", "130", "130"]);
    }
}
