//! Figures over a user's trades (pure): stats, today, month bounds and the CSV export.

use rust_decimal::Decimal;
use serde::Serialize;

use super::ledger::TradeRow;
use super::ledger::TradeView;

const DAY_MS: i64 = 86_400_000;

#[derive(Debug, PartialEq, Serialize)]
pub struct Stats {
    pub total_trades: usize,
    pub open_trades: usize,
    pub closed_trades: usize,
    pub wins: usize,
    pub losses: usize,
    /// Percent of closed trades that made money.
    #[serde(with = "auronex_core::num")]
    pub win_rate: Decimal,
    #[serde(with = "auronex_core::num")]
    pub net_profit: Decimal,
    /// Gross profit over gross loss; `null` when nothing was lost.
    #[serde(with = "auronex_core::num::option")]
    pub profit_factor: Option<Decimal>,
    /// Largest fall of cumulative realised P&L from its peak, in the quote currency.
    #[serde(with = "auronex_core::num")]
    pub max_drawdown: Decimal,
}

/// Stats over `trades` in any order; closed trades count in exit order.
pub fn stats(trades: &[TradeRow]) -> Stats {
    let mut closed: Vec<&TradeRow> = trades.iter().filter(|t| !t.is_open()).collect();
    closed.sort_by_key(|t| (t.exit_ms, t.id.clone()));
    let pnls: Vec<Decimal> = closed.iter().map(|t| t.pnl()).collect();
    stats_of(trades.len(), &pnls)
}

/// Stats from the count of all trades and the realised P&L of the closed ones in exit order
/// (what `ledger::stats_inputs` reads from D1).
pub fn stats_of(total_trades: usize, closed_pnls: &[Decimal]) -> Stats {
    let (mut gross_profit, mut gross_loss, mut wins, mut losses) = (Decimal::ZERO, Decimal::ZERO, 0, 0);
    let (mut cumulative, mut peak, mut max_drawdown) = (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for &pnl in closed_pnls {
        if pnl > Decimal::ZERO {
            wins += 1;
            gross_profit += pnl;
        } else {
            losses += 1;
            gross_loss -= pnl;
        }
        cumulative += pnl;
        peak = peak.max(cumulative);
        max_drawdown = max_drawdown.max(peak - cumulative);
    }
    let closed = closed_pnls.len();
    let win_rate = match closed {
        0 => Decimal::ZERO,
        n => (Decimal::from(wins) * Decimal::ONE_HUNDRED / Decimal::from(n)).round_dp(2),
    };
    Stats {
        total_trades: total_trades.max(closed),
        open_trades: total_trades.saturating_sub(closed),
        closed_trades: closed,
        wins,
        losses,
        win_rate,
        net_profit: gross_profit - gross_loss,
        profit_factor: (gross_loss > Decimal::ZERO).then(|| (gross_profit / gross_loss).round_dp(4)),
        max_drawdown,
    }
}

#[derive(Debug, PartialEq, Serialize)]
pub struct Today {
    /// Trades entered since 00:00 UTC.
    pub count: usize,
    /// Realised P&L of trades closed since 00:00 UTC.
    #[serde(with = "auronex_core::num")]
    pub profit_loss: Decimal,
}

/// 00:00 UTC of the day `now_ms` is in.
pub fn day_start(now_ms: i64) -> i64 {
    now_ms.div_euclid(DAY_MS) * DAY_MS
}

pub fn today(trades: &[TradeRow], now_ms: i64) -> Today {
    let start = day_start(now_ms);
    Today {
        count: trades.iter().filter(|t| t.entry_ms >= start).count(),
        profit_loss: trades.iter().filter(|t| t.exit_ms.is_some_and(|ms| ms >= start)).map(TradeRow::pnl).sum(),
    }
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

/// The month's trades as CSV, a header row first; decimals exactly as stored.
pub fn csv(trades: &[TradeView]) -> String {
    let mut out = String::from(
        "id,bot_id,exchange,symbol,side,status,entry_price,exit_price,quantity,fees,profit_loss,profit_pct,entry_time,exit_time,exit_reason\n",
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
    use crate::bots::wallet::tests::trade;

    fn closed(pnl: &str, exit_ms: i64) -> TradeRow {
        TradeRow { exit_ms: Some(exit_ms), entry_ms: exit_ms - 1, ..trade("USDT", "closed", "10", Some(pnl)) }
    }

    #[test]
    fn stats_count_wins_losses_and_the_drawdown_in_exit_order() {
        let trades =
            [closed("10", 1), closed("-4", 2), closed("-3", 3), closed("5", 4), trade("USDT", "open", "1", None)];
        let stats = stats(&trades);
        assert_eq!((stats.total_trades, stats.open_trades, stats.closed_trades), (5, 1, 4));
        assert_eq!((stats.wins, stats.losses), (2, 2));
        assert_eq!(stats.win_rate, Decimal::from(50));
        assert_eq!(stats.net_profit, Decimal::from(8));
        assert_eq!(stats.profit_factor, Some(Decimal::new(214_29, 4)));
        assert_eq!(stats.max_drawdown, Decimal::from(7));
        assert_eq!(super::stats(&[]).profit_factor, None);
        let in_exit_order: Vec<Decimal> = [10, -4, -3, 5].map(Decimal::from).into();
        assert_eq!(stats_of(5, &in_exit_order), stats, "the D1 inputs give the same figures");
    }

    #[test]
    fn today_counts_entries_and_realised_pnl_since_midnight_utc() {
        let now = 20_000 * DAY_MS + 5_000;
        let trades = [
            closed("3", now - 10),
            closed("7", now - DAY_MS),
            TradeRow { entry_ms: now - 1, ..trade("USDT", "open", "1", None) },
        ];
        assert_eq!(today(&trades, now), Today { count: 2, profit_loss: Decimal::from(3) });
    }

    #[test]
    fn month_bounds_are_utc_calendar_months() {
        assert_eq!(month_bounds(1970, 1), Some((0, 31 * DAY_MS)));
        assert_eq!(month_bounds(2024, 2).map(|(a, b)| (b - a) / DAY_MS), Some(29));
        assert_eq!(month_bounds(2026, 12).map(|(_, b)| b), Some(1_798_761_600_000));
        assert_eq!(month_bounds(2026, 13), None);
    }

    #[test]
    fn csv_has_a_header_and_escapes() {
        let view = TradeView {
            id: "b:1".into(),
            bot_id: "b".into(),
            exchange: "binance".into(),
            symbol: "X/USDT".into(),
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
        assert!(lines[1].contains(",1.5,") && lines[1].ends_with("\"a,\"\"b\"\"\""), "{}", lines[1]);
    }
}
