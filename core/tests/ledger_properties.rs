//! Ledger invariants over random markets, configs and strategies: cash never goes negative,
//! equity is cash plus positions at the bid, fees always reduce P&L, and nothing is bought
//! without the cash (and the venue's minimum) to pay for it; a partial take-profit's rows
//! (the open one reduced, the sold part a new closed one) keep the open cost.

mod common;

use auronex_core::engine::{tick, BotConfig, BotState, Event, MarketConfig};
use auronex_core::exits::ExitReason;
use auronex_core::fills::FillModel;
use auronex_core::ledger::Wallet;
use auronex_core::market::{Candle, Market};
use auronex_core::rules::TradingRules;
use auronex_core::strategy::Params;
use proptest::prelude::*;
use rust_decimal::Decimal;

#[derive(Debug, Clone)]
struct Case {
    closes_cents: Vec<i64>,
    capital_cents: i64,
    fee_bp: i64,
    spread_bp: i64,
    slippage_bp: i64,
    lot_step_exp: u32,
    min_notional: i64,
    strategy: &'static str,
    exits: Vec<String>,
}

fn case() -> impl Strategy<Value = Case> {
    let walk = (100i64..1_000_000, prop::collection::vec(-800i64..=800, 20..160)).prop_map(|(start, steps)| {
        let mut price = start;
        steps
            .into_iter()
            .map(|step_bp| {
                price = (price + price * step_bp / 10_000).max(1);
                price
            })
            .collect::<Vec<_>>()
    });
    // The partial level as tenths of the final target (1 % stands for a strategy's default,
    // none of which is under 1.5 %).
    let partial = prop::option::of((1u32..10, 1u32..99));
    let exits =
        (prop::option::of(1u32..30), prop::option::of(1u32..30), prop::option::of((1u32..10, 0u32..10)), partial)
            .prop_map(|(take_profit, stop_loss, trailing, partial)| {
                let mut pairs = Vec::new();
                if let Some((tenths, share)) = partial {
                    let level = f64::from(take_profit.unwrap_or(1) * tenths) / 10.0;
                    pairs.push(format!("partial_take_profit_pct={level}"));
                    pairs.push(format!("partial_share_pct={share}"));
                }
                pairs.extend(take_profit.map(|v| format!("take_profit_pct={v}")));
                pairs.extend(stop_loss.map(|v| format!("stop_loss_pct={v}")));
                if let Some((distance, activation)) = trailing {
                    pairs.push(format!("trailing_stop_pct={distance}"));
                    pairs.push(format!("trailing_activation_pct={activation}"));
                }
                pairs
            });
    let strategy = prop_oneof![Just("scalping"), Just("rsi"), Just("macd"), Just("bollinger")];
    (walk, 0i64..2_000_000, 0i64..100, 0i64..50, 0i64..50, 0u32..6, 0i64..50, strategy, exits).prop_map(
        |(closes_cents, capital_cents, fee_bp, spread_bp, slippage_bp, lot_step_exp, min_notional, strategy, exits)| {
            Case {
                closes_cents,
                capital_cents: capital_cents.max(1),
                fee_bp,
                spread_bp,
                slippage_bp,
                lot_step_exp,
                min_notional,
                strategy,
                exits,
            }
        },
    )
}

fn small_periods(strategy: &str) -> &'static [&'static str] {
    match strategy {
        "scalping" => &["fast_period=2", "slow_period=3"],
        "rsi" => &["period=2", "oversold=40", "overbought=60"],
        "macd" => &["fast_period=2", "slow_period=4", "signal_period=2"],
        _ => &["period=3", "std_dev=0.5"],
    }
}

fn bot(case: &Case) -> BotState {
    let pairs = small_periods(case.strategy).iter().copied().chain(case.exits.iter().map(String::as_str));
    let params = Params::from_pairs(pairs).unwrap();
    let rules = TradingRules {
        maker_fee_rate: Decimal::ZERO,
        taker_fee_rate: Decimal::new(case.fee_bp, 4),
        lot_step: Decimal::new(1, case.lot_step_exp),
        min_notional: Decimal::from(case.min_notional),
    };
    let fills = FillModel::from_percents(Decimal::new(case.spread_bp, 2), Decimal::new(case.slippage_bp, 2)).unwrap();
    let market = MarketConfig { symbol: "BTC/USDT".parse().unwrap(), rules };
    let capital = Decimal::new(case.capital_cents, 2);
    BotState::new(BotConfig::from_params(case.strategy, &params, capital, fills, vec![market]).unwrap()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn ledger_invariants_hold(case in case()) {
        let mut state = bot(&case);
        let symbol = state.config.markets[0].symbol.clone();
        let rules = state.config.markets[0].rules;
        let capital = state.config.capital;
        let mut closed = Vec::new();
        // The trade rows the Worker would keep: open ones by id, with their cost.
        let mut open_rows = std::collections::BTreeMap::new();
        for (i, &cents) in case.closes_cents.iter().enumerate() {
            let close = Decimal::new(cents, 2);
            let candle = Candle { open_time_ms: i as i64 * 60_000, open: close, high: close, low: close, close, volume: Decimal::ONE };
            let market = Market { symbol: &symbol, candle: Some(&candle), quote: None };
            let cash_before = state.cash();
            let events;
            (state, events) = tick(state, &market, candle.open_time_ms + 60_000);
            for event in events {
                match event {
                    Event::Opened { trade_id, quantity, entry_price, cost, fee, .. } => {
                        prop_assert!(cost <= cash_before, "bought {cost} with {cash_before}");
                        prop_assert!(capital >= rules.min_notional);
                        prop_assert!(entry_price * quantity >= rules.min_notional);
                        prop_assert_eq!(rules.round_quantity(quantity), quantity);
                        prop_assert_eq!(cost, entry_price * quantity + fee);
                        prop_assert!(open_rows.insert(trade_id, cost).is_none());
                    }
                    Event::Reduced { trade_id, cost, .. } => {
                        let row = open_rows.get_mut(&trade_id);
                        prop_assert!(row.as_ref().is_some_and(|before| **before > cost), "reduced {trade_id}");
                        *row.unwrap() = cost;
                    }
                    Event::Closed(trade) => {
                        let gross = trade.gross_profit_loss();
                        prop_assert_eq!(trade.profit_loss, gross - trade.fees);
                        if rules.taker_fee_rate > Decimal::ZERO {
                            prop_assert!(trade.profit_loss < gross);
                        }
                        if trade.exit_reason == ExitReason::PartialTakeProfit {
                            prop_assert!(!open_rows.contains_key(&trade.trade_id), "a part has a new id");
                        } else {
                            prop_assert!(open_rows.remove(&trade.trade_id).is_some());
                        }
                        closed.push(trade);
                    }
                    _ => {}
                }
            }
            let cash = state.cash();
            prop_assert!(cash >= Decimal::ZERO, "cash {cash}");
            let ledger = Wallet::from_ledger(capital, &closed);
            prop_assert_eq!(ledger, state.wallet);
            let bid = state.config.fills.quote(&market).unwrap().bid;
            let held: Decimal = state.open_positions().map(|(_, p)| p.quantity * bid).sum();
            let open_cost: Decimal = state.open_positions().map(|(_, p)| p.cost).sum();
            prop_assert_eq!(cash, capital + ledger.realised_pnl - open_cost);
            prop_assert_eq!(open_rows.values().copied().sum::<Decimal>(), open_cost);
            prop_assert_eq!(state.equity(|_| Some(bid)), cash + held);
        }
    }
}
