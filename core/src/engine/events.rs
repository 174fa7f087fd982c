//! What a tick did, rich enough for the Worker to write trade rows and bot-activity lines.

use serde::{Deserialize, Serialize};

use crate::fills::Refusal;
use crate::ledger::ClosedTrade;
use crate::money::{Amount, Price, Quantity};
use crate::protections::Protection;
use crate::symbol::Symbol;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A buy filled: insert an open trade row.
    Opened {
        trade_id: u64,
        symbol: Symbol,
        entry_price: Price,
        quantity: Quantity,
        fee: Amount,
        cost: Amount,
        time_ms: i64,
    },
    /// A position was sold: complete the trade row.
    Closed(ClosedTrade),
    /// Part of an open position was sold (a `Closed` trade with a new id follows): the open
    /// trade row now holds `quantity`, which cost `cost` with `fee` of entry fee.
    Reduced { trade_id: u64, symbol: Symbol, quantity: Quantity, fee: Amount, cost: Amount, time_ms: i64 },
    /// The strategy wanted in but the order could not be placed.
    EntryRefused { symbol: Symbol, reason: Refusal, time_ms: i64 },
    /// The market snapshot named a symbol this bot does not trade.
    UnknownSymbol { symbol: Symbol, time_ms: i64 },
    /// Neither a usable quote nor a candle: nothing could be priced.
    NoPrice { symbol: Symbol, time_ms: i64 },
    /// A close set a protection off: entries pause for `candles` candle closes.
    Paused { protection: Protection, candles: u32, cause: String, time_ms: i64 },
    /// The strategy wanted in but a protection holds entries back; they resume `candles_left`
    /// closes from this one.
    EntryPaused { symbol: Symbol, protection: Protection, candles_left: u64, time_ms: i64 },
}

impl Event {
    /// One line for the bot's activity feed.
    pub fn activity_line(&self) -> String {
        match self {
            Event::Opened { symbol, entry_price, quantity, fee, .. } => format!(
                "BUY {} {symbol} @ {} (fee {})",
                quantity.normalize(),
                entry_price.round_dp(8).normalize(),
                fee.round_dp(8).normalize()
            ),
            Event::Closed(trade) => format!(
                "SELL {} {} @ {} ({}): P&L {} ({}%)",
                trade.quantity.normalize(),
                trade.symbol,
                trade.exit_price.round_dp(8).normalize(),
                trade.exit_reason.as_str(),
                trade.profit_loss.round_dp(8).normalize(),
                trade.profit_pct.round_dp(2).normalize()
            ),
            Event::Reduced { symbol, quantity, .. } => {
                format!("partial take-profit on {symbol}: {} stay open", quantity.normalize())
            }
            Event::EntryRefused { symbol, reason, .. } => {
                format!("entry on {symbol} refused: {reason}")
            }
            Event::UnknownSymbol { symbol, .. } => format!("{symbol} is not traded by this bot"),
            Event::NoPrice { symbol, .. } => format!("no price for {symbol}"),
            Event::Paused { protection, candles, cause, .. } => {
                format!(
                    "{}: entries paused for {} after {cause}",
                    protection.as_str(),
                    candles_text(u64::from(*candles))
                )
            }
            Event::EntryPaused { symbol, protection, candles_left, .. } => {
                format!(
                    "entry on {symbol} skipped: {} (entries resume in {})",
                    protection.as_str(),
                    candles_text(*candles_left)
                )
            }
        }
    }
}

fn candles_text(count: u64) -> String {
    if count == 1 {
        "1 candle".to_string()
    } else {
        format!("{count} candles")
    }
}
