//! An equity curve sampled every tick: running peak, deepest drawdown, and one closing value
//! per UTC day for daily-return statistics.

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
        if equity > self.peak {
            self.peak = equity;
        } else if equity < self.peak {
            let drawdown = self.peak - equity;
            if drawdown > self.max_drawdown {
                self.max_drawdown = drawdown;
                self.max_drawdown_pct = (drawdown / self.peak * Decimal::ONE_HUNDRED).round_dp(4);
            }
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
}
