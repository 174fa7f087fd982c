//! `paper`: a local simulated account in `paper_account.json`, priced from an exchange's book
//! ticker with honest fills (buys at the ask, sells at the bid, a taker fee on every fill).
//! Positions are margin-style (long or short, P&L in the quote currency times `contract_size`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use auronex_core::copier::safety::Quote;
use auronex_core::copier::Action;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::book_ticker::BookTickerSource;
use super::{ExecError, Executor, Fill, Levels, OpenOrder};
use crate::copier::config::{Market, PaperConfig};
use crate::copier::store;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Position {
    master_ticket: String,
    symbol: String,
    action: Action,
    volume: Decimal,
    open_price: Decimal,
    sl: Option<Decimal>,
    tp: Option<Decimal>,
    magic: Option<i64>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Account {
    balance: Decimal,
    next_ticket: u64,
    positions: BTreeMap<String, Position>,
    /// Every order ever filled, by order id: a repeated id gets this fill back.
    fills: BTreeMap<String, Fill>,
    /// Applied SL/TP changes, by order id.
    modifies: BTreeMap<String, (Option<Decimal>, Option<Decimal>)>,
}

pub struct Paper {
    path: PathBuf,
    account: Account,
    fee_rate: Decimal,
    contract_size: Decimal,
    source: BookTickerSource,
    market: Market,
}

impl Paper {
    pub fn open(config: &PaperConfig, market: &Market) -> Result<Self, String> {
        let mut account: Account = store::load(&config.account_file)?;
        if account.next_ticket == 0 {
            account.balance = config.balance;
            account.next_ticket = 1;
            store::save(&config.account_file, &account)?;
        }
        Ok(Self {
            path: config.account_file.clone(),
            account,
            fee_rate: config.fee_rate,
            contract_size: config.contract_size,
            source: BookTickerSource::new(&config.base_url),
            market: market.clone(),
        })
    }

    fn save(&self) -> Result<(), ExecError> {
        store::save(&self.path, &self.account).map_err(ExecError::Unavailable)
    }

    fn book(&self, symbol: &str) -> Result<Quote, ExecError> {
        self.source.quote(&self.market.exchange_symbol(symbol))
    }

    fn fee(&self, price: Decimal, volume: Decimal) -> Decimal {
        (price * volume * self.contract_size * self.fee_rate).round_dp(8)
    }

    /// Profit of closing `volume` of `position` at `exit`.
    fn profit(&self, position: &Position, exit: Decimal, volume: Decimal) -> Decimal {
        let per_unit = match position.action {
            Action::Buy => exit - position.open_price,
            Action::Sell => position.open_price - exit,
        };
        per_unit * volume * self.contract_size
    }
}

fn opposite(action: Action) -> Action {
    match action {
        Action::Buy => Action::Sell,
        Action::Sell => Action::Buy,
    }
}

impl Executor for Paper {
    fn quote(&mut self, symbol: &str) -> Result<Option<Quote>, ExecError> {
        self.book(symbol).map(Some)
    }

    fn filled(&mut self, id: &str) -> Result<Option<Fill>, ExecError> {
        Ok(self.account.fills.get(id).cloned())
    }

    fn open(&mut self, order: &OpenOrder) -> Result<Fill, ExecError> {
        if let Some(fill) = self.account.fills.get(&order.id) {
            return Ok(fill.clone());
        }
        let price = self.book(&order.symbol)?.fill_price(order.action);
        let fee = self.fee(price, order.volume);
        let client_ticket = format!("P{}", self.account.next_ticket);
        self.account.next_ticket += 1;
        self.account.balance -= fee;
        let position = Position {
            master_ticket: order.master_ticket.clone(),
            symbol: order.symbol.clone(),
            action: order.action,
            volume: order.volume,
            open_price: price,
            sl: order.sl,
            tp: order.tp,
            magic: order.magic,
        };
        self.account.positions.insert(client_ticket.clone(), position);
        let fill = Fill { client_ticket, price, volume: order.volume, fee };
        self.account.fills.insert(order.id.clone(), fill.clone());
        self.save()?;
        Ok(fill)
    }

    fn close(&mut self, id: &str, client_ticket: &str, volume: Decimal) -> Result<Fill, ExecError> {
        if let Some(fill) = self.account.fills.get(id) {
            return Ok(fill.clone());
        }
        let position = self
            .account
            .positions
            .get(client_ticket)
            .cloned()
            .ok_or_else(|| ExecError::Rejected(format!("no open position {client_ticket}")))?;
        let price = self.book(&position.symbol)?.fill_price(opposite(position.action));
        let volume = volume.min(position.volume);
        let fee = self.fee(price, volume);
        self.account.balance += self.profit(&position, price, volume) - fee;
        let left = position.volume - volume;
        if left.is_zero() {
            self.account.positions.remove(client_ticket);
        } else if let Some(open) = self.account.positions.get_mut(client_ticket) {
            open.volume = left;
        }
        let fill = Fill { client_ticket: client_ticket.to_string(), price, volume, fee };
        self.account.fills.insert(id.to_string(), fill.clone());
        self.save()?;
        Ok(fill)
    }

    fn modify(&mut self, id: &str, client_ticket: &str, Levels { sl, tp }: Levels) -> Result<(), ExecError> {
        if self.account.modifies.contains_key(id) {
            return Ok(());
        }
        let position = self
            .account
            .positions
            .get_mut(client_ticket)
            .ok_or_else(|| ExecError::Rejected(format!("no open position {client_ticket}")))?;
        position.sl = sl.or(position.sl);
        position.tp = tp.or(position.tp);
        self.account.modifies.insert(id.to_string(), (sl, tp));
        self.save()
    }

    fn equity(&mut self) -> Result<Option<Decimal>, ExecError> {
        let mut equity = self.account.balance;
        for position in self.account.positions.values() {
            let exit = self.book(&position.symbol)?.fill_price(opposite(position.action));
            equity += self.profit(position, exit, position.volume);
        }
        Ok(Some(equity))
    }

    fn describe(&self) -> String {
        format!("paper account {} (balance {})", self.path.display(), self.account.balance.normalize())
    }
}
