//! Protections on real daily candles: after each pause a protection starts, the bot opens
//! nothing for that many candle closes, where the same bot without protections did trade.

mod common;

use auronex_core::engine::{tick, BotState, Event};
use auronex_core::market::Market;
use auronex_core::protections::Protection;
use common::{candles, config};

const DAY_MS: i64 = 86_400_000;

/// Every event of a bot ticked once per candle close, as the live cron does.
fn run(pairs: &[&str]) -> Vec<Event> {
    let candles = candles("bitstamp_ethusd_1d.csv");
    let config = config("rsi", pairs, "5000");
    let symbol = config.markets[0].symbol.clone();
    let mut state = BotState::new(config).unwrap();
    let mut events = Vec::new();
    for pair in candles.windows(2) {
        let market = Market { symbol: &symbol, candle: Some(&pair[0]), quote: None };
        let more;
        (state, more) = tick(state, &market, pair[1].open_time_ms);
        events.extend(more);
    }
    events
}

fn opened_at(events: &[Event]) -> Vec<i64> {
    events.iter().filter_map(|e| if let Event::Opened { time_ms, .. } = e { Some(*time_ms) } else { None }).collect()
}

#[test]
fn no_entry_while_a_protection_pauses_them() {
    let exits = ["stop_loss_pct=3", "take_profit_pct=6", "entry=below", "oversold=40"];
    let cases: [(&[&str], Protection); 3] = [
        (&["cooldown_candles=6"], Protection::Cooldown),
        (
            &["stoploss_guard_stops=2", "stoploss_guard_window_candles=30", "stoploss_guard_pause_candles=10"],
            Protection::StoplossGuard,
        ),
        (
            &["max_drawdown_pct=5", "max_drawdown_window_candles=60", "max_drawdown_pause_candles=15"],
            Protection::MaxDrawdown,
        ),
    ];
    let free = opened_at(&run(&exits));
    for (protection_pairs, expected) in cases {
        let pairs: Vec<&str> = exits.iter().chain(protection_pairs).copied().collect();
        let events = run(&pairs);
        let opened = opened_at(&events);
        let pauses: Vec<(i64, i64)> = events
            .iter()
            .filter_map(|e| match e {
                Event::Paused { protection, candles, time_ms, .. } if *protection == expected => {
                    Some((*time_ms, *time_ms + i64::from(*candles) * DAY_MS))
                }
                _ => None,
            })
            .collect();
        assert!(pauses.len() >= 2, "{expected:?} paused {} times", pauses.len());
        for (from, to) in &pauses {
            assert!(!opened.iter().any(|at| at >= from && at <= to), "{expected:?}: an entry inside {from}..={to}");
        }
        let held_back = pauses.iter().filter(|(from, to)| free.iter().any(|at| at > from && at <= to)).count();
        assert!(held_back >= 1, "{expected:?}: the bot without protections never traded in a pause");
        let skipped =
            events.iter().filter(|e| matches!(e, Event::EntryPaused { protection, .. } if *protection == expected));
        let line = skipped.clone().next().expect("a skipped entry is reported").activity_line();
        assert!(line.starts_with("entry on BTC/USD skipped: "), "{line}");
        let paused = events.iter().find(|e| matches!(e, Event::Paused { .. })).unwrap().activity_line();
        assert!(paused.contains(": entries paused for "), "{paused}");
    }
}

#[test]
fn a_state_stored_before_protections_existed_loads_with_none() {
    let state = BotState::new(config("rsi", &[], "1000")).unwrap();
    let mut json: serde_json::Value = serde_json::to_value(&state).unwrap();
    json.as_object_mut().unwrap().remove("protections");
    json["config"].as_object_mut().unwrap().remove("protections");
    let loaded: BotState = serde_json::from_value(json).unwrap();
    assert_eq!(loaded, state);
}
