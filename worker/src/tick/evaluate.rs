//! One bot's run over the markets a tick fetched (pure): catch up the candles it has not seen
//! without trading on them (warm-up), evaluate the newest closed candle live at the current
//! quote, and check exits. A symbol whose market failed is skipped and reported, never fatal.

use auronex_core::engine::{force_exit, step, warm_up, BotState, Event};
use auronex_core::market::{Candle, Market, Quote};
use auronex_core::symbol::Symbol;

/// What the tick knows about one market: its closed candles (oldest first) and current quote.
#[derive(Debug, Clone, PartialEq)]
pub struct Feed {
    pub candles: Vec<Candle>,
    pub quote: Quote,
}

/// What one run did: the events to write and a message per symbol that could not run.
#[derive(Debug, Default)]
pub struct Outcome {
    pub events: Vec<Event>,
    pub errors: Vec<String>,
}

/// Advances `state` over every symbol it trades; `feed_of` gives each symbol's market or why
/// it has none.
pub fn advance<'a>(
    state: &mut BotState,
    feed_of: impl Fn(&Symbol) -> Result<&'a Feed, String>,
    now_ms: i64,
) -> Outcome {
    let mut outcome = Outcome::default();
    let symbols: Vec<Symbol> = state.config.markets.iter().map(|m| m.symbol.clone()).collect();
    for (index, symbol) in symbols.iter().enumerate() {
        let feed = match feed_of(symbol) {
            Ok(feed) => feed,
            Err(error) => {
                outcome.errors.push(format!("{symbol}: {error}"));
                continue;
            }
        };
        let last_fed = state.lanes[index].last_candle_ms;
        let unseen: Vec<&Candle> =
            feed.candles.iter().filter(|c| last_fed.is_none_or(|last| c.open_time_ms > last)).collect();
        let newest = match unseen.split_last() {
            Some((newest, older)) => {
                let older: Vec<Candle> = older.iter().map(|c| **c).collect();
                warm_up(state, symbol, &older);
                Some(*newest)
            }
            None => None,
        };
        let market = Market { symbol, candle: newest, quote: Some(feed.quote) };
        outcome.events.extend(step(state, &market, now_ms));
    }
    outcome
}

/// Closes the position in `symbol` at the quote's bid (manual close, stopping a bot).
pub fn close_at(state: BotState, symbol: &Symbol, quote: Quote, now_ms: i64) -> (BotState, Vec<Event>) {
    let market = Market { symbol, candle: None, quote: Some(quote) };
    force_exit(state, &market, now_ms)
}

#[cfg(test)]
mod tests {
    use auronex_core::engine::{BotConfig, MarketConfig};
    use auronex_core::fills::FillModel;
    use auronex_core::rules::TradingRules;
    use auronex_core::strategy::Params;
    use rust_decimal::Decimal;

    use super::*;

    fn state() -> BotState {
        let params =
            Params::from_pairs(["period=2", "entry=cross_up", "take_profit_pct=5", "stop_loss_pct=50"]).unwrap();
        let markets = vec![
            MarketConfig { symbol: "UP/USDT".parse().unwrap(), rules: TradingRules::default() },
            MarketConfig { symbol: "DOWN/USDT".parse().unwrap(), rules: TradingRules::default() },
        ];
        let fills = FillModel::from_percents(Decimal::ZERO, Decimal::ZERO).unwrap();
        BotState::new(BotConfig::from_params("rsi", &params, Decimal::from(200), fills, markets).unwrap()).unwrap()
    }

    fn candles(closes: &[i64]) -> Vec<Candle> {
        let d = Decimal::from;
        closes
            .iter()
            .enumerate()
            .map(|(i, c)| Candle {
                open_time_ms: i as i64 * 60_000,
                open: d(*c),
                high: d(*c),
                low: d(*c),
                close: d(*c),
                volume: Decimal::ONE,
            })
            .collect()
    }

    fn quote(bid: i64, ask: i64) -> Quote {
        Quote { bid: Decimal::from(bid), ask: Decimal::from(ask) }
    }

    #[test]
    fn history_is_warm_up_and_only_the_newest_candle_trades_at_the_ask() {
        let mut state = state();
        // The turn out of oversold is in the history only: no trade on it.
        let old_turn = Feed { candles: candles(&[10, 9, 8, 7, 8, 8]), quote: quote(80, 81) };
        let failing = |s: &Symbol| if s.base() == "UP" { Ok(&old_turn) } else { Err("venue down".to_string()) };
        let outcome = advance(&mut state, failing, 1);
        assert!(outcome.events.is_empty(), "{:?}", outcome.events);
        assert_eq!(outcome.errors, ["DOWN/USDT: venue down"]);

        // A fresh turn in the newest closed candle opens at the ask.
        let mut state = self::state();
        let fresh_turn = Feed { candles: candles(&[10, 9, 8, 7, 6, 8]), quote: quote(8, 9) };
        let outcome = advance(&mut state, |_| Ok(&fresh_turn), 2);
        let opened: Vec<&Event> = outcome.events.iter().filter(|e| matches!(e, Event::Opened { .. })).collect();
        assert_eq!(opened.len(), 2, "{:?}", outcome.events);
        assert!(matches!(opened[0], Event::Opened { entry_price, .. } if *entry_price == Decimal::from(9)));

        // Run again with the same candles: nothing new is fed, take-profit closes at the bid.
        let risen = Feed { candles: fresh_turn.candles.clone(), quote: quote(10, 11) };
        let flat = Feed { candles: fresh_turn.candles.clone(), quote: quote(8, 9) };
        let outcome = advance(&mut state, |s| Ok(if s.base() == "UP" { &risen } else { &flat }), 3);
        assert_eq!(outcome.events.len(), 1, "{:?}", outcome.events);
        match &outcome.events[0] {
            Event::Closed(trade) => {
                assert_eq!(trade.exit_price, Decimal::from(10));
                assert!(
                    trade.fees > Decimal::ZERO
                        && trade.profit_loss < (trade.exit_price - trade.entry_price) * trade.quantity
                );
            }
            other => panic!("expected a close, got {other:?}"),
        }
        let symbol: Symbol = "DOWN/USDT".parse().unwrap();
        let (state, events) = close_at(state, &symbol, quote(7, 8), 4);
        assert!(matches!(&events[0], Event::Closed(t) if t.exit_price == Decimal::from(7)));
        assert!(state.lanes.iter().all(|lane| lane.position.is_none()));
    }
}
