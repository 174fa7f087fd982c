//! Paper execution: market orders fill at the ask (buy) or bid (sell), worsened by slippage,
//! pay the taker fee, are rounded down to the lot step and refused below the minimum notional.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::exits::{ExitReason, ExitRules};
use crate::ledger::{ClosedTrade, Position};
use crate::market::{Market, Quote};
use crate::money::{percent, Amount, Price};
use crate::rules::TradingRules;
use crate::symbol::Symbol;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FillModelError {
    #[error("spread must be from 0 % to 50 %")]
    Spread,
    #[error("slippage must be from 0 % to 50 %")]
    Slippage,
}

/// How paper fills differ from the mid price, as fractions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FillModel {
    /// Half the bid/ask spread assumed when only a candle is known.
    pub half_spread: Decimal,
    /// How much worse than the touch a market order fills.
    pub slippage: Decimal,
}

impl FillModel {
    pub fn from_percents(spread_pct: Decimal, slippage_pct: Decimal) -> Result<Self, FillModelError> {
        let valid = |pct: Decimal| pct >= Decimal::ZERO && pct <= Decimal::from(50);
        if !valid(spread_pct) {
            return Err(FillModelError::Spread);
        }
        if !valid(slippage_pct) {
            return Err(FillModelError::Slippage);
        }
        Ok(Self { half_spread: percent(spread_pct) / Decimal::TWO, slippage: percent(slippage_pct) })
    }

    /// The venue's quote when there is a sane one, else the candle's close widened by the spread.
    pub fn quote(&self, market: &Market) -> Option<Quote> {
        let sane = |q: &Quote| q.bid > Decimal::ZERO && q.ask >= q.bid;
        match market.quote.filter(sane) {
            Some(quote) => Some(quote),
            None => market.candle.map(|candle| Quote::around(candle.close, self.half_spread)),
        }
    }

    pub fn buy_price(&self, quote: &Quote) -> Price {
        quote.ask + quote.ask * self.slippage
    }

    pub fn sell_price(&self, quote: &Quote) -> Price {
        quote.bid - quote.bid * self.slippage
    }
}

/// Why an entry was not made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Refusal {
    #[error("order value {notional} is below the minimum {minimum}")]
    BelowMinNotional { notional: Amount, minimum: Amount },
    #[error("{budget} buys less than one lot")]
    BelowOneLot { budget: Amount },
    #[error("not enough cash: {available} available")]
    NoCash { available: Amount },
}

/// An entry order: the budget and where the exits go.
pub struct Entry<'a> {
    pub trade_id: u64,
    pub budget: Amount,
    pub available_cash: Amount,
    pub rules: &'a TradingRules,
    pub exits: &'a ExitRules,
}

/// Buys as many whole lots as `budget` pays for, fee included, at `price`.
pub fn open(entry: Entry, price: Price, now_ms: i64) -> Result<Position, Refusal> {
    let budget = entry.budget.min(entry.available_cash);
    if budget <= Decimal::ZERO {
        return Err(Refusal::NoCash { available: entry.available_cash });
    }
    let per_unit = price + entry.rules.taker_fee(price);
    let quantity = entry.rules.round_quantity(budget / per_unit);
    if quantity <= Decimal::ZERO {
        return Err(Refusal::BelowOneLot { budget });
    }
    let notional = price * quantity;
    if notional < entry.rules.min_notional {
        return Err(Refusal::BelowMinNotional { notional, minimum: entry.rules.min_notional });
    }
    let entry_fee = entry.rules.taker_fee(notional);
    let cost = notional + entry_fee;
    if cost > entry.available_cash {
        return Err(Refusal::NoCash { available: entry.available_cash });
    }
    Ok(Position {
        trade_id: entry.trade_id,
        entry_price: price,
        quantity,
        entry_fee,
        cost,
        entry_time_ms: now_ms,
        exits: entry.exits.levels(price, now_ms),
    })
}

/// Sells the whole position at `price`, paying the taker fee.
pub fn close(
    position: &Position,
    symbol: &Symbol,
    rules: &TradingRules,
    price: Price,
    now_ms: i64,
    reason: ExitReason,
) -> ClosedTrade {
    let proceeds = price * position.quantity;
    let exit_fee = rules.taker_fee(proceeds);
    let profit_loss = proceeds - exit_fee - position.cost;
    ClosedTrade {
        trade_id: position.trade_id,
        symbol: symbol.clone(),
        entry_price: position.entry_price,
        exit_price: price,
        quantity: position.quantity,
        fees: position.entry_fee + exit_fee,
        profit_loss,
        profit_pct: (profit_loss / position.cost * Decimal::ONE_HUNDRED).round_dp(4),
        entry_time_ms: position.entry_time_ms,
        exit_time_ms: now_ms,
        exit_reason: reason,
    }
}

/// Sells `share_pct` percent of the position (rounded down to the lot step) at `price` as
/// trade `part_id`, keeping the rest open under its own id; the entry fee divides by quantity
/// and the two parts' costs add up to the whole's exactly. `None` when either part would be
/// empty or under the minimum notional: the position is then kept whole.
pub fn split(
    position: &Position,
    symbol: &Symbol,
    rules: &TradingRules,
    share_pct: Decimal,
    price: Price,
    now_ms: i64,
    part_id: u64,
) -> Option<(ClosedTrade, Position)> {
    let sold = rules.round_quantity(position.quantity * percent(share_pct));
    let kept = position.quantity - sold;
    let large_enough = |quantity: Decimal| quantity > Decimal::ZERO && quantity * price >= rules.min_notional;
    if !large_enough(sold) || !large_enough(kept) {
        return None;
    }
    let part_fee = (position.entry_fee * sold / position.quantity).round_dp(12);
    let part = Position {
        trade_id: part_id,
        quantity: sold,
        entry_fee: part_fee,
        cost: position.entry_price * sold + part_fee,
        ..*position
    };
    let rest = Position {
        quantity: kept,
        entry_fee: position.entry_fee - part_fee,
        cost: position.cost - part.cost,
        ..*position
    };
    Some((close(&part, symbol, rules, price, now_ms, ExitReason::PartialTakeProfit), rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> TradingRules {
        TradingRules {
            maker_fee_rate: Decimal::ZERO,
            taker_fee_rate: Decimal::new(1, 2),
            lot_step: Decimal::new(1, 1),
            min_notional: Decimal::from(10),
        }
    }

    fn entry<'a>(budget: i64, rules: &'a TradingRules, exits: &'a ExitRules) -> Entry<'a> {
        Entry { trade_id: 7, budget: Decimal::from(budget), available_cash: Decimal::from(1000), rules, exits }
    }

    #[test]
    fn fills_cross_the_spread_and_slip() {
        let model = FillModel::from_percents(Decimal::from(2), Decimal::ONE).unwrap();
        let quote = Quote::around(Decimal::from(100), model.half_spread);
        assert_eq!(model.buy_price(&quote), Decimal::new(10201, 2));
        assert_eq!(model.sell_price(&quote), Decimal::new(9801, 2));
        assert!(FillModel::from_percents(Decimal::from(51), Decimal::ZERO).is_err());
    }

    #[test]
    fn buys_whole_lots_fee_included_and_refuses_small_orders() {
        let (rules, exits) = (rules(), ExitRules::default());
        // 101 / (10 * 1.01) = 10 lots of 0.1 exactly... and 100 buys 9.9.
        let position = open(entry(100, &rules, &exits), Decimal::from(10), 5).unwrap();
        assert_eq!(position.quantity, Decimal::new(99, 1));
        assert_eq!(position.cost, Decimal::new(9999, 2));
        let small = open(entry(9, &rules, &exits), Decimal::from(10), 5);
        assert!(matches!(small, Err(Refusal::BelowMinNotional { .. })));
        let tiny = open(entry(1, &rules, &exits), Decimal::from(100), 5);
        assert!(matches!(tiny, Err(Refusal::BelowOneLot { .. })));
    }

    #[test]
    fn closing_pays_the_exit_fee_out_of_the_profit() {
        let (rules, exits) = (rules(), ExitRules::default());
        let position = open(entry(100, &rules, &exits), Decimal::from(10), 5).unwrap();
        let symbol: Symbol = "ETH/USDT".parse().unwrap();
        let trade = close(&position, &symbol, &rules, Decimal::from(11), 9, ExitReason::Signal);
        // Proceeds 108.9, exit fee 1.089, cost 99.99.
        assert_eq!(trade.profit_loss, Decimal::new(7821, 3));
        assert_eq!(trade.fees, Decimal::new(1089 + 990, 3));
        assert_eq!(trade.gross_profit_loss() - trade.fees, trade.profit_loss);
    }

    #[test]
    fn a_split_sells_a_share_and_the_two_parts_add_up_to_the_whole() {
        let (rules, exits) = (rules(), ExitRules::default());
        let position = open(entry(100, &rules, &exits), Decimal::from(10), 5).unwrap();
        let symbol: Symbol = "ETH/USDT".parse().unwrap();
        // 9.9 lots: 40 % is 3.96, rounded down to 3.9; 6.0 stay.
        let (part, rest) = split(&position, &symbol, &rules, Decimal::from(40), Decimal::from(11), 9, 8).unwrap();
        assert_eq!(
            (part.trade_id, part.quantity, rest.trade_id, rest.quantity),
            (8, Decimal::new(39, 1), 7, Decimal::from(6))
        );
        assert_eq!(part.exit_reason, ExitReason::PartialTakeProfit);
        assert_eq!((part.entry_time_ms, part.exit_time_ms, rest.entry_time_ms), (5, 9, 5));
        let part_cost =
            part.entry_price * part.quantity + (part.fees - rules.taker_fee(Decimal::from(11) * part.quantity));
        assert_eq!(part_cost + rest.cost, position.cost);
        assert_eq!(rest.entry_fee, rules.taker_fee(Decimal::from(60)));
        // Selling the rest afterwards makes the same profit as selling the whole at once.
        let whole = close(&position, &symbol, &rules, Decimal::from(11), 9, ExitReason::Signal);
        let rest_closed = close(&rest, &symbol, &rules, Decimal::from(11), 9, ExitReason::Signal);
        assert_eq!(part.profit_loss + rest_closed.profit_loss, whole.profit_loss);
        // A part under the minimum notional (or no lot at all) keeps the position whole.
        assert!(split(&position, &symbol, &rules, Decimal::from(5), Decimal::from(11), 9, 8).is_none());
        assert!(split(&position, &symbol, &rules, Decimal::from(99), Decimal::from(11), 9, 8).is_none());
    }
}
