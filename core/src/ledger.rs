//! The paper ledger: open positions, closed trades, and the wallet derived from them
//! (start capital + realised P&L - cost of open positions), freqtrade's dry-run wallet.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::exits::{ExitLevels, ExitReason};
use crate::money::{Amount, Price, Quantity};
use crate::symbol::Symbol;

/// A long position held by a bot in one symbol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// Numbers a bot's trades from 1; the Worker keys trade rows by (bot, trade id).
    pub trade_id: u64,
    pub entry_price: Price,
    pub quantity: Quantity,
    pub entry_fee: Amount,
    /// Cash the entry took: `entry_price * quantity + entry_fee`.
    pub cost: Amount,
    pub entry_time_ms: i64,
    pub exits: ExitLevels,
}

impl Position {
    /// What the position is worth at `bid`, before exit fees.
    pub fn value(&self, bid: Price) -> Amount {
        self.quantity * bid
    }
}

/// One round trip, with everything a trade row needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosedTrade {
    pub trade_id: u64,
    pub symbol: Symbol,
    pub entry_price: Price,
    pub exit_price: Price,
    pub quantity: Quantity,
    /// Entry and exit fees together.
    pub fees: Amount,
    /// Proceeds after the exit fee minus the entry cost (fees included).
    pub profit_loss: Amount,
    /// `profit_loss` as a percentage of the entry cost.
    pub profit_pct: Decimal,
    pub entry_time_ms: i64,
    pub exit_time_ms: i64,
    pub exit_reason: ExitReason,
}

impl ClosedTrade {
    /// What the price move alone made, before any fee.
    pub fn gross_profit_loss(&self) -> Amount {
        (self.exit_price - self.entry_price) * self.quantity
    }
}

/// A bot's paper money. Cash is never stored: it is derived, so it cannot drift from trades.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Wallet {
    pub start_capital: Amount,
    /// The sum of `profit_loss` over closed trades.
    pub realised_pnl: Amount,
}

impl Wallet {
    pub fn new(start_capital: Amount) -> Self {
        Self { start_capital, realised_pnl: Decimal::ZERO }
    }

    /// Rebuilds the wallet from stored trade rows (for reconciliation against the state).
    pub fn from_ledger<'a>(start_capital: Amount, closed: impl IntoIterator<Item = &'a ClosedTrade>) -> Self {
        let realised_pnl = closed.into_iter().map(|trade| trade.profit_loss).sum();
        Self { start_capital, realised_pnl }
    }

    /// Cash free to spend while positions costing `open_cost` in total are held.
    pub fn cash(&self, open_cost: Amount) -> Amount {
        self.start_capital + self.realised_pnl - open_cost
    }

    pub fn record(&mut self, trade: &ClosedTrade) {
        self.realised_pnl += trade.profit_loss;
    }
}

#[cfg(test)]
impl ClosedTrade {
    /// One unit of BTC/USDT bought and sold at 1, closed for `reason` with `profit_loss`.
    pub(crate) fn sample(profit_loss: Decimal, reason: ExitReason) -> Self {
        ClosedTrade {
            trade_id: 1,
            symbol: "BTC/USDT".parse().unwrap(),
            entry_price: Decimal::ONE,
            exit_price: Decimal::ONE,
            quantity: Decimal::ONE,
            fees: Decimal::ZERO,
            profit_loss,
            profit_pct: Decimal::ZERO,
            entry_time_ms: 0,
            exit_time_ms: 1,
            exit_reason: reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cash_is_capital_plus_realised_minus_open_cost() {
        let trade = |pnl: i64| ClosedTrade::sample(Decimal::from(pnl), ExitReason::Signal);
        let trades = [trade(15), trade(-5)];
        let wallet = Wallet::from_ledger(Decimal::from(100), &trades);
        assert_eq!(wallet.cash(Decimal::from(30)), Decimal::from(80));
        let mut live = Wallet::new(Decimal::from(100));
        trades.iter().for_each(|t| live.record(t));
        assert_eq!(live, wallet);
    }
}
