//! The engine on real candles: every strategy trades, a bot persisted as JSON between ticks
//! trades exactly like one kept in memory, and candles are never fed twice.

mod common;

use auronex_core::backtest::backtest;
use auronex_core::engine::{tick, BotState, Event};
use auronex_core::exits::ExitReason;
use auronex_core::ledger::ClosedTrade;
use auronex_core::market::{Candle, Market, Quote};
use auronex_core::strategy::STRATEGY_NAMES;
use common::{candles, config, dec};
use rust_decimal::Decimal;

#[test]
fn every_strategy_trades_the_real_daily_candles() {
    let candles = candles("coinbase_btcusd_1d.csv");
    for name in STRATEGY_NAMES {
        let report = backtest(config(name, &[], "10000"), &candles).unwrap();
        assert!(report.trades.len() >= 5, "{name}: {} trades", report.trades.len());
        let metrics = &report.metrics;
        assert_eq!(metrics.trades, report.trades.len());
        let net: rust_decimal::Decimal = report.trades.iter().map(|t| t.profit_loss).sum();
        assert_eq!(metrics.net_profit, net, "{name}");
        assert_eq!(metrics.final_equity, metrics.start_capital + net, "{name}");
        assert!(metrics.fees_paid > rust_decimal::Decimal::ZERO);
    }
}

/// A live bot ticked along each candle's path (open, low, high, close, plus a tick wherever the
/// path crosses one of the position's exit levels, as a continuous price does), its state
/// stored as JSON between ticks, makes the same trades as a backtest over the candles; only
/// the time of an exit inside a candle differs (the tick's time vs the candle's close).
#[test]
fn a_live_bot_over_scripted_ticks_trades_like_a_backtest_over_their_candles() {
    let real = candles("bitstamp_ethusd_1d.csv");
    // Candles as the ticks below build them: each opens where the previous one closed.
    let built: Vec<Candle> = real
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let open = if k == 0 { c.open } else { real[k - 1].close };
            Candle { open, low: c.low.min(open), high: c.high.max(open), ..*c }
        })
        .collect();
    let pairs = [
        "stop_loss_pct=4",
        "take_profit_pct=9",
        "trailing_stop_pct=3",
        "trailing_activation_pct=2",
        "max_hold_minutes=5760",
    ];
    let partial = [&pairs[..], &["partial_take_profit_pct=4", "partial_share_pct=40"]].concat();
    let mut reasons = std::collections::HashSet::new();
    for (name, pairs) in STRATEGY_NAMES.iter().flat_map(|name| [(*name, &pairs[..]), (*name, &partial[..])]) {
        let config = config(name, pairs, "5000");
        let half_spread = config.fills.half_spread;
        let expected = backtest(config.clone(), &built).unwrap().trades;
        let symbol = config.markets[0].symbol.clone();
        let mut stored = serde_json::to_string(&BotState::new(config).unwrap()).unwrap();
        let mut trades = Vec::new();
        let mut live_tick = |closed: Option<&Candle>, quote: Quote, now_ms: i64| {
            let state: BotState = serde_json::from_str(&stored).unwrap();
            let market = Market { symbol: &symbol, candle: closed, quote: Some(quote) };
            let (state, events) = tick(state, &market, now_ms);
            stored = serde_json::to_string(&state).unwrap();
            trades.extend(events.into_iter().filter_map(|e| match e {
                Event::Closed(trade) => Some(trade),
                _ => None,
            }));
            state
        };
        for (k, candle) in built.iter().enumerate() {
            let start = candle.open_time_ms;
            let mut state =
                live_tick(k.checked_sub(1).map(|i| &built[i]), Quote::around(candle.open, half_spread), start);
            let mut at = Quote::around(candle.open, half_spread).bid;
            let mut time = start + 1;
            #[allow(unused_assignments)] // the state after a candle's last tick is not looked at
            for mid in [candle.low, candle.high, candle.close] {
                let next = Quote::around(mid, half_spread);
                // A tick at every level the path crosses on its way, as the ticks move them.
                while let Some(level) = crossed(&state, at, next.bid) {
                    state = live_tick(Some(&built[k.max(1) - 1]), Quote { bid: level, ask: level }, time);
                    (at, time) = (level, time + 1);
                }
                state = live_tick(Some(&built[k.max(1) - 1]), next, time);
                (at, time) = (next.bid, time + 1);
            }
        }
        assert!(trades.len() >= 3, "{name}: {} trades", trades.len());
        let untimed = |t: &ClosedTrade| ClosedTrade { exit_time_ms: 0, ..t.clone() };
        let live: Vec<_> = trades.iter().map(untimed).collect();
        let replayed: Vec<_> = expected.iter().map(untimed).collect();
        assert_eq!(live[..], replayed[..live.len()], "{name}");
        assert!(expected.len() - trades.len() <= 1, "{name}: only a final force exit may differ");
        reasons.extend(trades.iter().map(|t| t.exit_reason));
    }
    let every = [ExitReason::StopLoss, ExitReason::TakeProfit, ExitReason::TrailingStop, ExitReason::TimeLimit];
    for reason in every.into_iter().chain([ExitReason::PartialTakeProfit]) {
        assert!(reasons.contains(&reason), "{reason:?} never exercised: {reasons:?}");
    }
}

/// The nearest exit level strictly between bids `at` and `to` of the open position, if any:
/// a stop on the way down, a target on the way up.
fn crossed(state: &BotState, at: Decimal, to: Decimal) -> Option<Decimal> {
    let levels = &state.lanes[0].position.as_ref()?.exits;
    if to < at {
        let stops = [levels.stop_loss, levels.trailing.and_then(|t| t.stop)];
        stops.into_iter().flatten().filter(|level| *level < at && *level > to).max()
    } else {
        let targets = [levels.partial_take_profit, levels.take_profit];
        targets.into_iter().flatten().filter(|level| *level > at && *level < to).min()
    }
}

#[test]
fn a_candle_seen_twice_feeds_the_strategy_once() {
    let candles = candles("coinbase_btcusd_1d.csv");
    let config = config("rsi", &[], "1000");
    let symbol = config.markets[0].symbol.clone();
    let mut once = BotState::new(config.clone()).unwrap();
    let mut twice = BotState::new(config).unwrap();
    for candle in &candles[..200] {
        let market = Market { symbol: &symbol, candle: Some(candle), quote: None };
        once = tick(once, &market, candle.open_time_ms).0;
        twice = tick(twice, &market, candle.open_time_ms).0;
        twice = tick(twice, &market, candle.open_time_ms + 1).0;
    }
    assert_eq!(once.lanes[0].strategy, twice.lanes[0].strategy);
}

#[test]
fn quotes_price_fills_and_unknown_symbols_are_reported() {
    let candles = candles("coinbase_btcusd_1d.csv");
    let config = config("scalping", &["fast_period=2", "slow_period=3"], "1000");
    let symbol = config.markets[0].symbol.clone();
    let mut state = BotState::new(config).unwrap();
    let quote = Quote { bid: dec("99"), ask: dec("101") };
    let mut opened = None;
    for candle in &candles {
        let market = Market { symbol: &symbol, candle: Some(candle), quote: Some(quote) };
        let events;
        (state, events) = tick(state, &market, candle.open_time_ms);
        if let Some(Event::Opened { entry_price, .. }) = events.first() {
            opened = Some(*entry_price);
            break;
        }
    }
    // The ask, worsened by 0.05 % slippage.
    assert_eq!(opened, Some(dec("101.0505")));
    let other = "ETH/USD".parse().unwrap();
    let market = Market { symbol: &other, candle: None, quote: Some(quote) };
    let (_, events) = tick(state, &market, 0);
    assert!(matches!(events[..], [Event::UnknownSymbol { .. }]));
}

#[test]
fn warm_up_seeds_the_strategy_without_trading_and_never_feeds_twice() {
    use auronex_core::engine::warm_up;
    let candles = candles("coinbase_btcusd_1d.csv");
    let config = config("rsi", &[], "1000");
    let symbol = config.markets[0].symbol.clone();
    let mut ticked = BotState::new(config.clone()).unwrap();
    for candle in &candles[..300] {
        let market = Market { symbol: &symbol, candle: Some(candle), quote: None };
        ticked = tick(ticked, &market, candle.open_time_ms).0;
    }
    let mut warmed = BotState::new(config).unwrap();
    assert_eq!(warm_up(&mut warmed, &symbol, &candles[..200]), Some(200));
    // Overlapping history: only the candles not yet fed count.
    assert_eq!(warm_up(&mut warmed, &symbol, &candles[100..300]), Some(100));
    assert_eq!(warmed.lanes[0].strategy, ticked.lanes[0].strategy);
    assert_eq!(warmed.lanes[0].last_candle_ms, Some(candles[299].open_time_ms));
    assert!(warmed.lanes[0].position.is_none() && warmed.last_trade_id == 0, "warm-up never trades");
    let other: auronex_core::symbol::Symbol = "NOPE/USDT".parse().unwrap();
    assert_eq!(warm_up(&mut warmed, &other, &candles[..1]), None);
}

#[test]
fn a_backtest_reports_its_equity_after_every_candle_and_the_buy_and_hold_return() {
    let candles = candles("coinbase_btcusd_1d.csv");
    let mut points = Vec::new();
    let config = config("rsi", &[], "10000");
    let report =
        auronex_core::backtest::backtest_observed(config.clone(), &candles, |time, equity| points.push((time, equity)))
            .unwrap();
    assert_eq!(report, backtest(config, &candles).unwrap(), "observing changes nothing");
    assert_eq!(points.len(), candles.len());
    assert!(points.windows(2).all(|pair| pair[0].0 < pair[1].0));
    let lowest = points.iter().map(|p| p.1).min().unwrap();
    assert!(lowest > rust_decimal::Decimal::ZERO && lowest < dec("10000"), "{lowest}");
    let (first, last) = (candles[0].close, candles[candles.len() - 1].close);
    let expected = ((last - first) / first * dec("100")).round_dp(4);
    assert_eq!(report.buy_and_hold_pct, expected);
    assert!(expected > dec("100"), "BTC rose over these years: {expected}");
}
