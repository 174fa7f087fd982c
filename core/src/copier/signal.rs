//! A master's order as a signal: symbol, side, volume, price and optional SL/TP, validated so a
//! follower never receives a stop on the wrong side of the price or a zero volume.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Action {
    #[serde(rename = "BUY")]
    Buy,
    #[serde(rename = "SELL")]
    Sell,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Buy => "BUY",
            Self::Sell => "SELL",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenSignal {
    pub ticket: String,
    pub symbol: String,
    pub action: Action,
    #[serde(with = "crate::num")]
    pub volume: Decimal,
    #[serde(with = "crate::num")]
    pub price: Decimal,
    #[serde(with = "crate::num::option", default)]
    pub sl: Option<Decimal>,
    #[serde(with = "crate::num::option", default)]
    pub tp: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SignalError {
    pub field: &'static str,
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> SignalError {
    SignalError { field, message: message.into() }
}

/// Tickets are the master platform's order ids (`123456`, `ORD-9`, `a1b2:3`): 1 to 64 letters,
/// digits or `. _ - : #`. Nothing that could be markup or quoting travels to followers.
pub fn validate_ticket(ticket: &str) -> Result<(), SignalError> {
    let ok =
        (1..=64).contains(&ticket.len()) && ticket.chars().all(|c| c.is_ascii_alphanumeric() || "._-:#".contains(c));
    ok.then_some(()).ok_or_else(|| invalid("ticket", "ticket must be 1 to 64 letters, digits or . _ - : #"))
}

/// Broker symbols such as `EURUSD`, `XAUUSD.m` or `BTC/USDT`.
pub fn validate_symbol(symbol: &str) -> Result<(), SignalError> {
    let ok = (1..=32).contains(&symbol.len())
        && symbol.chars().all(|c| c.is_ascii_alphanumeric() || "._-/#".contains(c))
        && symbol.chars().any(|c| c.is_ascii_alphanumeric());
    ok.then_some(()).ok_or_else(|| invalid("symbol", "symbol must be 1 to 32 letters, digits or . _ - / #"))
}

/// The largest volume a signal may carry (10^12 units): with any `trade_copy` within its
/// bounds, sizing it stays inside a decimal's range.
pub const MAX_VOLUME: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0);

pub fn validate_volume(field: &'static str, volume: Decimal) -> Result<(), SignalError> {
    (volume > Decimal::ZERO && volume <= MAX_VOLUME)
        .then_some(())
        .ok_or_else(|| invalid(field, format!("{field} must be above 0 and at most 1000000000000")))
}

/// Stops on the losing side of the entry, targets on the winning side.
pub fn validate_levels(
    action: Action,
    price: Decimal,
    sl: Option<Decimal>,
    tp: Option<Decimal>,
) -> Result<(), SignalError> {
    for (field, level) in [("sl", sl), ("tp", tp)] {
        if level.is_some_and(|level| level <= Decimal::ZERO) {
            return Err(invalid(field, format!("{field} must be positive")));
        }
    }
    let (sl_ok, tp_ok) = match action {
        Action::Buy => (sl.is_none_or(|sl| sl < price), tp.is_none_or(|tp| tp > price)),
        Action::Sell => (sl.is_none_or(|sl| sl > price), tp.is_none_or(|tp| tp < price)),
    };
    if !sl_ok {
        let side = if action == Action::Buy { "below" } else { "above" };
        return Err(invalid("sl", format!("sl must be {side} the price for a {}", action.as_str())));
    }
    if !tp_ok {
        let side = if action == Action::Buy { "above" } else { "below" };
        return Err(invalid("tp", format!("tp must be {side} the price for a {}", action.as_str())));
    }
    Ok(())
}

impl OpenSignal {
    pub fn validate(&self) -> Result<(), SignalError> {
        validate_ticket(&self.ticket)?;
        validate_symbol(&self.symbol)?;
        validate_volume("volume", self.volume)?;
        if self.price <= Decimal::ZERO {
            return Err(invalid("price", "price must be positive"));
        }
        validate_levels(self.action, self.price, self.sl, self.tp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn buy() -> OpenSignal {
        OpenSignal {
            ticket: "1001".into(),
            symbol: "EURUSD".into(),
            action: Action::Buy,
            volume: dec!(0.10),
            price: dec!(1.0850),
            sl: Some(dec!(1.0800)),
            tp: Some(dec!(1.0950)),
        }
    }

    #[test]
    fn a_sane_buy_and_its_mirror_sell_pass() {
        assert_eq!(buy().validate(), Ok(()));
        let sell = OpenSignal { action: Action::Sell, sl: Some(dec!(1.09)), tp: Some(dec!(1.08)), ..buy() };
        assert_eq!(sell.validate(), Ok(()));
    }

    #[test]
    fn levels_on_the_wrong_side_name_the_field() {
        let wrong_sl = OpenSignal { sl: Some(dec!(1.09)), ..buy() };
        assert_eq!(wrong_sl.validate().unwrap_err().field, "sl");
        let wrong_tp = OpenSignal { tp: Some(dec!(1.08)), ..buy() };
        assert_eq!(wrong_tp.validate().unwrap_err().field, "tp");
        let sell_wrong = OpenSignal { action: Action::Sell, ..buy() };
        assert_eq!(sell_wrong.validate().unwrap_err().field, "sl");
        let at_price = OpenSignal { sl: Some(dec!(1.0850)), ..buy() };
        assert_eq!(at_price.validate().unwrap_err().field, "sl");
    }

    #[test]
    fn volume_price_symbol_and_ticket_are_checked() {
        assert_eq!(OpenSignal { volume: dec!(0), ..buy() }.validate().unwrap_err().field, "volume");
        assert_eq!(OpenSignal { volume: dec!(-1), ..buy() }.validate().unwrap_err().field, "volume");
        assert_eq!(MAX_VOLUME, dec!(1000000000000));
        assert!(OpenSignal { volume: MAX_VOLUME, ..buy() }.validate().is_ok());
        assert_eq!(OpenSignal { volume: dec!(1000000000000.1), ..buy() }.validate().unwrap_err().field, "volume");
        assert_eq!(OpenSignal { price: dec!(0), sl: None, tp: None, ..buy() }.validate().unwrap_err().field, "price");
        assert_eq!(OpenSignal { symbol: "EUR USD".into(), ..buy() }.validate().unwrap_err().field, "symbol");
        assert_eq!(OpenSignal { symbol: "".into(), ..buy() }.validate().unwrap_err().field, "symbol");
        assert_eq!(OpenSignal { ticket: "".into(), ..buy() }.validate().unwrap_err().field, "ticket");
        assert!(OpenSignal { symbol: "XAUUSD.m".into(), sl: None, tp: None, ..buy() }.validate().is_ok());
    }

    #[test]
    fn tickets_are_ids_never_markup_or_quotes() {
        for good in ["123456", "ORD-9", "a1b2:3", "T#1.2_x"] {
            assert!(validate_ticket(good).is_ok(), "{good}");
        }
        for bad in ["<b>1</b>", "1'--", "a\"b", "x;y", "(1)", "é1", &"9".repeat(65)] {
            assert_eq!(validate_ticket(bad).unwrap_err().field, "ticket", "{bad}");
        }
    }

    #[test]
    fn actions_are_upper_case_on_the_wire() {
        assert_eq!(serde_json::to_string(&Action::Sell).unwrap(), "\"SELL\"");
        assert!(serde_json::from_str::<Action>("\"buy\"").is_err());
    }
}
