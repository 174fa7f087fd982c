//! Protections (freqtrade's): pauses of a bot's entries after losses, counted in candles the
//! bot has closed. A cooldown keeps one symbol out after a stop-out; the stop-loss guard pauses
//! every symbol after several stop-outs within a window; the drawdown lock pauses every symbol
//! when the realised balance falls a given percentage below its peak within a window.
//!
//! A pause of N candles skips the entries of the next N candle closes after the loss (the
//! close of the candle it happened in counts as the first). Only entries pause: exits go on.

use std::collections::VecDeque;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::exits::ExitReason;
use crate::ledger::ClosedTrade;
use crate::money::Amount;
use crate::strategy::{ParamError, ParamReader};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Protections {
    /// Candle closes a symbol skips entering after a stop-out on it (0: off).
    pub cooldown_candles: u32,
    pub stoploss_guard: Option<StoplossGuard>,
    pub drawdown_lock: Option<DrawdownLock>,
}

/// `stop_outs` stop-outs within `window_candles` pause all entries for `pause_candles`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoplossGuard {
    pub stop_outs: u32,
    pub window_candles: u32,
    pub pause_candles: u32,
}

/// A realised balance `max_drawdown_pct` below its peak of the last `window_candles` pauses
/// all entries for `pause_candles`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawdownLock {
    pub max_drawdown_pct: Decimal,
    pub window_candles: u32,
    pub pause_candles: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Protection {
    Cooldown,
    StoplossGuard,
    MaxDrawdown,
}

impl Protection {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cooldown => "cooldown",
            Self::StoplossGuard => "stoploss_guard",
            Self::MaxDrawdown => "max_drawdown",
        }
    }
}

/// A pause in force: entries are skipped while the bot's candle count is at most `last_candle`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub protection: Protection,
    pub last_candle: u64,
}

impl Pause {
    fn holds_at(&self, candle: u64) -> bool {
        candle <= self.last_candle
    }
}

/// A pause a close started, for the activity feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Started {
    pub protection: Protection,
    pub candles: u32,
    /// What set it off, in words.
    pub cause: String,
}

/// What the protections remember between ticks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ProtectionState {
    /// Candle closes the bot has seen (distinct open times over its symbols).
    pub candle: u64,
    last_candle_ms: Option<i64>,
    /// The candle count at each recent stop-out, oldest first.
    stop_outs: VecDeque<u64>,
    /// (candle count, realised balance) after each recent close, oldest first.
    balances: VecDeque<(u64, Amount)>,
    /// The realised balance just before the oldest entry of `balances`.
    balance_before: Option<Amount>,
    /// A pause over every symbol.
    pub bot_pause: Option<Pause>,
    /// Cooldowns by symbol index.
    pub symbol_pauses: Vec<Option<Pause>>,
}

impl Protections {
    /// Reads the protection keys over their defaults (everything off).
    pub fn read(reader: &mut ParamReader) -> Result<Self, ParamError> {
        let candles =
            |reader: &mut ParamReader, key, default| reader.period(key, default, 1, 100_000).map(|n| n as u32);
        let cooldown_candles = reader.period("cooldown_candles", 0, 0, 100_000)? as u32;
        let stop_outs = reader.period("stoploss_guard_stops", 0, 0, 1_000)? as u32;
        let guard_window = candles(reader, "stoploss_guard_window_candles", 24)?;
        let guard_pause = candles(reader, "stoploss_guard_pause_candles", 12)?;
        let drawdown = reader.optional_percent("max_drawdown_pct", None, Decimal::from(99))?;
        let drawdown_window = candles(reader, "max_drawdown_window_candles", 48)?;
        let drawdown_pause = candles(reader, "max_drawdown_pause_candles", 24)?;
        Ok(Self {
            cooldown_candles,
            stoploss_guard: (stop_outs > 0).then_some(StoplossGuard {
                stop_outs,
                window_candles: guard_window,
                pause_candles: guard_pause,
            }),
            drawdown_lock: drawdown.map(|max_drawdown_pct| DrawdownLock {
                max_drawdown_pct,
                window_candles: drawdown_window,
                pause_candles: drawdown_pause,
            }),
        })
    }
}

/// A stop-out: closed by the stop-loss, or by the trailing stop at a loss.
fn is_stop_out(trade: &ClosedTrade) -> bool {
    match trade.exit_reason {
        ExitReason::StopLoss => true,
        ExitReason::TrailingStop => trade.profit_loss < Decimal::ZERO,
        _ => false,
    }
}

impl ProtectionState {
    /// Counts a candle close when `open_time_ms` is newer than any the bot has seen.
    pub fn on_candle(&mut self, open_time_ms: i64) {
        if self.last_candle_ms.is_none_or(|last| open_time_ms > last) {
            self.last_candle_ms = Some(open_time_ms);
            self.candle += 1;
        }
    }

    /// The pause that holds entries on symbol `lane` back now, if any.
    pub fn pause_on(&self, lane: usize) -> Option<Pause> {
        let now = self.candle;
        let bot = self.bot_pause.filter(|pause| pause.holds_at(now));
        let symbol = self.symbol_pauses.get(lane).copied().flatten().filter(|pause| pause.holds_at(now));
        [bot, symbol].into_iter().flatten().max_by_key(|pause| pause.last_candle)
    }

    /// Takes a close on symbol `lane` into account, leaving `balance` (start capital plus the
    /// realised profit) and returns the pauses it starts.
    pub fn on_close(&mut self, rules: &Protections, lane: usize, trade: &ClosedTrade, balance: Amount) -> Vec<Started> {
        let now = self.candle;
        let mut started = Vec::new();
        let stop_out = is_stop_out(trade);
        if stop_out && rules.cooldown_candles > 0 {
            if self.symbol_pauses.len() <= lane {
                self.symbol_pauses.resize(lane + 1, None);
            }
            let last_candle = now + u64::from(rules.cooldown_candles);
            self.symbol_pauses[lane] = Some(Pause { protection: Protection::Cooldown, last_candle });
            let cause = format!("{} on {}", trade.exit_reason.as_str(), trade.symbol);
            started.push(Started { protection: Protection::Cooldown, candles: rules.cooldown_candles, cause });
        }
        if let Some(guard) = rules.stoploss_guard {
            if stop_out {
                self.stop_outs.push_back(now);
            }
            let window = u64::from(guard.window_candles);
            self.stop_outs.retain(|&at| at + window > now);
            if stop_out && self.stop_outs.len() >= guard.stop_outs as usize {
                self.stop_outs.clear();
                self.pause_bot(Protection::StoplossGuard, guard.pause_candles);
                let cause = format!("{} stop-outs within {} candles", guard.stop_outs, guard.window_candles);
                started.push(Started { protection: Protection::StoplossGuard, candles: guard.pause_candles, cause });
            }
        }
        if let Some(lock) = rules.drawdown_lock {
            if let Some(drop_pct) = self.drawdown_after(balance, trade.profit_loss, lock.window_candles) {
                if drop_pct >= lock.max_drawdown_pct {
                    self.pause_bot(Protection::MaxDrawdown, lock.pause_candles);
                    self.balances.clear();
                    self.balance_before = Some(balance);
                    let cause = format!("balance {}% below its peak", drop_pct.round_dp(2).normalize());
                    started.push(Started { protection: Protection::MaxDrawdown, candles: lock.pause_candles, cause });
                }
            }
        }
        started
    }

    /// Records `balance` (reached by a close of `profit_loss`) and returns how far, in percent,
    /// it is below the highest balance of the last `window` candles, the one before them included.
    fn drawdown_after(&mut self, balance: Amount, profit_loss: Amount, window: u32) -> Option<Decimal> {
        let mut before = self.balance_before.unwrap_or(balance - profit_loss);
        let (now, window) = (self.candle, u64::from(window));
        while let Some(&(_, amount)) = self.balances.front().filter(|&&(at, _)| at + window <= now) {
            before = amount;
            self.balances.pop_front();
        }
        self.balance_before = Some(before);
        self.balances.push_back((self.candle, balance));
        let peak = self.balances.iter().map(|&(_, amount)| amount).fold(before, Decimal::max);
        (peak > Decimal::ZERO).then(|| (peak - balance) / peak * Decimal::ONE_HUNDRED)
    }

    /// Pauses every symbol for `candles`, or longer if a longer pause is already in force.
    fn pause_bot(&mut self, protection: Protection, candles: u32) {
        let pause = Pause { protection, last_candle: self.candle + u64::from(candles) };
        self.bot_pause = Some(match self.bot_pause {
            Some(current) if current.last_candle > pause.last_candle => current,
            _ => pause,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trade(reason: ExitReason, profit_loss: i64) -> ClosedTrade {
        ClosedTrade::sample(Decimal::from(profit_loss), reason)
    }

    fn candles(state: &mut ProtectionState, count: i64) {
        for _ in 0..count {
            let next = state.last_candle_ms.map_or(0, |last| last + 60_000);
            state.on_candle(next);
        }
    }

    /// How many of the next `closes` candle closes keep entries on `lane` paused.
    fn paused_closes(state: &mut ProtectionState, lane: usize, closes: usize) -> usize {
        (0..closes)
            .filter(|_| {
                candles(state, 1);
                state.pause_on(lane).is_some()
            })
            .count()
    }

    #[test]
    fn a_cooldown_skips_the_next_closes_on_that_symbol_only() {
        let rules = Protections { cooldown_candles: 3, ..Protections::default() };
        let mut state = ProtectionState::default();
        candles(&mut state, 10);
        let started = state.on_close(&rules, 1, &trade(ExitReason::StopLoss, -5), Decimal::from(995));
        assert_eq!(started.len(), 1);
        assert_eq!(started[0].protection, Protection::Cooldown);
        assert_eq!(state.pause_on(0), None, "another symbol trades on");
        assert_eq!(paused_closes(&mut state.clone(), 1, 10), 3);
        // A take-profit, or a trailing stop at a profit, is no stop-out.
        let mut calm = ProtectionState::default();
        assert!(calm.on_close(&rules, 0, &trade(ExitReason::TakeProfit, 5), Decimal::from(1005)).is_empty());
        assert!(calm.on_close(&rules, 0, &trade(ExitReason::TrailingStop, 5), Decimal::from(1010)).is_empty());
        assert_eq!(calm.on_close(&rules, 0, &trade(ExitReason::TrailingStop, -1), Decimal::from(1009)).len(), 1);
    }

    #[test]
    fn the_stoploss_guard_counts_stop_outs_within_its_window() {
        let guard = StoplossGuard { stop_outs: 2, window_candles: 5, pause_candles: 4 };
        let rules = Protections { stoploss_guard: Some(guard), ..Protections::default() };
        let stop = trade(ExitReason::StopLoss, -5);
        let mut spread = ProtectionState::default();
        assert!(spread.on_close(&rules, 0, &stop, Decimal::from(995)).is_empty());
        candles(&mut spread, 5);
        assert!(spread.on_close(&rules, 1, &stop, Decimal::from(990)).is_empty(), "the first fell out of the window");
        candles(&mut spread, 4);
        let started = spread.on_close(&rules, 0, &stop, Decimal::from(985));
        assert_eq!(started[0].protection, Protection::StoplossGuard);
        assert_eq!(started[0].cause, "2 stop-outs within 5 candles");
        assert!(spread.pause_on(3).is_some(), "every symbol pauses");
        assert_eq!(paused_closes(&mut spread, 2, 10), 4);
    }

    #[test]
    fn the_drawdown_lock_measures_from_the_windows_peak() {
        let lock = DrawdownLock { max_drawdown_pct: Decimal::from(8), window_candles: 10, pause_candles: 6 };
        let rules = Protections { drawdown_lock: Some(lock), ..Protections::default() };
        let mut state = ProtectionState::default();
        assert!(state.on_close(&rules, 0, &trade(ExitReason::Signal, 100), Decimal::from(1100)).is_empty());
        candles(&mut state, 3);
        assert!(state.on_close(&rules, 0, &trade(ExitReason::Signal, -50), Decimal::from(1050)).is_empty());
        candles(&mut state, 3);
        // 1,100 down to 1,010: 8.18 % below the peak.
        let started = state.on_close(&rules, 0, &trade(ExitReason::Signal, -40), Decimal::from(1010));
        assert_eq!(started[0].protection, Protection::MaxDrawdown);
        assert_eq!(started[0].cause, "balance 8.18% below its peak");
        assert_eq!(paused_closes(&mut state, 0, 10), 6);
        // The same fall spread over more than the window does not lock.
        let mut slow = ProtectionState::default();
        slow.on_close(&rules, 0, &trade(ExitReason::Signal, 100), Decimal::from(1100));
        candles(&mut slow, 11);
        assert!(slow.on_close(&rules, 0, &trade(ExitReason::Signal, -50), Decimal::from(1050)).is_empty());
        candles(&mut slow, 11);
        assert!(slow.on_close(&rules, 0, &trade(ExitReason::Signal, -40), Decimal::from(1010)).is_empty());
        // The start capital counts as the balance before the first close.
        let mut first = ProtectionState::default();
        assert_eq!(first.on_close(&rules, 0, &trade(ExitReason::StopLoss, -90), Decimal::from(910)).len(), 1);
    }

    #[test]
    fn a_shorter_pause_never_cuts_a_longer_one() {
        let guard = StoplossGuard { stop_outs: 1, window_candles: 5, pause_candles: 2 };
        let lock = DrawdownLock { max_drawdown_pct: Decimal::ONE, window_candles: 10, pause_candles: 8 };
        let rules = Protections { stoploss_guard: Some(guard), drawdown_lock: Some(lock), ..Protections::default() };
        let mut state = ProtectionState::default();
        let started = state.on_close(&rules, 0, &trade(ExitReason::StopLoss, -50), Decimal::from(950));
        assert_eq!(started.len(), 2, "{started:?}");
        assert_eq!(paused_closes(&mut state, 0, 12), 8);
    }

    #[test]
    fn reads_its_keys_with_everything_off_by_default() {
        let params = crate::strategy::Params::from_pairs(["cooldown_candles=2", "max_drawdown_pct=10"]).unwrap();
        let mut reader = ParamReader::new(&params, "rsi");
        let read = Protections::read(&mut reader).unwrap();
        assert_eq!(read.cooldown_candles, 2);
        assert_eq!(read.stoploss_guard, None);
        assert_eq!(read.drawdown_lock.unwrap().window_candles, 48);
        let none = crate::strategy::Params::default();
        assert_eq!(Protections::read(&mut ParamReader::new(&none, "rsi")).unwrap(), Protections::default());
        let bad = crate::strategy::Params::from_pairs(["stoploss_guard_window_candles=0"]).unwrap();
        assert!(Protections::read(&mut ParamReader::new(&bad, "rsi")).is_err());
    }
}
