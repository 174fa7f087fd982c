//! Exits inside a candle, for backtests: a live bot checks its exits on every tick, a backtest
//! knows only each candle's open, high, low and close. The price is taken to move from the open
//! to the low, then to the high, then to the close (for a long position the worse extreme
//! first, so a candle that touches both the stop and the target counts as a stop), passing
//! through every level in between (a partial take-profit below the target first). A stop or
//! target crossed on the way fills at its level; one
//! the open is already beyond fills at the open (a gap). The trailing stop follows the peak
//! along the path. The time limit is left to the check at the close.

use crate::exits::{ExitLevels, ExitReason};
use crate::money::Price;

/// The first exit the path `open -> low -> high -> close` (bids, in that order; any path of
/// points works) triggers, the bid it fills at, and the index of the point the path was
/// heading to (what is left of the path is the fill, then the points from there on). Moves
/// the trailing stop as the path rises.
pub fn exit_along(levels: &mut ExitLevels, path: &[Price]) -> Option<(ExitReason, Price, usize)> {
    let (&open, rest) = path.split_first()?;
    if let Some(reason) = levels.check(open, i64::MIN) {
        return Some((reason, open, 1));
    }
    let mut at = open;
    for (index, &next) in rest.iter().enumerate() {
        let hit = if next < at { falling(levels, next) } else { rising(levels, next) };
        if let Some((reason, level)) = hit {
            return Some((reason, level, index + 1));
        }
        at = next;
    }
    None
}

/// The price falls to `to` from above every stop (else the previous point had fired): the
/// highest stop on the way fires at its level.
fn falling(levels: &ExitLevels, to: Price) -> Option<(ExitReason, Price)> {
    let stop_loss = levels.stop_loss.map(|level| (ExitReason::StopLoss, level));
    let trailing = levels.trailing.and_then(|t| t.stop).map(|level| (ExitReason::TrailingStop, level));
    let highest = match (stop_loss, trailing) {
        (Some(stop), Some(trail)) => Some(if trail.1 > stop.1 { trail } else { stop }),
        (stop, trail) => stop.or(trail),
    };
    highest.filter(|(_, level)| to <= *level)
}

/// The price rises to `to` from below the target: the target fires at its level; short of it
/// the trailing stop's peak rises to `to`.
fn rising(levels: &mut ExitLevels, to: Price) -> Option<(ExitReason, Price)> {
    if let Some(partial) = levels.partial_take_profit.filter(|partial| to >= *partial) {
        return Some((ExitReason::PartialTakeProfit, partial));
    }
    if let Some(target) = levels.take_profit.filter(|target| to >= *target) {
        return Some((ExitReason::TakeProfit, target));
    }
    // A rising price moves the trailing stop up behind it and never reaches it.
    levels.follow(to);
    None
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::exits::ExitRules;

    fn d(value: i64) -> Decimal {
        Decimal::from(value)
    }

    fn levels(rules: ExitRules) -> ExitLevels {
        rules.levels(d(100), 0)
    }

    fn first(levels: &mut ExitLevels, path: &[Price]) -> Option<(ExitReason, Price)> {
        exit_along(levels, path).map(|(reason, level, _)| (reason, level))
    }

    #[test]
    fn a_partial_take_profit_fires_first_and_the_rest_goes_on_from_its_level() {
        let rules = ExitRules { partial_take_profit_pct: Some(d(2)), ..ExitRules::bracket(d(5), d(3)) };
        let mut both = levels(rules);
        let path = [d(100), d(99), d(106), d(104)];
        assert_eq!(exit_along(&mut both, &path), Some((ExitReason::PartialTakeProfit, d(102), 2)));
        both.partial_taken();
        assert_eq!(both.stop_loss, Some(d(100)), "the stop moves to break-even");
        assert_eq!(exit_along(&mut both, &[d(102), d(106), d(104)]), Some((ExitReason::TakeProfit, d(105), 1)));
        // Back down to the entry after the partial: the break-even stop takes the rest.
        let mut back = levels(rules);
        assert_eq!(first(&mut back, &[d(100), d(99), d(103), d(98)]), Some((ExitReason::PartialTakeProfit, d(102))));
        back.partial_taken();
        assert_eq!(first(&mut back, &[d(102), d(103), d(98)]), Some((ExitReason::StopLoss, d(100))));
    }

    #[test]
    fn a_stop_crossed_inside_the_candle_fills_at_its_level_not_the_close() {
        let mut bracket = levels(ExitRules::bracket(d(5), d(2)));
        assert_eq!(first(&mut bracket, &[d(100), d(90), d(101), d(95)]), Some((ExitReason::StopLoss, d(98))));
    }

    #[test]
    fn a_gap_through_the_stop_fills_at_the_open() {
        let mut bracket = levels(ExitRules::bracket(d(5), d(2)));
        assert_eq!(first(&mut bracket, &[d(96), d(90), d(97), d(95)]), Some((ExitReason::StopLoss, d(96))));
        let mut bracket = levels(ExitRules::bracket(d(5), d(2)));
        assert_eq!(first(&mut bracket, &[d(107), d(106), d(110), d(108)]), Some((ExitReason::TakeProfit, d(107))));
    }

    #[test]
    fn a_candle_touching_both_levels_counts_as_the_stop() {
        let mut bracket = levels(ExitRules::bracket(d(5), d(2)));
        assert_eq!(first(&mut bracket, &[d(100), d(97), d(106), d(104)]), Some((ExitReason::StopLoss, d(98))));
    }

    #[test]
    fn a_target_reached_on_the_high_fills_at_the_target() {
        let mut bracket = levels(ExitRules::bracket(d(5), d(2)));
        assert_eq!(first(&mut bracket, &[d(100), d(99), d(120), d(101)]), Some((ExitReason::TakeProfit, d(105))));
    }

    #[test]
    fn nothing_fires_inside_the_levels() {
        let mut bracket = levels(ExitRules::bracket(d(5), d(2)));
        assert_eq!(first(&mut bracket, &[d(100), d(99), d(104), d(103)]), None);
    }

    #[test]
    fn the_trailing_stop_follows_the_high_then_fires_on_the_way_to_the_close() {
        let rules = ExitRules { trailing_stop_pct: Some(d(10)), ..ExitRules::default() };
        let mut trailing = levels(rules);
        // Armed at entry at 90; the high of 120 lifts it to 108; the close at 100 passes it.
        assert_eq!(first(&mut trailing, &[d(100), d(95), d(120), d(100)]), Some((ExitReason::TrailingStop, d(108))));
        let mut trailing = levels(rules);
        assert_eq!(first(&mut trailing, &[d(100), d(95), d(120), d(110)]), None);
        assert_eq!(trailing.trailing.unwrap().stop, Some(d(108)));
    }

    #[test]
    fn of_two_stops_the_higher_fires_first() {
        let rules = ExitRules { stop_loss_pct: Some(d(2)), trailing_stop_pct: Some(d(1)), ..ExitRules::default() };
        let mut both = levels(rules);
        assert_eq!(first(&mut both, &[d(100), d(90), d(100), d(100)]), Some((ExitReason::TrailingStop, d(99))));
    }

    #[test]
    fn the_time_limit_is_not_decided_inside_the_candle() {
        let rules = ExitRules { max_hold_minutes: Some(1), ..ExitRules::default() };
        let mut timed = levels(rules);
        assert_eq!(first(&mut timed, &[d(100), d(99), d(101), d(100)]), None);
    }
}
