//! Replays candles through the live engine's `tick` (as `step`, in place) for one symbol, recording the equity
//! curve, then closes what is still open at the last candle and computes the metrics. Exits
//! are checked inside each candle first (`crate::intrabar`), as a live bot checks every tick.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::engine::{exit_inside_candle, force_exit, step_lane, BotConfig, BotState, ConfigError, Event};
use crate::equity::EquityCurve;
use crate::ledger::ClosedTrade;
use crate::market::{Candle, Market};
use crate::metrics::Metrics;
use crate::money::Amount;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestReport {
    pub trades: Vec<ClosedTrade>,
    pub metrics: Metrics,
    /// Entries the strategy wanted but the wallet or the venue's rules refused.
    pub refused_entries: usize,
    /// What holding the symbol from the first candle's close to the last one's returned, in
    /// percent, before fees: the yardstick a strategy has to beat.
    pub buy_and_hold_pct: Decimal,
}

/// Runs `config` over `candles` of its first symbol. Each candle is acted on at its close,
/// which is taken as the next candle's open time (the smallest spacing for the last one).
pub fn backtest(config: BotConfig, candles: &[Candle]) -> Result<BacktestReport, ConfigError> {
    backtest_observed(config, candles, |_, _| {})
}

/// [`backtest`], telling `on_equity` the equity after each candle (time acted on, equity): the
/// points of an equity curve for a chart.
pub fn backtest_observed(
    config: BotConfig,
    candles: &[Candle],
    mut on_equity: impl FnMut(i64, Amount),
) -> Result<BacktestReport, ConfigError> {
    let mut state = BotState::new(config)?;
    let symbol = state.config.markets[0].symbol.clone();
    let mut curve = EquityCurve::new(state.config.capital);
    let mut trades = Vec::new();
    let mut refused_entries = 0;
    let mut keep = |events: Vec<Event>| {
        for event in events {
            match event {
                Event::Closed(trade) => trades.push(trade),
                Event::EntryRefused { .. } => refused_entries += 1,
                _ => {}
            }
        }
    };
    let mut now_ms = 0;
    // The smallest positive gap between consecutive open times, gathered on the way (the last
    // candle, which has no next one, is the only one that needs it, and comes last).
    let mut spacing = None;
    let mut cash = state.cash();
    for (index, candle) in candles.iter().enumerate() {
        now_ms = match candles.get(index + 1) {
            Some(next) => {
                let gap = next.open_time_ms - candle.open_time_ms;
                if gap > 0 {
                    spacing = Some(spacing.map_or(gap, |smallest: i64| smallest.min(gap)));
                }
                next.open_time_ms
            }
            None => candle.open_time_ms + spacing.unwrap_or(60_000),
        };
        let market = Market { symbol: &symbol, candle: Some(candle), quote: None };
        // Lane 0 trades `symbol` (a copy of the first market's), so this is `step` without
        // looking the lane up by name each candle.
        let mut events = Vec::new();
        exit_inside_candle(&mut state, 0, candle, now_ms, &mut events);
        let quote = step_lane(&mut state, 0, &market, now_ms, &mut events);
        if !events.is_empty() {
            keep(events);
            cash = state.cash();
        }
        let equity = match &state.lanes[0].position {
            None => cash,
            Some(position) => {
                // A step that leaves a position open priced with this market's quote; it is
                // the same value whoever works it out.
                let quote = quote.or_else(|| state.config.fills.quote(&market));
                cash + position.value(quote.map_or(position.entry_price, |q| q.bid))
            }
        };
        curve.record(now_ms, equity);
        on_equity(now_ms, equity);
    }
    if let Some(last) = candles.last() {
        let market = Market { symbol: &symbol, candle: Some(last), quote: None };
        let events;
        (state, events) = force_exit(state, &market, now_ms);
        keep(events);
    }
    let final_equity = state.cash();
    let span_ms = candles.first().map_or(0, |first| now_ms - first.open_time_ms);
    let metrics = Metrics::compute(&trades, &curve, final_equity, span_ms);
    Ok(BacktestReport { metrics, trades, refused_entries, buy_and_hold_pct: buy_and_hold_pct(candles) })
}

fn buy_and_hold_pct(candles: &[Candle]) -> Decimal {
    match (candles.first(), candles.last()) {
        (Some(first), Some(last)) if !first.close.is_zero() => {
            ((last.close - first.close) / first.close * Decimal::ONE_HUNDRED).round_dp(4)
        }
        _ => Decimal::ZERO,
    }
}
