//! A venue's trading rules for one market: fee rates, lot step and minimum order value.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::{floor_to_step, Amount, Quantity};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RulesError {
    #[error("{0} fee rate must be at least 0 and below 0.1 (10 %)")]
    FeeRate(&'static str),
    #[error("lot step must not be negative")]
    LotStep,
    #[error("minimum notional must not be negative")]
    MinNotional,
}

/// Fee rates are fractions (`0.001` is 0.1 %); `lot_step` is the quantity increment an order
/// must be a multiple of (zero: any quantity); `min_notional` the smallest order value allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradingRules {
    pub maker_fee_rate: Decimal,
    pub taker_fee_rate: Decimal,
    pub lot_step: Quantity,
    pub min_notional: Amount,
}

impl TradingRules {
    pub fn validate(&self) -> Result<(), RulesError> {
        let fee_ok = |rate: Decimal| rate >= Decimal::ZERO && rate < Decimal::new(1, 1);
        if !fee_ok(self.maker_fee_rate) {
            return Err(RulesError::FeeRate("maker"));
        }
        if !fee_ok(self.taker_fee_rate) {
            return Err(RulesError::FeeRate("taker"));
        }
        if self.lot_step < Decimal::ZERO {
            return Err(RulesError::LotStep);
        }
        if self.min_notional < Decimal::ZERO {
            return Err(RulesError::MinNotional);
        }
        Ok(())
    }

    /// `quantity` rounded down to a whole number of lots.
    pub fn round_quantity(&self, quantity: Quantity) -> Quantity {
        floor_to_step(quantity, self.lot_step)
    }

    pub fn taker_fee(&self, notional: Amount) -> Amount {
        notional * self.taker_fee_rate
    }
}

impl Default for TradingRules {
    /// A typical spot venue: 0.1 % maker and taker, 1e-8 lots, orders of at least 1.
    fn default() -> Self {
        Self {
            maker_fee_rate: Decimal::new(1, 3),
            taker_fee_rate: Decimal::new(1, 3),
            lot_step: Decimal::new(1, 8),
            min_notional: Decimal::ONE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_rates_and_limits_out_of_range() {
        let rules = TradingRules::default();
        assert_eq!(rules.validate(), Ok(()));
        let bad_fee = TradingRules { taker_fee_rate: Decimal::new(-1, 3), ..rules };
        assert_eq!(bad_fee.validate(), Err(RulesError::FeeRate("taker")));
        let bad_step = TradingRules { lot_step: Decimal::NEGATIVE_ONE, ..rules };
        assert_eq!(bad_step.validate(), Err(RulesError::LotStep));
    }

    #[test]
    fn rounds_quantities_down_and_charges_the_taker_rate() {
        let rules = TradingRules { lot_step: Decimal::new(1, 3), ..TradingRules::default() };
        assert_eq!(rules.round_quantity(Decimal::new(12_345, 4)), Decimal::new(1_234, 3));
        assert_eq!(rules.taker_fee(Decimal::from(200)), Decimal::new(2, 1));
    }
}
