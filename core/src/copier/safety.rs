//! A follower's safety rules, checked before a copied open is executed: max slippage and max
//! spread (in points of the symbol), max open trades, max open lots, max drawdown. The first rule
//! that fails names itself, so the client can log which rule refused the signal. Closes and
//! modifies are never refused: they only reduce or re-bound risk.

use rust_decimal::Decimal;

use super::{Action, TradeCopy};

/// The follower's book for the symbol at decision time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quote {
    pub bid: Decimal,
    pub ask: Decimal,
}

impl Quote {
    /// The price this side fills at: buys at the ask, sells at the bid.
    pub fn fill_price(&self, action: Action) -> Decimal {
        match action {
            Action::Buy => self.ask,
            Action::Sell => self.bid,
        }
    }
}

/// What the follower's account looks like before the new order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Exposure {
    pub open_trades: u32,
    pub open_lots: Decimal,
    /// Current equity and the highest equity seen; `None` when the executor cannot tell.
    pub equity: Option<Decimal>,
    pub peak_equity: Option<Decimal>,
}

/// One copied open: the master's price and the follower's sized volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub action: Action,
    pub master_price: Decimal,
    pub volume: Decimal,
    /// Price units per point (MetaTrader's `Point`: 0.00001 for EURUSD, 0.01 for XAUUSD).
    pub point: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    MaxSlippage,
    MaxSpread,
    MaxExposureTrades,
    MaxExposureLots,
    MaxDrawdown,
}

impl Rule {
    /// The config field that sets the rule.
    pub fn name(self) -> &'static str {
        match self {
            Self::MaxSlippage => "max_slippage_points",
            Self::MaxSpread => "max_spread_points",
            Self::MaxExposureTrades => "max_exposure_trades",
            Self::MaxExposureLots => "max_exposure_lots",
            Self::MaxDrawdown => "max_drawdown_pct",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub rule: Rule,
    /// What was measured against the limit, e.g. "spread 35 points > 20".
    pub detail: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.rule.name(), self.detail)
    }
}

fn refuse(rule: Rule, detail: String) -> Result<(), Refusal> {
    Err(Refusal { rule, detail })
}

/// Checks every configured limit in a fixed order (market conditions first, then exposure);
/// `quote` is `None` when the executor has no price source, which skips slippage and spread
/// (the client refuses a config that sets those limits without one).
pub fn check_open(
    limits: &TradeCopy,
    candidate: &Candidate,
    quote: Option<Quote>,
    exposure: &Exposure,
) -> Result<(), Refusal> {
    if let Some(quote) = quote {
        // Checked: a distance beyond a decimal's range in points is past any limit.
        let points = |distance: Option<Decimal>| {
            distance
                .and_then(|d| d.checked_div(candidate.point))
                .map(|p| p.round_dp(2).normalize())
                .unwrap_or(Decimal::MAX)
        };
        if let Some(max) = limits.max_slippage_points {
            let slippage =
                points(quote.fill_price(candidate.action).checked_sub(candidate.master_price).map(|d| d.abs()));
            if slippage > max {
                return refuse(
                    Rule::MaxSlippage,
                    format!(
                        "fill {} is {slippage} points from the master's {} (max {max})",
                        quote.fill_price(candidate.action).normalize(),
                        candidate.master_price.normalize()
                    ),
                );
            }
        }
        if let Some(max) = limits.max_spread_points {
            let spread = points(quote.ask.checked_sub(quote.bid));
            if spread > max {
                return refuse(Rule::MaxSpread, format!("spread {spread} points (max {max})"));
            }
        }
    }
    if let Some(max) = limits.max_exposure_trades {
        if exposure.open_trades >= max {
            return refuse(
                Rule::MaxExposureTrades,
                format!("{} trades already open (max {max})", exposure.open_trades),
            );
        }
    }
    if let Some(max) = limits.max_exposure_lots {
        let after = exposure.open_lots.checked_add(candidate.volume).unwrap_or(Decimal::MAX);
        if after > max {
            return refuse(
                Rule::MaxExposureLots,
                format!("{} lots open after this order (max {max})", after.normalize()),
            );
        }
    }
    if let (Some(max), Some(equity), Some(peak)) = (limits.max_drawdown_pct, exposure.equity, exposure.peak_equity) {
        if peak > Decimal::ZERO {
            let fraction = peak.checked_sub(equity).and_then(|loss| loss.checked_div(peak));
            let drawdown = fraction
                .and_then(|fraction| fraction.checked_mul(Decimal::ONE_HUNDRED))
                .map_or(Decimal::MAX, |pct| pct.round_dp(2).normalize());
            if drawdown >= max {
                return refuse(Rule::MaxDrawdown, format!("drawdown {drawdown}% from peak {peak} (max {max}%)"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn limits() -> TradeCopy {
        TradeCopy {
            max_slippage_points: Some(dec!(50)),
            max_spread_points: Some(dec!(20)),
            max_exposure_trades: Some(2),
            max_exposure_lots: Some(dec!(1)),
            max_drawdown_pct: Some(dec!(10)),
            ..TradeCopy::default()
        }
    }

    fn buy(price: Decimal) -> Candidate {
        Candidate { action: Action::Buy, master_price: price, volume: dec!(0.5), point: dec!(0.01) }
    }

    fn quote(bid: Decimal, ask: Decimal) -> Option<Quote> {
        Some(Quote { bid, ask })
    }

    fn rule(result: Result<(), Refusal>) -> Option<Rule> {
        result.err().map(|refusal| refusal.rule)
    }

    #[test]
    fn a_calm_market_and_a_flat_account_pass() {
        let ok = check_open(&limits(), &buy(dec!(100)), quote(dec!(99.95), dec!(100.05)), &Exposure::default());
        assert_eq!(ok, Ok(()));
    }

    #[test]
    fn slippage_is_measured_from_the_side_that_fills() {
        // Buy fills at the ask: 100.60 vs 100 is 60 points.
        let far = check_open(&limits(), &buy(dec!(100)), quote(dec!(100.55), dec!(100.60)), &Exposure::default());
        assert_eq!(rule(far.clone()), Some(Rule::MaxSlippage));
        assert!(far.unwrap_err().to_string().starts_with("max_slippage_points: fill 100.6 is 60 points"));
        // A sell fills at the bid 100.45: 45 points, within 50.
        let sell = Candidate { action: Action::Sell, ..buy(dec!(100)) };
        assert_eq!(check_open(&limits(), &sell, quote(dec!(100.45), dec!(100.60)), &Exposure::default()), Ok(()));
        // Exactly at the limit passes.
        assert_eq!(
            check_open(&limits(), &buy(dec!(100)), quote(dec!(100.4), dec!(100.5)), &Exposure::default()),
            Ok(())
        );
    }

    #[test]
    fn a_wide_spread_is_refused() {
        let wide = check_open(&limits(), &buy(dec!(100)), quote(dec!(99.8), dec!(100.01)), &Exposure::default());
        assert_eq!(rule(wide), Some(Rule::MaxSpread));
    }

    #[test]
    fn without_a_quote_market_rules_are_skipped() {
        assert_eq!(check_open(&limits(), &buy(dec!(100)), None, &Exposure::default()), Ok(()));
    }

    #[test]
    fn exposure_counts_trades_then_lots() {
        let two_open = Exposure { open_trades: 2, open_lots: dec!(0.2), ..Exposure::default() };
        assert_eq!(rule(check_open(&limits(), &buy(dec!(100)), None, &two_open)), Some(Rule::MaxExposureTrades));
        let heavy = Exposure { open_trades: 1, open_lots: dec!(0.6), ..Exposure::default() };
        assert_eq!(rule(check_open(&limits(), &buy(dec!(100)), None, &heavy)), Some(Rule::MaxExposureLots));
        let just = Exposure { open_trades: 1, open_lots: dec!(0.5), ..Exposure::default() };
        assert_eq!(check_open(&limits(), &buy(dec!(100)), None, &just), Ok(()));
    }

    #[test]
    fn drawdown_from_the_peak_stops_new_trades() {
        let down = |equity| Exposure { equity: Some(equity), peak_equity: Some(dec!(10000)), ..Exposure::default() };
        assert_eq!(rule(check_open(&limits(), &buy(dec!(100)), None, &down(dec!(9000)))), Some(Rule::MaxDrawdown));
        assert_eq!(check_open(&limits(), &buy(dec!(100)), None, &down(dec!(9001))), Ok(()));
        let unknown = Exposure { equity: None, ..down(dec!(1)) };
        assert_eq!(check_open(&limits(), &buy(dec!(100)), None, &unknown), Ok(()));
    }

    #[test]
    fn no_limits_means_no_refusals() {
        let heavy =
            Exposure { open_trades: 99, open_lots: dec!(99), equity: Some(dec!(1)), peak_equity: Some(dec!(100)) };
        let wild = quote(dec!(1), dec!(1000));
        assert_eq!(check_open(&TradeCopy::default(), &buy(dec!(100)), wild, &heavy), Ok(()));
    }

    #[test]
    fn extreme_values_refuse_instead_of_panicking() {
        let tiny_point = Candidate { point: dec!(0.0000000000000000000000000001), ..buy(dec!(100)) };
        let far = quote(dec!(1000), dec!(100000));
        assert_eq!(rule(check_open(&limits(), &tiny_point, far, &Exposure::default())), Some(Rule::MaxSlippage));
        let zero_point = Candidate { point: Decimal::ZERO, ..buy(dec!(100)) };
        assert_eq!(rule(check_open(&limits(), &zero_point, far, &Exposure::default())), Some(Rule::MaxSlippage));
        let full = Exposure { open_lots: Decimal::MAX, ..Exposure::default() };
        let big = Candidate { volume: Decimal::MAX, ..buy(dec!(100)) };
        assert_eq!(rule(check_open(&limits(), &big, None, &full)), Some(Rule::MaxExposureLots));
        let ruined = Exposure { equity: Some(Decimal::MIN), peak_equity: Some(Decimal::MAX), ..Exposure::default() };
        assert_eq!(rule(check_open(&limits(), &buy(dec!(100)), None, &ruined)), Some(Rule::MaxDrawdown));
    }
}
