//! Backtest and bot report figures from closed trades and the equity curve. Money figures are
//! decimals; Sharpe and Sortino are f64 statistics of daily returns (365 trading days a year).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::equity::EquityCurve;
use crate::ledger::ClosedTrade;
use crate::money::Amount;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub trades: usize,
    pub wins: usize,
    pub losses: usize,
    pub win_rate_pct: Decimal,
    pub net_profit: Amount,
    /// Sum of the winning trades' profit (after fees).
    pub gross_profit: Amount,
    /// Sum of the losing trades' loss (after fees), as a positive amount.
    pub gross_loss: Amount,
    pub fees_paid: Amount,
    /// `gross_profit / gross_loss`; `None` when nothing was lost.
    pub profit_factor: Option<Decimal>,
    /// Average profit per trade.
    pub expectancy: Amount,
    pub max_drawdown: Amount,
    pub max_drawdown_pct: Decimal,
    pub sharpe: Option<f64>,
    pub sortino: Option<f64>,
    /// Share of the tested time with a position open.
    pub exposure_pct: Decimal,
    pub start_capital: Amount,
    pub final_equity: Amount,
    pub return_pct: Decimal,
}

impl Metrics {
    /// `span_ms` is the length of the period tested, for the exposure.
    pub fn compute(trades: &[ClosedTrade], curve: &EquityCurve, final_equity: Amount, span_ms: i64) -> Self {
        let hundred = Decimal::ONE_HUNDRED;
        let wins = trades.iter().filter(|t| t.profit_loss > Decimal::ZERO).count();
        let losses = trades.iter().filter(|t| t.profit_loss < Decimal::ZERO).count();
        let gross_profit: Amount = trades.iter().map(|t| t.profit_loss.max(Decimal::ZERO)).sum();
        let gross_loss: Amount = trades.iter().map(|t| (-t.profit_loss).max(Decimal::ZERO)).sum();
        let net_profit = gross_profit - gross_loss;
        let count = Decimal::from(trades.len() as u64);
        let ratio = |part: Decimal, whole: Decimal| {
            if whole.is_zero() {
                Decimal::ZERO
            } else {
                (part / whole * hundred).round_dp(4)
            }
        };
        let held_ms: i64 = trades.iter().map(|t| t.exit_time_ms - t.entry_time_ms).sum();
        let returns = curve.daily_returns();
        Self {
            trades: trades.len(),
            wins,
            losses,
            win_rate_pct: ratio(Decimal::from(wins as u64), count),
            net_profit,
            gross_profit,
            gross_loss,
            fees_paid: trades.iter().map(|t| t.fees).sum(),
            profit_factor: (!gross_loss.is_zero()).then(|| (gross_profit / gross_loss).round_dp(4)),
            expectancy: if trades.is_empty() { Decimal::ZERO } else { (net_profit / count).round_dp(8) },
            max_drawdown: curve.max_drawdown,
            max_drawdown_pct: curve.max_drawdown_pct,
            sharpe: sharpe(&returns),
            sortino: sortino(&returns),
            exposure_pct: ratio(Decimal::from(held_ms), Decimal::from(span_ms.max(0))),
            start_capital: curve.start,
            final_equity,
            return_pct: ratio(final_equity - curve.start, curve.start),
        }
    }
}

const DAYS_PER_YEAR: f64 = 365.0;

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Annualised mean over sample standard deviation of daily returns.
fn sharpe(returns: &[f64]) -> Option<f64> {
    if returns.len() < 2 {
        return None;
    }
    let mean = mean(returns);
    let variance = returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (returns.len() - 1) as f64;
    (variance > 0.0).then(|| mean / variance.sqrt() * DAYS_PER_YEAR.sqrt())
}

/// Annualised mean over downside deviation (losing days only, zero target).
fn sortino(returns: &[f64]) -> Option<f64> {
    if returns.len() < 2 {
        return None;
    }
    let downside = returns.iter().map(|r| r.min(0.0).powi(2)).sum::<f64>() / returns.len() as f64;
    (downside > 0.0).then(|| mean(returns) / downside.sqrt() * DAYS_PER_YEAR.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exits::ExitReason;

    fn trade(pnl: i64, fees: i64, held_ms: i64) -> ClosedTrade {
        let sample = ClosedTrade::sample(Decimal::from(pnl), ExitReason::Signal);
        ClosedTrade { fees: Decimal::from(fees), exit_time_ms: held_ms, ..sample }
    }

    #[test]
    fn summarises_trades() {
        let trades = [trade(30, 1, 10), trade(-10, 1, 20), trade(20, 2, 10)];
        let curve = EquityCurve::new(Decimal::from(1000));
        let metrics = Metrics::compute(&trades, &curve, Decimal::from(1040), 80);
        assert_eq!((metrics.trades, metrics.wins, metrics.losses), (3, 2, 1));
        assert_eq!(metrics.net_profit, Decimal::from(40));
        assert_eq!(metrics.gross_profit, Decimal::from(50));
        assert_eq!(metrics.profit_factor, Some(Decimal::from(5)));
        assert_eq!(metrics.fees_paid, Decimal::from(4));
        assert_eq!(metrics.exposure_pct, Decimal::from(50));
        assert_eq!(metrics.return_pct, Decimal::from(4));
        assert_eq!(metrics.win_rate_pct.round_dp(2), Decimal::new(6667, 2));
    }

    #[test]
    fn sharpe_and_sortino_of_daily_returns() {
        let returns = [0.01, -0.01, 0.02, 0.0];
        // Mean 0.005, sample sd sqrt(0.00025 / 3 * 2)...: checked against the formula by hand.
        let sd = (returns.iter().map(|r: &f64| (r - 0.005).powi(2)).sum::<f64>() / 3.0).sqrt();
        assert!((sharpe(&returns).unwrap() - 0.005 / sd * 365f64.sqrt()).abs() < 1e-12);
        let downside = (0.0001f64 / 4.0).sqrt();
        assert!((sortino(&returns).unwrap() - 0.005 / downside * 365f64.sqrt()).abs() < 1e-12);
        assert_eq!(sharpe(&[0.01]), None);
        assert_eq!(sortino(&[0.01, 0.02]), None);
    }
}
