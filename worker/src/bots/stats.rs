//! Figures over a user's (or a bot's) books: per-currency stats from the ledger's totals,
//! combined figures only through a [`Conversions`], month bounds and the CSV export (pure).

use auronex_core::money::{Money, MoneyError};
use rust_decimal::Decimal;
use serde::Serialize;

use super::conversion::{ConversionView, Conversions};
use super::totals::{Since, Totals};

const DAY_MS: i64 = 86_400_000;

/// Percent of `closed` trades that were `wins`, to 2 places.
pub fn win_rate(wins: u64, closed: u64) -> Decimal {
    match closed {
        0 => Decimal::ZERO,
        n => (Decimal::from(wins) * Decimal::ONE_HUNDRED / Decimal::from(n)).round_dp(2),
    }
}

/// Gross profit over gross loss; `None` when nothing was lost.
fn profit_factor(gross_profit: Decimal, gross_loss: Decimal) -> Option<Decimal> {
    (gross_loss > Decimal::ZERO).then(|| (gross_profit / gross_loss).round_dp(4))
}

/// Mean realised P&L per closed trade; `None` before the first close.
fn expectancy(net: Decimal, closed: u64) -> Option<Decimal> {
    (closed > 0).then(|| (net / Decimal::from(closed)).round_dp(8))
}

/// One currency's stats.
#[derive(Debug, PartialEq, Serialize)]
pub struct CurrencyStats {
    pub currency: String,
    pub total_trades: u64,
    pub open_trades: u64,
    pub closed_trades: u64,
    pub wins: u64,
    pub losses: u64,
    #[serde(with = "auronex_core::num")]
    pub win_rate: Decimal,
    #[serde(with = "auronex_core::num")]
    pub gross_profit: Decimal,
    #[serde(with = "auronex_core::num")]
    pub gross_loss: Decimal,
    #[serde(with = "auronex_core::num")]
    pub net_profit: Decimal,
    #[serde(with = "auronex_core::num::option")]
    pub profit_factor: Option<Decimal>,
    #[serde(with = "auronex_core::num::option")]
    pub expectancy: Option<Decimal>,
    /// Largest fall of cumulative realised P&L from its peak, in this currency.
    #[serde(with = "auronex_core::num")]
    pub max_drawdown: Decimal,
    /// Fees of closed trades.
    #[serde(with = "auronex_core::num")]
    pub fees: Decimal,
    /// Cost of the open positions.
    #[serde(with = "auronex_core::num")]
    pub open_cost: Decimal,
}

impl CurrencyStats {
    pub fn of(totals: &Totals) -> Self {
        let net = totals.realised.amount();
        Self {
            currency: totals.currency.to_string(),
            total_trades: totals.trades,
            open_trades: totals.open_trades,
            closed_trades: totals.closed_trades,
            wins: totals.wins,
            losses: totals.losses,
            win_rate: win_rate(totals.wins, totals.closed_trades),
            gross_profit: totals.gross_profit.amount(),
            gross_loss: totals.gross_loss.amount(),
            net_profit: net,
            profit_factor: profit_factor(totals.gross_profit.amount(), totals.gross_loss.amount()),
            expectancy: expectancy(net, totals.closed_trades),
            max_drawdown: totals.max_drawdown.amount(),
            fees: totals.fees.amount(),
            open_cost: totals.open_cost.amount(),
        }
    }
}

/// Stats over every currency: counts add up; amounts only converted (`None` when a currency
/// has no rate); drawdown only when the trades are in one currency (two currencies' drawdowns
/// happened on different paths and do not add).
#[derive(Debug, PartialEq, Serialize)]
pub struct Stats {
    pub total_trades: u64,
    pub open_trades: u64,
    pub closed_trades: u64,
    pub wins: u64,
    pub losses: u64,
    #[serde(with = "auronex_core::num")]
    pub win_rate: Decimal,
    /// The currency of the converted amounts.
    pub currency: String,
    #[serde(with = "auronex_core::num::option")]
    pub net_profit: Option<Decimal>,
    #[serde(with = "auronex_core::num::option")]
    pub profit_factor: Option<Decimal>,
    #[serde(with = "auronex_core::num::option")]
    pub expectancy: Option<Decimal>,
    #[serde(with = "auronex_core::num::option")]
    pub max_drawdown: Option<Decimal>,
    pub by_currency: Vec<CurrencyStats>,
    pub conversion: ConversionView,
}

pub fn stats(totals: &[Totals], mut conversions: Conversions<'_>) -> Result<Stats, MoneyError> {
    let count = |f: fn(&Totals) -> u64| totals.iter().map(f).sum::<u64>();
    let (wins, closed) = (count(|t| t.wins), count(|t| t.closed_trades));
    let net_profit = conversions.amount(totals.iter().map(|t| &t.realised))?;
    let gross_profit = conversions.amount(totals.iter().map(|t| &t.gross_profit))?;
    let gross_loss = conversions.amount(totals.iter().map(|t| &t.gross_loss))?;
    let traded: Vec<&Totals> = totals.iter().filter(|t| t.trades > 0).collect();
    let max_drawdown = match traded.as_slice() {
        [one] => conversions.amount([&one.max_drawdown])?,
        [] => Some(Decimal::ZERO),
        _ => None,
    };
    Ok(Stats {
        total_trades: count(|t| t.trades),
        open_trades: count(|t| t.open_trades),
        closed_trades: closed,
        wins,
        losses: count(|t| t.losses),
        win_rate: win_rate(wins, closed),
        currency: conversions.target().to_string(),
        net_profit,
        profit_factor: gross_profit.zip(gross_loss).and_then(|(p, l)| profit_factor(p, l)),
        expectancy: net_profit.and_then(|net| expectancy(net, closed)),
        max_drawdown,
        by_currency: totals.iter().map(CurrencyStats::of).collect(),
        conversion: conversions.view(),
    })
}

#[derive(Debug, PartialEq, Serialize)]
pub struct CurrencyToday {
    pub currency: String,
    pub count: u64,
    #[serde(with = "auronex_core::num")]
    pub profit_loss: Decimal,
}

#[derive(Debug, PartialEq, Serialize)]
pub struct Today {
    /// Trades entered since 00:00 UTC.
    pub count: u64,
    /// Realised P&L of trades closed since 00:00 UTC, converted (`None`: a currency has no rate).
    #[serde(with = "auronex_core::num::option")]
    pub profit_loss: Option<Decimal>,
    pub currency: String,
    pub by_currency: Vec<CurrencyToday>,
    pub conversion: ConversionView,
}

pub fn today(since: &[Since], mut conversions: Conversions<'_>) -> Result<Today, MoneyError> {
    let realised: Vec<&Money> = since.iter().map(|s| &s.realised).collect();
    Ok(Today {
        count: since.iter().map(|s| s.entered).sum(),
        profit_loss: conversions.amount(realised)?,
        currency: conversions.target().to_string(),
        by_currency: since
            .iter()
            .map(|s| CurrencyToday {
                currency: s.currency.to_string(),
                count: s.entered,
                profit_loss: s.realised.amount(),
            })
            .collect(),
        conversion: conversions.view(),
    })
}

/// 00:00 UTC of the day `now_ms` is in.
pub fn day_start(now_ms: i64) -> i64 {
    now_ms.div_euclid(DAY_MS) * DAY_MS
}

/// `[first millisecond of year-month, first of the next month)` in UTC; `None` for a bad month.
pub fn month_bounds(year: i64, month: u32) -> Option<(i64, i64)> {
    if !(1..=12).contains(&month) || !(1970..=9999).contains(&year) {
        return None;
    }
    let next = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    Some((days_from_civil(year, month) * DAY_MS, days_from_civil(next.0, next.1) * DAY_MS))
}

/// Days since 1970-01-01 of the first day of the month (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bots::wallet::tests::{money, totals};
    use auronex_core::money::{Converter, Rate, RateSource};

    fn converter(target: &str) -> Converter {
        let usd_brl = Rate {
            base: "USD".parse().unwrap(),
            quote: "BRL".parse().unwrap(),
            rate: Decimal::from(5),
            source: RateSource::Awesomeapi,
            as_of_ms: Some(1_000),
        };
        Converter::new(
            target.parse().unwrap(),
            vec![Rate::peg("USDT".parse().unwrap(), "USD".parse().unwrap()), usd_brl],
        )
    }

    fn closed(currency: &str, wins: u64, losses: u64, profit: &str, loss: &str, drawdown: &str) -> Totals {
        let net: Decimal = profit.parse::<Decimal>().unwrap() - loss.parse::<Decimal>().unwrap();
        Totals {
            trades: wins + losses + 1,
            open_trades: 1,
            closed_trades: wins + losses,
            wins,
            losses,
            gross_profit: money(profit, currency),
            gross_loss: money(loss, currency),
            max_drawdown: money(drawdown, currency),
            ..totals(currency, &net.to_string(), "40")
        }
    }

    #[test]
    fn per_currency_stats_come_from_the_totals() {
        let usdt = closed("USDT", 2, 2, "15", "7", "7");
        let stats = CurrencyStats::of(&usdt);
        assert_eq!((stats.total_trades, stats.open_trades, stats.closed_trades), (5, 1, 4));
        assert_eq!((stats.wins, stats.losses, stats.win_rate), (2, 2, Decimal::from(50)));
        assert_eq!(stats.net_profit, Decimal::from(8));
        assert_eq!(stats.profit_factor, Some(Decimal::new(2_1429, 4)));
        assert_eq!(stats.expectancy, Some(Decimal::from(2)));
        assert_eq!(stats.max_drawdown, Decimal::from(7));
        assert_eq!(CurrencyStats::of(&totals("BRL", "0", "0")).profit_factor, None);
    }

    #[test]
    fn combined_stats_convert_amounts_and_never_add_currencies() {
        let books = [closed("BRL", 1, 1, "50", "25", "25"), closed("USDT", 2, 2, "15", "7", "7")];
        let usd = converter("USD");
        let stats = stats(&books, Conversions::new(&usd)).unwrap();
        assert_eq!((stats.closed_trades, stats.wins, stats.win_rate), (6, 3, Decimal::from(50)));
        assert_eq!(stats.net_profit, Some(Decimal::from(13)), "25 BRL at 5 + 8 USDT at 1");
        assert_eq!(stats.profit_factor, Some(Decimal::new(2_0833, 4)), "(10 + 15) / (5 + 7)");
        assert_eq!(stats.max_drawdown, None, "drawdowns of two currencies do not add");
        assert_eq!(stats.by_currency.len(), 2);
        let pairs: Vec<&str> = stats.conversion.rates.iter().map(|r| r.pair.as_str()).collect();
        assert_eq!(pairs, ["USD/BRL", "USDT/USD"]);

        let in_brl = super::stats(&books[1..], Conversions::new(&converter("BRL"))).unwrap();
        assert_eq!(in_brl.net_profit, Some(Decimal::from(40)));
        assert_eq!(in_brl.max_drawdown, Some(Decimal::from(35)), "one currency: its drawdown, converted");
    }

    #[test]
    fn today_reports_each_currency_and_the_converted_sum() {
        // The reported bug: +0.027 USDT and +12.47 BRL showed as 12.50 "USD".
        let since = [
            Since { currency: "BRL".parse().unwrap(), entered: 1, realised: money("12.47", "BRL") },
            Since { currency: "USDT".parse().unwrap(), entered: 2, realised: money("0.027", "USDT") },
        ];
        let today = today(&since, Conversions::new(&converter("USD"))).unwrap();
        assert_eq!(today.count, 3);
        assert_eq!(today.profit_loss, Some("2.521".parse().unwrap()));
        assert_eq!(today.by_currency[0].profit_loss, "12.47".parse::<Decimal>().unwrap());
        let without_rate = Converter::new("USD".parse().unwrap(), Vec::new());
        assert_eq!(super::today(&since, Conversions::new(&without_rate)).unwrap().profit_loss, None);
    }

    #[test]
    fn month_bounds_are_utc_calendar_months() {
        assert_eq!(month_bounds(1970, 1), Some((0, 31 * DAY_MS)));
        assert_eq!(month_bounds(2024, 2).map(|(a, b)| (b - a) / DAY_MS), Some(29));
        assert_eq!(month_bounds(2026, 12).map(|(_, b)| b), Some(1_798_761_600_000));
        assert_eq!(month_bounds(2026, 13), None);
    }
}
