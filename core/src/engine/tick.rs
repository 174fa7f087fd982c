//! One step of a bot for one symbol: feed a new closed candle to the strategy, then close the
//! open position if an exit rule or the strategy says so, or open one on an entry signal.

use crate::exits::ExitReason;
use crate::fills::{self, Entry};
use crate::intrabar;
use crate::ledger::ClosedTrade;
use crate::market::{Candle, Market, Quote};
use crate::money::to_f64;
use crate::money::Price;
use crate::strategy::Signal;

use super::{BotState, Event};

/// Advances `state` with what `market` says at `now_ms`. Pure: the same state, market and time
/// always give the same new state and events, live or in a backtest.
pub fn tick(mut state: BotState, market: &Market, now_ms: i64) -> (BotState, Vec<Event>) {
    let events = step(&mut state, market, now_ms);
    (state, events)
}

/// [`tick`] on a borrowed state, for loops that keep the state in place (the backtester).
pub fn step(state: &mut BotState, market: &Market, now_ms: i64) -> Vec<Event> {
    let mut events = Vec::new();
    let Some(index) = lane_of(state, market, now_ms, &mut events) else {
        return events;
    };
    step_lane(state, index, market, now_ms, &mut events);
    events
}

/// [`step`] for the lane at `index`, which must be the one trading `market.symbol` (the
/// backtester resolves it once rather than per candle). Returns the quote it priced with,
/// when it needed one: what `state.config.fills.quote(market)` gives.
pub(crate) fn step_lane(
    state: &mut BotState,
    index: usize,
    market: &Market,
    now_ms: i64,
    events: &mut Vec<Event>,
) -> Option<Quote> {
    let signal = feed_candle(state, index, market);
    if signal != Signal::Enter && state.lanes[index].position.is_none() {
        return None;
    }
    let Some(quote) = state.config.fills.quote(market) else {
        let symbol = market.symbol.clone();
        events.push(Event::NoPrice { symbol, time_ms: now_ms });
        return None;
    };
    if let Some(position) = &mut state.lanes[index].position {
        let rule = position.exits.check(quote.bid, now_ms);
        if let Some(reason) = rule.or((signal == Signal::Exit).then_some(ExitReason::Signal)) {
            let price = state.config.fills.sell_price(&quote);
            exit(state, index, price, now_ms, reason, events);
        }
    } else if let Some(pause) = state.protections.pause_on(index) {
        let candles_left = pause.last_candle + 1 - state.protections.candle;
        let (symbol, protection) = (market.symbol.clone(), pause.protection);
        events.push(Event::EntryPaused { symbol, protection, candles_left, time_ms: now_ms });
    } else {
        let price = state.config.fills.buy_price(&quote);
        let entry = Entry {
            trade_id: state.last_trade_id + 1,
            budget: state.config.stake(),
            available_cash: state.cash(),
            rules: &state.config.markets[index].rules,
            exits: &state.config.exits,
        };
        let symbol = market.symbol.clone();
        match fills::open(entry, price, now_ms) {
            Ok(position) => {
                state.last_trade_id = position.trade_id;
                events.push(Event::Opened {
                    trade_id: position.trade_id,
                    symbol,
                    entry_price: position.entry_price,
                    quantity: position.quantity,
                    fee: position.entry_fee,
                    cost: position.cost,
                    time_ms: now_ms,
                });
                state.lanes[index].position = Some(position);
            }
            Err(reason) => events.push(Event::EntryRefused { symbol, reason, time_ms: now_ms }),
        }
    }
    Some(quote)
}

/// For backtests, before `candle`'s close is fed: closes the lane's position when its exits
/// fire inside the candle (the path and fills of [`intrabar::exit_along`]), at the level's
/// sell price and the candle's close time.
pub(crate) fn exit_inside_candle(
    state: &mut BotState,
    index: usize,
    candle: &Candle,
    now_ms: i64,
    events: &mut Vec<Event>,
) {
    let fills = state.config.fills;
    let bid = |price| Quote::around(price, fills.half_spread).bid;
    if state.lanes[index].position.is_none() {
        return;
    }
    // On the stack, and only with a position open: this runs for every candle of a backtest.
    let mut path = [bid(candle.open), bid(candle.low), bid(candle.high), bid(candle.close)];
    let mut from = 0;
    loop {
        let Some(position) = &mut state.lanes[index].position else {
            return;
        };
        let Some((reason, level, reached)) = intrabar::exit_along(&mut position.exits, &path[from..]) else {
            return;
        };
        let price = fills.sell_price(&Quote { bid: level, ask: level });
        exit(state, index, price, now_ms, reason, events);
        if reason != ExitReason::PartialTakeProfit {
            return;
        }
        // The rest of the position goes on along the path from the partial's level.
        from += reached - 1;
        path[from] = level;
    }
}

/// Feeds `candles` (oldest first) of `symbol` to the strategy without trading on them: seeds a
/// newly started bot's indicators from history and catches up candles a tick missed. Candles
/// already fed are skipped; returns how many were fed (`None`: the bot does not trade `symbol`).
pub fn warm_up(state: &mut BotState, symbol: &crate::symbol::Symbol, candles: &[Candle]) -> Option<usize> {
    let index = state.config.markets.iter().position(|m| &m.symbol == symbol)?;
    let lane = &mut state.lanes[index];
    let mut fed = 0;
    for candle in candles {
        if lane.last_candle_ms.is_none_or(|last| candle.open_time_ms > last) {
            lane.last_candle_ms = Some(candle.open_time_ms);
            lane.strategy.on_close(to_f64(candle.close));
            state.protections.on_candle(candle.open_time_ms);
            fed += 1;
        }
    }
    Some(fed)
}

/// Closes the position in `market`'s symbol, if any, at the current sell price: used when a
/// bot is stopped and when a backtest runs out of data.
pub fn force_exit(mut state: BotState, market: &Market, now_ms: i64) -> (BotState, Vec<Event>) {
    let mut events = Vec::new();
    let Some(index) = lane_of(&state, market, now_ms, &mut events) else {
        return (state, events);
    };
    if state.lanes[index].position.is_none() {
        return (state, events);
    }
    match state.config.fills.quote(market) {
        Some(quote) => {
            let price = state.config.fills.sell_price(&quote);
            close(&mut state, index, price, now_ms, ExitReason::ForceExit, &mut events);
        }
        None => events.push(Event::NoPrice { symbol: market.symbol.clone(), time_ms: now_ms }),
    }
    (state, events)
}

fn lane_of(state: &BotState, market: &Market, now_ms: i64, events: &mut Vec<Event>) -> Option<usize> {
    let index = state.config.markets.iter().position(|m| &m.symbol == market.symbol);
    if index.is_none() {
        let symbol = market.symbol.clone();
        events.push(Event::UnknownSymbol { symbol, time_ms: now_ms });
    }
    index
}

/// Feeds the market's candle to the strategy unless that candle (or a later one) was fed.
fn feed_candle(state: &mut BotState, index: usize, market: &Market) -> Signal {
    let lane = &mut state.lanes[index];
    match market.candle {
        Some(candle) if lane.last_candle_ms.is_none_or(|last| candle.open_time_ms > last) => {
            lane.last_candle_ms = Some(candle.open_time_ms);
            state.protections.on_candle(candle.open_time_ms);
            lane.strategy.on_close(to_f64(candle.close))
        }
        _ => Signal::Hold,
    }
}

/// Closes the position, or for a partial take-profit sells its share and keeps the rest open
/// (whole, and the partial target spent, when the venue's rules cannot split it).
fn exit(state: &mut BotState, index: usize, price: Price, now_ms: i64, reason: ExitReason, events: &mut Vec<Event>) {
    if reason != ExitReason::PartialTakeProfit {
        return close(state, index, price, now_ms, reason, events);
    }
    let Some(position) = &mut state.lanes[index].position else {
        return;
    };
    position.exits.partial_taken();
    let market = &state.config.markets[index];
    let share = state.config.exits.partial_share_pct;
    let part_id = state.last_trade_id + 1;
    let Some((part, rest)) = fills::split(position, &market.symbol, &market.rules, share, price, now_ms, part_id)
    else {
        return;
    };
    let symbol = market.symbol.clone();
    events.push(Event::Reduced {
        trade_id: rest.trade_id,
        symbol,
        quantity: rest.quantity,
        fee: rest.entry_fee,
        cost: rest.cost,
        time_ms: now_ms,
    });
    *position = rest;
    state.last_trade_id = part_id;
    record(state, index, part, now_ms, events);
}

fn close(state: &mut BotState, index: usize, price: Price, now_ms: i64, reason: ExitReason, events: &mut Vec<Event>) {
    let Some(position) = state.lanes[index].position.take() else {
        return;
    };
    let market = &state.config.markets[index];
    let trade = fills::close(&position, &market.symbol, &market.rules, price, now_ms, reason);
    record(state, index, trade, now_ms, events);
}

/// Books a sale: the wallet, the protections, the events.
fn record(state: &mut BotState, index: usize, trade: ClosedTrade, now_ms: i64, events: &mut Vec<Event>) {
    state.wallet.record(&trade);
    let balance = state.wallet.cash(rust_decimal::Decimal::ZERO);
    let started = state.protections.on_close(&state.config.protections, index, &trade, balance);
    events.push(Event::Closed(trade));
    for pause in started {
        let (protection, candles, cause) = (pause.protection, pause.candles, pause.cause);
        events.push(Event::Paused { protection, candles, cause, time_ms: now_ms });
    }
}
