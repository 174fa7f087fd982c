//! Per-follower sizing of a master's volume (`fix` or `multiplier`), clamped to the follower's
//! lot limits and rounded down to the lot step; plus the follower's safety limits, carried here
//! so the room and the client read the same config. Every value has bounds ([`bounds`]) that
//! `validate` enforces, and sizing uses checked arithmetic only: a config stored before the
//! bounds (or forged) gives a [`SizingError`], never a panic.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::checked_floor_to_step;

/// The documented bounds of a `trade_copy` (README "Trade copier", `openapi.json`). Within them
/// no sizing of a valid signal volume (at most [`crate::copier::signal::MAX_VOLUME`]) leaves a
/// decimal's range: 10^12 × 1000 / 10^-8 = 10^23.
pub mod bounds {
    use rust_decimal::Decimal;

    /// `multiplier` is in (0, 1000].
    pub const MAX_MULTIPLIER: Decimal = Decimal::from_parts(1000, 0, 0, false, 0);
    /// `fixed_lot`, `min_lot` and `max_lot` are in (0, 10^6].
    pub const MAX_LOT: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
    /// `lot_step` is in [10^-8, 10^6].
    pub const MIN_LOT_STEP: Decimal = Decimal::from_parts(1, 0, 0, false, 8);
    /// `max_slippage_points`, `max_spread_points` and `max_exposure_lots` are in [0, 10^9].
    pub const MAX_LIMIT: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);
    /// `max_exposure_trades` is in [0, 10^6].
    pub const MAX_EXPOSURE_TRADES: u32 = 1_000_000;
    /// `max_drawdown_pct` is in [0, 100].
    pub const MAX_DRAWDOWN_PCT: Decimal = Decimal::ONE_HUNDRED;
    /// `max_signal_age_s` is in [1, 604800] (7 days, the room's log retention); default 60.
    pub const MAX_SIGNAL_AGE_S: u32 = 7 * 24 * 60 * 60;
    pub const DEFAULT_SIGNAL_AGE_S: u32 = 60;
}

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
    /// An open older than this when it reaches the follower (a replay after an outage) arrives
    /// marked `"stale": true`, and executors do not open it. Closes and modifies always apply.
    pub max_signal_age_s: u32,
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
            max_signal_age_s: bounds::DEFAULT_SIGNAL_AGE_S,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("trade_copy.{field}: {message}")]
pub struct TradeCopyError {
    pub field: &'static str,
    pub message: &'static str,
}

/// A volume this `trade_copy` cannot compute (only a config outside the bounds can cause it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("trade_copy cannot size this volume: {0}")]
pub struct SizingError(pub &'static str);

impl TradeCopy {
    /// Checks every field against [`bounds`]; the error names the first field outside them.
    pub fn validate(&self) -> Result<(), TradeCopyError> {
        use bounds::*;
        let within = |field, value: Decimal, low: Decimal, high: Decimal, message| {
            (low <= value && value <= high).then_some(()).ok_or(TradeCopyError { field, message })
        };
        let positive = |field, value: Decimal, message| {
            (value > Decimal::ZERO && value <= MAX_LOT).then_some(()).ok_or(TradeCopyError { field, message })
        };
        positive("fixed_lot", self.fixed_lot, "must be above 0 and at most 1000000")?;
        let multiplier_ok = self.multiplier > Decimal::ZERO && self.multiplier <= MAX_MULTIPLIER;
        multiplier_ok
            .then_some(())
            .ok_or(TradeCopyError { field: "multiplier", message: "must be above 0 and at most 1000" })?;
        positive("min_lot", self.min_lot, "must be above 0 and at most 1000000")?;
        positive("max_lot", self.max_lot, "must be above 0 and at most 1000000")?;
        within("lot_step", self.lot_step, MIN_LOT_STEP, MAX_LOT, "must be from 0.00000001 to 1000000")?;
        if self.max_lot < self.min_lot {
            return Err(TradeCopyError { field: "max_lot", message: "must not be below min_lot" });
        }
        let optional = [
            ("max_slippage_points", self.max_slippage_points, MAX_LIMIT, "must be from 0 to 1000000000"),
            ("max_spread_points", self.max_spread_points, MAX_LIMIT, "must be from 0 to 1000000000"),
            ("max_exposure_lots", self.max_exposure_lots, MAX_LIMIT, "must be from 0 to 1000000000"),
            ("max_drawdown_pct", self.max_drawdown_pct, MAX_DRAWDOWN_PCT, "must be from 0 to 100"),
        ];
        for (field, value, high, message) in optional {
            if let Some(value) = value {
                within(field, value, Decimal::ZERO, high, message)?;
            }
        }
        if self.max_exposure_trades.is_some_and(|trades| trades > MAX_EXPOSURE_TRADES) {
            return Err(TradeCopyError { field: "max_exposure_trades", message: "must be from 0 to 1000000" });
        }
        if !(1..=MAX_SIGNAL_AGE_S).contains(&self.max_signal_age_s) {
            return Err(TradeCopyError { field: "max_signal_age_s", message: "must be from 1 to 604800 seconds" });
        }
        Ok(())
    }

    pub fn lot_rules(&self) -> LotRules {
        LotRules { min_lot: self.min_lot, max_lot: self.max_lot, lot_step: self.lot_step }
    }

    /// The follower's volume for a master volume: rounded down to a whole number of lot steps,
    /// then kept within `min_lot` and `max_lot`. Checked throughout: a config outside the bounds
    /// (say `multiplier` 7.9e28 or `lot_step` 1e-28) is an `Err`, never a panic.
    pub fn size(&self, master_volume: Decimal) -> Result<Decimal, SizingError> {
        let wanted = match self.mode {
            SizingMode::Fix => self.fixed_lot,
            SizingMode::Multiplier => {
                master_volume.checked_mul(self.multiplier).ok_or(SizingError("volume × multiplier overflows"))?
            }
        };
        let rules = self.lot_rules();
        if rules.min_lot > rules.max_lot {
            return Err(SizingError("min_lot is above max_lot"));
        }
        let stepped =
            checked_floor_to_step(wanted, rules.lot_step).ok_or(SizingError("volume / lot_step overflows"))?;
        Ok(stepped.clamp(rules.min_lot, rules.max_lot).normalize())
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
        assert_eq!(copy.size(dec!(3)), Ok(dec!(0.05)));
        assert_eq!(copy.size(dec!(0.01)), Ok(dec!(0.05)));
    }

    #[test]
    fn multiplier_scales_then_rounds_down_to_the_step() {
        assert_eq!(multiplier(dec!(2)).size(dec!(0.10)), Ok(dec!(0.2)));
        assert_eq!(multiplier(dec!(0.5)).size(dec!(0.15)), Ok(dec!(0.07)));
        assert_eq!(multiplier(dec!(1.5)).size(dec!(1)), Ok(dec!(1.5)));
    }

    #[test]
    fn results_are_clamped_to_the_lot_limits() {
        assert_eq!(multiplier(dec!(0.1)).size(dec!(0.01)), Ok(dec!(0.01)), "never below min_lot");
        let capped = TradeCopy { max_lot: dec!(2), ..multiplier(dec!(10)) };
        assert_eq!(capped.size(dec!(1)), Ok(dec!(2)));
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

    #[test]
    fn values_outside_the_bounds_name_their_field() {
        let ok = TradeCopy::default();
        assert_eq!(ok.validate(), Ok(()));
        let cases: Vec<(TradeCopy, &str)> = vec![
            (multiplier(dec!(79000000000000000000000000000)), "multiplier"),
            (multiplier(dec!(1000.0001)), "multiplier"),
            (TradeCopy { lot_step: dec!(0.0000000000000000000000000001), ..ok.clone() }, "lot_step"),
            (TradeCopy { lot_step: dec!(0.000000009), ..ok.clone() }, "lot_step"),
            (TradeCopy { fixed_lot: dec!(1000001), ..ok.clone() }, "fixed_lot"),
            (TradeCopy { max_lot: dec!(1000001), ..ok.clone() }, "max_lot"),
            (TradeCopy { min_lot: dec!(0), ..ok.clone() }, "min_lot"),
            (TradeCopy { max_slippage_points: Some(dec!(1000000001)), ..ok.clone() }, "max_slippage_points"),
            (TradeCopy { max_spread_points: Some(dec!(-1)), ..ok.clone() }, "max_spread_points"),
            (TradeCopy { max_exposure_lots: Some(dec!(10000000000)), ..ok.clone() }, "max_exposure_lots"),
            (TradeCopy { max_exposure_trades: Some(1_000_001), ..ok.clone() }, "max_exposure_trades"),
            (TradeCopy { max_drawdown_pct: Some(dec!(100.5)), ..ok.clone() }, "max_drawdown_pct"),
            (TradeCopy { max_signal_age_s: 0, ..ok.clone() }, "max_signal_age_s"),
            (TradeCopy { max_signal_age_s: 604_801, ..ok.clone() }, "max_signal_age_s"),
        ];
        for (copy, field) in cases {
            assert_eq!(copy.validate().unwrap_err().field, field, "{copy:?}");
        }
        let edges = TradeCopy {
            multiplier: dec!(1000),
            lot_step: dec!(0.00000001),
            min_lot: dec!(1000000),
            max_lot: dec!(1000000),
            fixed_lot: dec!(1000000),
            max_signal_age_s: 604_800,
            ..ok
        };
        assert_eq!(edges.validate(), Ok(()), "the bounds themselves are allowed");
    }

    #[test]
    fn hostile_configs_size_to_an_error_never_a_panic() {
        let huge = TradeCopy { max_lot: Decimal::MAX, ..multiplier(dec!(79000000000000000000000000000)) };
        assert!(huge.size(dec!(0.5)).is_err());
        let tiny_step =
            TradeCopy { lot_step: dec!(0.0000000000000000000000000001), max_lot: Decimal::MAX, ..multiplier(dec!(1)) };
        assert!(tiny_step.size(dec!(10)).is_err());
        let crossed = TradeCopy { min_lot: dec!(5), max_lot: dec!(1), ..multiplier(dec!(1)) };
        assert!(crossed.size(dec!(1)).is_err(), "clamp would panic on min above max");
        let bounded = TradeCopy { lot_step: dec!(0.00000001), ..multiplier(dec!(1000)) };
        assert_eq!(bounded.size(dec!(1000000000000)), Ok(dec!(100)), "the largest valid volume, clamped to max_lot");
    }
}
