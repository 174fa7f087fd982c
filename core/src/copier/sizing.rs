//! Per-follower sizing of a master's volume (`fix` or `multiplier`), clamped to the follower's
//! lot limits and rounded down to the lot step; plus the follower's safety limits, carried here
//! so the room and the client read the same config.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::floor_to_step;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SizingMode {
    Fix,
    Multiplier,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LotRules {
    pub min_lot: Decimal,
    pub max_lot: Decimal,
    pub lot_step: Decimal,
}

impl Default for LotRules {
    fn default() -> Self {
        Self { min_lot: Decimal::new(1, 2), max_lot: Decimal::new(100, 0), lot_step: Decimal::new(1, 2) }
    }
}

/// A follower's copy settings (the seed's `trade_copy` block, with lot limits added).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TradeCopy {
    pub mode: SizingMode,
    #[serde(with = "crate::num")]
    pub fixed_lot: Decimal,
    #[serde(with = "crate::num")]
    pub multiplier: Decimal,
    #[serde(with = "crate::num")]
    pub min_lot: Decimal,
    #[serde(with = "crate::num")]
    pub max_lot: Decimal,
    #[serde(with = "crate::num")]
    pub lot_step: Decimal,
    pub magic_number_copier: Option<i64>,
    #[serde(with = "crate::num::option")]
    pub max_slippage_points: Option<Decimal>,
    #[serde(with = "crate::num::option")]
    pub max_spread_points: Option<Decimal>,
    pub max_exposure_trades: Option<u32>,
    #[serde(with = "crate::num::option")]
    pub max_exposure_lots: Option<Decimal>,
    #[serde(with = "crate::num::option")]
    pub max_drawdown_pct: Option<Decimal>,
}

impl Default for TradeCopy {
    fn default() -> Self {
        let lots = LotRules::default();
        Self {
            mode: SizingMode::Multiplier,
            fixed_lot: lots.min_lot,
            multiplier: Decimal::ONE,
            min_lot: lots.min_lot,
            max_lot: lots.max_lot,
            lot_step: lots.lot_step,
            magic_number_copier: None,
            max_slippage_points: None,
            max_spread_points: None,
            max_exposure_trades: None,
            max_exposure_lots: None,
            max_drawdown_pct: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("trade_copy.{field}: {message}")]
pub struct TradeCopyError {
    pub field: &'static str,
    pub message: &'static str,
}

impl TradeCopy {
    pub fn validate(&self) -> Result<(), TradeCopyError> {
        let positive = |field, value: Decimal| {
            (value > Decimal::ZERO).then_some(()).ok_or(TradeCopyError { field, message: "must be positive" })
        };
        positive("fixed_lot", self.fixed_lot)?;
        positive("multiplier", self.multiplier)?;
        positive("min_lot", self.min_lot)?;
        positive("lot_step", self.lot_step)?;
        if self.max_lot < self.min_lot {
            return Err(TradeCopyError { field: "max_lot", message: "must not be below min_lot" });
        }
        let optional = [
            ("max_slippage_points", self.max_slippage_points),
            ("max_spread_points", self.max_spread_points),
            ("max_exposure_lots", self.max_exposure_lots),
            ("max_drawdown_pct", self.max_drawdown_pct),
        ];
        for (field, value) in optional {
            if value.is_some_and(|value| value < Decimal::ZERO) {
                return Err(TradeCopyError { field, message: "must not be negative" });
            }
        }
        if self.max_drawdown_pct.is_some_and(|pct| pct > Decimal::ONE_HUNDRED) {
            return Err(TradeCopyError { field: "max_drawdown_pct", message: "must be at most 100" });
        }
        Ok(())
    }

    pub fn lot_rules(&self) -> LotRules {
        LotRules { min_lot: self.min_lot, max_lot: self.max_lot, lot_step: self.lot_step }
    }

    /// The follower's volume for a master volume: never below `min_lot`, never above
    /// `max_lot`, always a whole number of lot steps.
    pub fn size(&self, master_volume: Decimal) -> Decimal {
        let wanted = match self.mode {
            SizingMode::Fix => self.fixed_lot,
            SizingMode::Multiplier => master_volume * self.multiplier,
        };
        let rules = self.lot_rules();
        floor_to_step(wanted, rules.lot_step).clamp(rules.min_lot, rules.max_lot).normalize()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn multiplier(m: Decimal) -> TradeCopy {
        TradeCopy { mode: SizingMode::Multiplier, multiplier: m, ..TradeCopy::default() }
    }

    #[test]
    fn fixed_lot_ignores_the_master_volume() {
        let copy = TradeCopy { mode: SizingMode::Fix, fixed_lot: dec!(0.05), ..TradeCopy::default() };
        assert_eq!(copy.size(dec!(3)), dec!(0.05));
        assert_eq!(copy.size(dec!(0.01)), dec!(0.05));
    }

    #[test]
    fn multiplier_scales_then_rounds_down_to_the_step() {
        assert_eq!(multiplier(dec!(2)).size(dec!(0.10)), dec!(0.2));
        assert_eq!(multiplier(dec!(0.5)).size(dec!(0.15)), dec!(0.07));
        assert_eq!(multiplier(dec!(1.5)).size(dec!(1)), dec!(1.5));
    }

    #[test]
    fn results_are_clamped_to_the_lot_limits() {
        assert_eq!(multiplier(dec!(0.1)).size(dec!(0.01)), dec!(0.01), "never below min_lot");
        let capped = TradeCopy { max_lot: dec!(2), ..multiplier(dec!(10)) };
        assert_eq!(capped.size(dec!(1)), dec!(2));
    }

    #[test]
    fn config_parses_the_seed_format_and_rejects_nonsense() {
        let seed = r#"{"mode":"fix","fixed_lot":0.01,"multiplier":1.0,"magic_number_copier":123456,
            "max_slippage_points":50,"max_spread_points":20,"max_exposure_trades":5,"max_exposure_lots":10.0}"#;
        let copy: TradeCopy = serde_json::from_str(seed).unwrap();
        assert_eq!((copy.mode, copy.fixed_lot, copy.max_exposure_trades), (SizingMode::Fix, dec!(0.01), Some(5)));
        assert_eq!(copy.validate(), Ok(()));
        assert_eq!(TradeCopy { multiplier: dec!(0), ..copy.clone() }.validate().unwrap_err().field, "multiplier");
        assert_eq!(TradeCopy { max_lot: dec!(0.001), ..copy.clone() }.validate().unwrap_err().field, "max_lot");
        assert!(serde_json::from_str::<TradeCopy>(r#"{"mode":"double"}"#).is_err());
        assert!(serde_json::from_str::<TradeCopy>(r#"{"modes":"fix"}"#).is_err());
    }
}
