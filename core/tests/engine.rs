//! The engine on real candles: every strategy trades, a bot persisted as JSON between ticks
//! trades exactly like one kept in memory, and candles are never fed twice.

mod common;

use auronex_core::backtest::backtest;
use auronex_core::engine::{tick, BotState, Event};
use auronex_core::market::{Market, Quote};
use auronex_core::strategy::STRATEGY_NAMES;
use common::{candles, config, dec};

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

#[test]
fn a_bot_persisted_between_ticks_trades_like_a_backtest() {
    let candles = candles("bitstamp_ethusd_1d.csv");
    let pairs = ["trailing_stop_pct=3", "trailing_activation_pct=2", "max_hold_minutes=14400"];
    for name in STRATEGY_NAMES {
        let config = config(name, &pairs, "5000");
        let expected = backtest(config.clone(), &candles).unwrap().trades;
        let symbol = config.markets[0].symbol.clone();
        let mut stored = serde_json::to_string(&BotState::new(config).unwrap()).unwrap();
        let mut trades = Vec::new();
        for pair in candles.windows(2) {
            let state: BotState = serde_json::from_str(&stored).unwrap();
            let market = Market { symbol: &symbol, candle: Some(&pair[0]), quote: None };
            let (state, events) = tick(state, &market, pair[1].open_time_ms);
            stored = serde_json::to_string(&state).unwrap();
            trades.extend(events.into_iter().filter_map(|e| match e {
                Event::Closed(trade) => Some(trade),
                _ => None,
            }));
        }
        assert!(!trades.is_empty(), "{name}");
        assert_eq!(trades[..], expected[..trades.len()], "{name}");
        assert!(expected.len() - trades.len() <= 1, "{name}: only a final force exit may differ");
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
