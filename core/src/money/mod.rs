//! Numbers of money: prices, quantities and one bot's amounts are `rust_decimal::Decimal`;
//! an amount that may meet another currency is a [`Money`] (it carries its currency, so a
//! mixed sum is an `Err`); currencies meet only through a [`Rate`]. The only bridge to f64
//! (for indicator maths) is [`to_f64`].

mod cash;
mod rate;

pub use cash::{Currency, Money, MoneyError, LEDGER_DP};
pub use rate::{Converted, Converter, Rate, RateSource, USD_PEGGED};

use rust_decimal::Decimal;

/// A price in quote currency per unit of base asset.
pub type Price = Decimal;
/// An amount of base asset.
pub type Quantity = Decimal;
/// An amount of quote currency (cash, fees, profit and loss).
pub type Amount = Decimal;

/// Exact powers of ten as f64 up to 10^22, the largest one f64 represents exactly.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// Converts a decimal to the nearest f64 for indicator maths. Correctly rounded whenever the
/// mantissa fits in 53 bits and the scale is at most 22 (every price a market quotes).
pub fn to_f64(value: Decimal) -> f64 {
    let mantissa = value.mantissa();
    let scale = value.scale() as usize;
    if scale < POW10.len() && mantissa.unsigned_abs() < (1u128 << 53) {
        // Through i64: i128-to-f64 is a slow library call, and the value fits exactly.
        (mantissa as i64) as f64 / POW10[scale]
    } else {
        rust_decimal::prelude::ToPrimitive::to_f64(&value).unwrap_or(f64::NAN)
    }
}

/// A percentage written by a person (`1.5` for 1.5 %) as a fraction (`0.015`).
pub fn percent(value: Decimal) -> Decimal {
    value / Decimal::ONE_HUNDRED
}

/// The largest multiple of `step` not above `quantity`; `quantity` itself when `step` is not
/// positive. `None` when the number of steps is beyond a decimal's range (a step far too small
/// for the quantity): never a panic, so a hostile step cannot stop the caller.
pub fn checked_floor_to_step(quantity: Quantity, step: Quantity) -> Option<Quantity> {
    if step <= Decimal::ZERO {
        return Some(quantity);
    }
    let floored = quantity.checked_div(step)?.floor().checked_mul(step)?;
    // A quotient rounded up to a whole number at 28 digits would floor one step too high.
    if floored > quantity {
        floored.checked_sub(step)
    } else {
        Some(floored)
    }
}

/// [`checked_floor_to_step`] for a venue's lot step; when the number of steps is beyond a
/// decimal's range, `quantity` itself (less than one step from the exact answer, never above it).
pub fn floor_to_step(quantity: Quantity, step: Quantity) -> Quantity {
    checked_floor_to_step(quantity, step).unwrap_or(quantity)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn converts_prices_to_the_nearest_f64() {
        for text in ["7003.62", "0.1", "-12.5", "19999.99", "0.00000001", "123456789.123456"] {
            assert_eq!(to_f64(dec(text)), text.parse::<f64>().unwrap(), "{text}");
        }
        let huge = dec("79228162514264337593543950335");
        assert_eq!(to_f64(huge), 7.922816251426434e28);
    }

    #[test]
    fn floors_quantities_to_the_lot_step() {
        assert_eq!(floor_to_step(dec("0.123456"), dec("0.001")), dec("0.123"));
        assert_eq!(floor_to_step(dec("5"), dec("2")), dec("4"));
        assert_eq!(floor_to_step(dec("0.0009"), dec("0.001")), Decimal::ZERO);
        assert_eq!(floor_to_step(dec("1.25"), Decimal::ZERO), dec("1.25"));
    }

    #[test]
    fn steps_beyond_a_decimals_range_are_an_answer_not_a_panic() {
        let huge = dec("79228162514264337593543950335");
        let tiny = dec("0.0000000000000000000000000001");
        assert_eq!(checked_floor_to_step(huge, tiny), None, "the number of steps overflows");
        assert_eq!(checked_floor_to_step(dec("8"), tiny), None);
        assert_eq!(floor_to_step(huge, tiny), huge, "the unchecked form keeps the quantity");
        assert_eq!(checked_floor_to_step(huge, dec("1")), Some(huge));
        assert_eq!(checked_floor_to_step(dec("0.3"), dec("0.1")), Some(dec("0.3")));
        for (quantity, step) in [("1", "0.3333333333333333333333333333"), ("2", "0.0000000000000000000000000003")] {
            let floored = checked_floor_to_step(dec(quantity), dec(step)).unwrap();
            assert!(floored <= dec(quantity), "{quantity} / {step}: {floored} is above the quantity");
        }
    }

    #[test]
    fn percentages_become_fractions() {
        assert_eq!(percent(dec("1.5")), dec("0.015"));
    }
}
