//! The paper wallet per user and quote currency, derived (never stored) from the trade ledger
//! and the bots: start balance (`starts`) + realised P&L; capital reserved by running bots is
//! not available.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use super::ledger::{dec, TradeRow};
use super::starts::Starts;
use super::BotRow;

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

/// One wallet per currency the user has a trade or a bot in, and USDT and BRL always.
pub fn wallets(trades: &[TradeRow], bots: &[BotRow], starts: &Starts, except_bot: Option<&str>) -> Vec<Wallet> {
    let mut by_currency: BTreeMap<String, Wallet> = BTreeMap::new();
    fn entry<'m>(by_currency: &'m mut BTreeMap<String, Wallet>, starts: &Starts, currency: &str) -> &'m mut Wallet {
        by_currency.entry(currency.to_string()).or_insert_with(|| {
            let start = starts.get(currency).copied().unwrap_or(Decimal::ZERO);
            Wallet {
                currency: currency.to_string(),
                start_balance: start,
                realised_pnl: Decimal::ZERO,
                total: start,
                allocated: Decimal::ZERO,
                in_positions: Decimal::ZERO,
                available: start,
            }
        })
    }
    for currency in ["USDT", "BRL"] {
        entry(&mut by_currency, starts, currency);
    }
    for trade in trades {
        let wallet = entry(&mut by_currency, starts, &trade.quote_currency);
        if trade.is_open() {
            wallet.in_positions += dec(&trade.cost);
        } else {
            wallet.realised_pnl += trade.pnl();
        }
    }
    for bot in bots.iter().filter(|bot| bot.is_active() && Some(bot.id.as_str()) != except_bot) {
        entry(&mut by_currency, starts, &bot.quote_currency).allocated += bot.capital();
    }
    by_currency
        .into_values()
        .map(|mut wallet| {
            wallet.total = wallet.start_balance + wallet.realised_pnl;
            wallet.available = (wallet.total - wallet.allocated).max(Decimal::ZERO);
            wallet
        })
        .collect()
}

pub fn available(
    trades: &[TradeRow],
    bots: &[BotRow],
    starts: &Starts,
    currency: &str,
    except_bot: Option<&str>,
) -> Decimal {
    wallets(trades, bots, starts, except_bot)
        .into_iter()
        .find(|wallet| wallet.currency == currency)
        .map(|wallet| wallet.available)
        .unwrap_or(Decimal::ZERO)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn trade(currency: &str, status: &str, cost: &str, pnl: Option<&str>) -> TradeRow {
        TradeRow {
            id: "b:1".into(),
            bot_id: "b".into(),
            exchange: "binance".into(),
            symbol: format!("X/{currency}"),
            quote_currency: currency.into(),
            side: "buy".into(),
            status: status.into(),
            entry_price: "1".into(),
            exit_price: None,
            quantity: "1".into(),
            cost: cost.into(),
            fees: "0".into(),
            profit_loss: pnl.map(Into::into),
            profit_pct: None,
            entry_ms: 0,
            exit_ms: None,
            exit_reason: None,
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
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn the_wallet_is_start_plus_realised_minus_running_capital() {
        let trades = [
            trade("USDT", "closed", "100", Some("12.5")),
            trade("USDT", "closed", "100", Some("-2.5")),
            trade("USDT", "open", "40", None),
        ];
        let bots = [bot("a", "USDT", "300", true), bot("b", "USDT", "900", false), bot("c", "BRL", "50", true)];
        let starts: Starts = [("USDT", 1_000), ("BRL", 5_000)].map(|(c, a)| (c.to_string(), Decimal::from(a))).into();
        let all = wallets(&trades, &bots, &starts, None);
        let usdt = all.iter().find(|w| w.currency == "USDT").unwrap();
        assert_eq!(usdt.total, Decimal::from(1_010));
        assert_eq!(usdt.allocated, Decimal::from(300));
        assert_eq!(usdt.in_positions, Decimal::from(40));
        assert_eq!(usdt.available, Decimal::from(710));
        assert_eq!(available(&trades, &bots, &starts, "BRL", None), Decimal::from(4_950));
        assert_eq!(available(&trades, &bots, &starts, "USDT", Some("a")), Decimal::from(1_010));
        assert_eq!(available(&trades, &bots, &starts, "XYZ", None), Decimal::ZERO);
        let eur: Starts = [("EUR".to_string(), Decimal::from(70))].into();
        let currencies: Vec<String> = wallets(&[], &[], &eur, None).into_iter().map(|w| w.currency).collect();
        assert_eq!(currencies, ["BRL", "USDT"], "USDT and BRL always, others once used");
        let eur_bot = [bot("e", "EUR", "20", true)];
        assert_eq!(available(&[], &eur_bot, &eur, "EUR", None), Decimal::from(50));
        assert_eq!(available(&[], &eur_bot, &eur, "USDT", None), Decimal::ZERO, "no start balance set");
    }
}
