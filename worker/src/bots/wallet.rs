//! The paper wallet per user and quote currency, derived (never stored) from the ledger's
//! totals and the bots: start balance (`starts`) + realised P&L. Capital reserved by running
//! bots is not available, nor is cash held in open positions of bots that are not running.
//! Every sum is of [`Money`] in the wallet's own currency.

use std::collections::BTreeMap;

use auronex_core::money::{Currency, Money, MoneyError};
use rust_decimal::Decimal;
use serde::Serialize;

use worker::D1Database;

use super::starts::{self, Starts};
use super::totals::{self, OpenCost, Totals};
use super::{repo, BotRow};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Wallet {
    pub currency: String,
    #[serde(with = "auronex_core::num")]
    pub start_balance: Decimal,
    #[serde(with = "auronex_core::num")]
    pub realised_pnl: Decimal,
    /// Start balance plus realised P&L.
    #[serde(with = "auronex_core::num")]
    pub total: Decimal,
    /// Capital of running bots (their open positions included).
    #[serde(with = "auronex_core::num")]
    pub allocated: Decimal,
    /// Cost of open positions.
    #[serde(with = "auronex_core::num")]
    pub in_positions: Decimal,
    /// What a new or restarted bot may take.
    #[serde(with = "auronex_core::num")]
    pub available: Decimal,
}

/// One currency's wallet while it is being added up.
struct Books {
    start: Money,
    realised: Money,
    allocated: Money,
    in_positions: Money,
    held_by_stopped: Money,
}

impl Books {
    fn new(currency: &Currency, starts: &Starts) -> Self {
        let zero = Money::zero(currency.clone());
        let start = Money::new(starts.get(currency.as_str()).copied().unwrap_or(Decimal::ZERO), currency.clone());
        Self {
            start,
            realised: zero.clone(),
            allocated: zero.clone(),
            in_positions: zero.clone(),
            held_by_stopped: zero,
        }
    }

    fn wallet(self) -> Result<Wallet, MoneyError> {
        let total = self.start.checked_add(&self.realised)?;
        let free = total.checked_sub(&self.allocated)?.checked_sub(&self.held_by_stopped)?;
        Ok(Wallet {
            currency: total.currency().to_string(),
            start_balance: self.start.amount(),
            realised_pnl: self.realised.amount(),
            total: total.amount(),
            allocated: self.allocated.amount(),
            in_positions: self.in_positions.amount(),
            available: free.amount().max(Decimal::ZERO),
        })
    }
}

/// One wallet per currency the user has a trade or a bot in, and USDT and BRL always.
/// `except_bot`'s own reservation is left out (the balance check of its edit or restart).
pub fn wallets(
    totals: &[Totals],
    open: &[OpenCost],
    bots: &[BotRow],
    starts: &Starts,
    except_bot: Option<&str>,
) -> Result<Vec<Wallet>, MoneyError> {
    let mut books: BTreeMap<Currency, Books> = BTreeMap::new();
    fn entry<'m>(books: &'m mut BTreeMap<Currency, Books>, starts: &Starts, currency: &Currency) -> &'m mut Books {
        books.entry(currency.clone()).or_insert_with(|| Books::new(currency, starts))
    }
    for code in ["USDT", "BRL"] {
        entry(&mut books, starts, &code.parse()?);
    }
    for total in totals {
        let wallet = entry(&mut books, starts, &total.currency);
        wallet.realised = wallet.realised.checked_add(&total.realised)?;
        wallet.in_positions = wallet.in_positions.checked_add(&total.open_cost)?;
    }
    for cost in open.iter().filter(|cost| !cost.bot_running) {
        let wallet = entry(&mut books, starts, cost.cost.currency());
        wallet.held_by_stopped = wallet.held_by_stopped.checked_add(&cost.cost)?;
    }
    for bot in bots.iter().filter(|bot| bot.is_active() && Some(bot.id.as_str()) != except_bot) {
        let capital = Money::new(bot.capital(), bot.quote_currency.parse()?);
        let wallet = entry(&mut books, starts, capital.currency());
        wallet.allocated = wallet.allocated.checked_add(&capital)?;
    }
    books.into_values().map(Books::wallet).collect()
}

/// The user's wallets as stored now (totals, open positions, bots, start balances).
pub async fn load(db: &D1Database, user_id: &str, except_bot: Option<&str>) -> worker::Result<Vec<Wallet>> {
    let totals = totals::load(db, user_id, None).await?;
    let open = totals::open_costs(db, user_id).await?;
    let bots = repo::list(db, user_id).await?;
    let starts = starts::load(db, user_id).await?;
    wallets(&totals, &open, &bots, &starts, except_bot).map_err(|e| worker::Error::RustError(e.to_string()))
}

/// What is available in `currency` (zero for a currency the user has nothing in).
pub fn available(wallets: &[Wallet], currency: &str) -> Decimal {
    wallets.iter().find(|wallet| wallet.currency == currency).map(|wallet| wallet.available).unwrap_or(Decimal::ZERO)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn money(text: &str, currency: &str) -> Money {
        Money::new(text.parse().unwrap(), currency.parse().unwrap())
    }

    /// A currency's totals with only realised P&L and open cost set.
    pub fn totals(currency: &str, realised: &str, open_cost: &str) -> Totals {
        let zero = money("0", currency);
        Totals {
            currency: currency.parse().unwrap(),
            trades: 0,
            open_trades: 0,
            closed_trades: 0,
            wins: 0,
            losses: 0,
            open_cost: money(open_cost, currency),
            gross_profit: zero.clone(),
            gross_loss: zero.clone(),
            fees: zero.clone(),
            realised: money(realised, currency),
            max_drawdown: zero,
        }
    }

    pub fn bot(id: &str, currency: &str, capital: &str, active: bool) -> BotRow {
        BotRow {
            id: id.into(),
            user_id: "u".into(),
            name: "bot".into(),
            exchange: "binance".into(),
            symbols: "[]".into(),
            quote_currency: currency.into(),
            capital: capital.into(),
            strategy: "rsi".into(),
            params: "{}".into(),
            analysis_interval: 60,
            is_testnet: 0,
            is_active: active.into(),
            config: "{}".into(),
            state: None,
            version: 0,
            last_run_ms: 0,
            last_trade_no: 0,
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    fn starts() -> Starts {
        [("USDT", 1_000), ("BRL", 5_000)].map(|(c, a)| (c.to_string(), Decimal::from(a))).into()
    }

    #[test]
    fn the_wallet_is_start_plus_realised_minus_running_capital() {
        let totals = [totals("USDT", "10", "40")];
        let bots = [bot("a", "USDT", "300", true), bot("b", "USDT", "900", false), bot("c", "BRL", "50", true)];
        let open = [OpenCost { exchange: "binance".into(), bot_running: true, cost: money("40", "USDT") }];
        let all = wallets(&totals, &open, &bots, &starts(), None).unwrap();
        let usdt = all.iter().find(|w| w.currency == "USDT").unwrap();
        assert_eq!(usdt.total, Decimal::from(1_010));
        assert_eq!(usdt.allocated, Decimal::from(300));
        assert_eq!(usdt.in_positions, Decimal::from(40));
        assert_eq!(usdt.available, Decimal::from(710));
        assert_eq!(available(&all, "BRL"), Decimal::from(4_950));
        let except_a = wallets(&totals, &open, &bots, &starts(), Some("a")).unwrap();
        assert_eq!(available(&except_a, "USDT"), Decimal::from(1_010));
        assert_eq!(available(&all, "XYZ"), Decimal::ZERO);
        let eur: Starts = [("EUR".to_string(), Decimal::from(70))].into();
        let currencies: Vec<String> =
            wallets(&[], &[], &[], &eur, None).unwrap().into_iter().map(|w| w.currency).collect();
        assert_eq!(currencies, ["BRL", "USDT"], "USDT and BRL always, others once used");
        let eur_bot = [bot("e", "EUR", "20", true)];
        assert_eq!(available(&wallets(&[], &[], &eur_bot, &eur, None).unwrap(), "EUR"), Decimal::from(50));
    }

    #[test]
    fn a_stopped_bots_open_position_still_holds_its_cash() {
        // The reported bug: after a downgrade stopped a bot with an open position, its capital
        // could be allocated twice.
        let totals = [totals("USDT", "0", "600")];
        let stopped = [bot("a", "USDT", "600", false)];
        let open = [OpenCost { exchange: "binance".into(), bot_running: false, cost: money("600", "USDT") }];
        let all = wallets(&totals, &open, &stopped, &starts(), None).unwrap();
        assert_eq!(available(&all, "USDT"), Decimal::from(400));
        let running = [bot("a", "USDT", "600", true)];
        let open = [OpenCost { bot_running: true, ..open[0].clone() }];
        let all = wallets(&totals, &open, &running, &starts(), None).unwrap();
        assert_eq!(available(&all, "USDT"), Decimal::from(400), "its capital covers it once, not twice");
    }

    #[test]
    fn each_currency_keeps_its_own_books() {
        let totals = [totals("USDT", "0.027", "0"), totals("BRL", "12.47", "0")];
        let all = wallets(&totals, &[], &[], &starts(), None).unwrap();
        let total = |c: &str| all.iter().find(|w| w.currency == c).unwrap().total;
        assert_eq!((total("USDT"), total("BRL")), ("1000.027".parse().unwrap(), "5012.47".parse().unwrap()));
    }
}
