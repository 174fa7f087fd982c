//! A month of trades: its totals per currency (summed as [`Money`], never across currencies)
//! and its CSV export (pure).

use std::collections::BTreeMap;

use auronex_core::money::{Currency, Money, MoneyError};
use rust_decimal::Decimal;
use serde::Serialize;

use super::ledger::TradeView;

#[derive(Debug, PartialEq, Serialize)]
pub struct MonthTotal {
    pub currency: String,
    pub trades: u64,
    pub closed_trades: u64,
    /// Realised P&L of the month's closed trades.
    #[serde(with = "auronex_core::num")]
    pub profit_loss: Decimal,
    #[serde(with = "auronex_core::num")]
    pub fees: Decimal,
}

/// One total per quote currency of `trades`, ordered by currency.
pub fn totals(trades: &[TradeView]) -> Result<Vec<MonthTotal>, MoneyError> {
    let mut by_currency: BTreeMap<Currency, (u64, u64, Money, Money)> = BTreeMap::new();
    for trade in trades {
        let currency: Currency = trade.quote_currency.parse()?;
        let zero = Money::zero(currency.clone());
        let entry = by_currency.entry(currency.clone()).or_insert_with(|| (0, 0, zero.clone(), zero));
        entry.0 += 1;
        entry.3 = entry.3.checked_add(&Money::new(trade.fees, currency.clone()))?;
        if let Some(pnl) = trade.profit_loss.filter(|_| trade.status == "closed") {
            entry.1 += 1;
            entry.2 = entry.2.checked_add(&Money::new(pnl, currency))?;
        }
    }
    Ok(by_currency
        .into_iter()
        .map(|(currency, (trades, closed_trades, pnl, fees))| MonthTotal {
            currency: currency.to_string(),
            trades,
            closed_trades,
            profit_loss: pnl.amount(),
            fees: fees.amount(),
        })
        .collect())
}

/// The month's trades as CSV, a header row first; decimals exactly as stored.
pub fn csv(trades: &[TradeView]) -> String {
    let mut out = String::from(
        "id,bot_id,exchange,symbol,side,status,entry_price,exit_price,quantity,fees,profit_loss,profit_pct,entry_time,exit_time,exit_reason,quote_currency\n",
    );
    let text = |value: &Option<Decimal>| value.map(|v| v.normalize().to_string()).unwrap_or_default();
    for t in trades {
        let fields = [
            t.id.clone(),
            t.bot_id.clone(),
            t.exchange.clone(),
            t.symbol.clone(),
            t.side.clone(),
            t.status.clone(),
            t.entry_price.normalize().to_string(),
            text(&t.exit_price),
            t.quantity.normalize().to_string(),
            t.fees.normalize().to_string(),
            text(&t.profit_loss),
            text(&t.profit_pct),
            t.entry_time.clone(),
            t.exit_time.clone().unwrap_or_default(),
            t.exit_reason.clone().unwrap_or_default(),
            t.quote_currency.clone(),
        ];
        let escaped: Vec<String> = fields.iter().map(|f| escape(f)).collect();
        out.push_str(&escaped.join(","));
        out.push('\n');
    }
    out
}

fn escape(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(currency: &str, status: &str, pnl: Option<&str>) -> TradeView {
        TradeView {
            id: "b:1".into(),
            bot_id: "b".into(),
            exchange: "binance".into(),
            symbol: format!("X/{currency}"),
            quote_currency: currency.into(),
            side: "buy".into(),
            status: status.into(),
            entry_price: Decimal::ONE,
            exit_price: pnl.map(|_| Decimal::TWO),
            quantity: Decimal::ONE,
            cost: Decimal::ONE,
            fees: Decimal::new(1, 2),
            profit_loss: pnl.map(|p| p.parse().unwrap()),
            profit_pct: None,
            entry_time: "2026-01-01T00:00:00.000Z".into(),
            exit_time: None,
            exit_reason: None,
        }
    }

    #[test]
    fn month_totals_are_per_currency() {
        let trades =
            [view("USDT", "closed", Some("0.027")), view("BRL", "closed", Some("12.47")), view("USDT", "open", None)];
        let totals = totals(&trades).unwrap();
        assert_eq!(totals.len(), 2);
        assert_eq!(
            (totals[0].currency.as_str(), totals[0].trades, totals[0].profit_loss),
            ("BRL", 1, "12.47".parse().unwrap())
        );
        assert_eq!(
            (totals[1].trades, totals[1].closed_trades, totals[1].profit_loss),
            (2, 1, "0.027".parse().unwrap())
        );
        assert_eq!(totals[1].fees, Decimal::new(2, 2));
    }

    #[test]
    fn csv_has_a_header_and_escapes() {
        let view = TradeView {
            id: "b:1".into(),
            bot_id: "b".into(),
            exchange: "binance".into(),
            symbol: "X/USDT".into(),
            quote_currency: "USDT".into(),
            side: "buy".into(),
            status: "closed".into(),
            entry_price: Decimal::ONE,
            exit_price: Some(Decimal::TWO),
            quantity: Decimal::ONE,
            cost: Decimal::ONE,
            fees: Decimal::ZERO,
            profit_loss: Some(Decimal::new(150, 2)),
            profit_pct: None,
            entry_time: "2026-01-01T00:00:00.000Z".into(),
            exit_time: None,
            exit_reason: Some("a,\"b\"".into()),
        };
        let text = csv(&[view]);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("id,bot_id,"));
        assert!(lines[1].contains(",1.5,") && lines[1].ends_with("\"a,\"\"b\"\"\",USDT"), "{}", lines[1]);
    }
}
