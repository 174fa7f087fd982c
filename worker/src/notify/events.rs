//! What a user is told about their bots (pure): the JSON event pushed to their `/api/stream`
//! sockets and, for trades and errors, the line sent to their Telegram chat.
//!
//! Event shapes (one JSON text message each):
//! - `{"type":"trade_opened"|"trade_closed","at","bot_id","bot_name","trade":{...}}`, `trade`
//!   being the trade as `GET /api/trades/` shows it;
//! - `{"type":"activity","at","bot_id","bot_name","action","message"}`, the line just added to
//!   `GET /api/bot-activity/recent` (`action`: buy, sell, skipped, protection, error).

use auronex_core::engine::Event;
use serde_json::{json, Value};

use crate::bots::ledger::TradeView;
use crate::bots::BotRow;

/// One thing to tell one user, once the write it describes is known to have landed.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    pub user_id: String,
    pub bot_id: String,
    pub event: Value,
    /// The Telegram line, for trades opened or closed and bot errors.
    pub telegram: Option<String>,
    /// Index (within its unit of writes) of the statement whose change proves the write landed.
    pub proof: usize,
}

/// RFC 3339 UTC with milliseconds, as JavaScript's `toISOString` writes it.
pub use crate::clock::rfc3339_from_ms as rfc3339;

fn header(kind: &str, bot_id: &str, bot_name: &str, at_ms: i64) -> Value {
    json!({"type": kind, "at": rfc3339(at_ms), "bot_id": bot_id, "bot_name": bot_name})
}

/// An amount as the ledger records it (rounded half-even to its places), so an event shows
/// what the trade list will.
fn ledger(amount: rust_decimal::Decimal) -> rust_decimal::Decimal {
    use rust_decimal::RoundingStrategy::MidpointNearestEven;
    amount.round_dp_with_strategy(auronex_core::money::LEDGER_DP, MidpointNearestEven).normalize()
}

/// The trade event for a buy or a sell; other engine events are activity only.
pub fn trade(bot: &BotRow, event: &Event, proof: usize) -> Option<Notice> {
    let (kind, view, at_ms) = match event {
        Event::Opened { trade_id, symbol, entry_price, quantity, fee, cost, time_ms } => {
            let view = TradeView {
                id: format!("{}:{trade_id}", bot.id),
                bot_id: bot.id.clone(),
                exchange: bot.exchange.clone(),
                symbol: symbol.to_string(),
                quote_currency: bot.quote_currency.clone(),
                side: "buy".into(),
                status: "open".into(),
                entry_price: *entry_price,
                exit_price: None,
                quantity: *quantity,
                cost: ledger(*cost),
                fees: ledger(*fee),
                profit_loss: None,
                profit_pct: None,
                entry_time: rfc3339(*time_ms),
                exit_time: None,
                exit_reason: None,
            };
            ("trade_opened", view, *time_ms)
        }
        Event::Closed(trade) => {
            let view = TradeView {
                id: format!("{}:{}", bot.id, trade.trade_id),
                bot_id: bot.id.clone(),
                exchange: bot.exchange.clone(),
                symbol: trade.symbol.to_string(),
                quote_currency: bot.quote_currency.clone(),
                side: "buy".into(),
                status: "closed".into(),
                entry_price: trade.entry_price,
                exit_price: Some(trade.exit_price),
                quantity: trade.quantity,
                cost: ledger(trade.entry_price * trade.quantity),
                fees: ledger(trade.fees),
                profit_loss: Some(ledger(trade.profit_loss)),
                profit_pct: Some(trade.profit_pct.round_dp(4)),
                entry_time: rfc3339(trade.entry_time_ms),
                exit_time: Some(rfc3339(trade.exit_time_ms)),
                exit_reason: Some(trade.exit_reason.as_str().to_string()),
            };
            ("trade_closed", view, trade.exit_time_ms)
        }
        _ => return None,
    };
    let mut value = header(kind, &bot.id, &bot.name, at_ms);
    value["trade"] = serde_json::to_value(&view).unwrap_or(Value::Null);
    let telegram = format!("{} on {}: {}", bot.name, bot.exchange, event.activity_line());
    Some(Notice { user_id: bot.user_id.clone(), bot_id: bot.id.clone(), event: value, telegram: Some(telegram), proof })
}

/// The event for a new activity line of (user id, bot id, bot name); errors and protections
/// pausing the bot's entries also go to Telegram.
pub fn activity(
    (user_id, bot_id, bot_name): (&str, &str, &str),
    action: &str,
    message: &str,
    at_ms: i64,
    proof: usize,
) -> Notice {
    let mut value = header("activity", bot_id, bot_name, at_ms);
    value["action"] = action.into();
    value["message"] = message.into();
    let telegram = match action {
        "error" => Some(format!("{bot_name} error: {message}")),
        "protection" => Some(format!("{bot_name}: {message}")),
        _ => None,
    };
    Notice { user_id: user_id.into(), bot_id: bot_id.into(), event: value, telegram, proof }
}

/// Whether a unit's notices landed: each is kept when its proof statement changed a row
/// (`changes[i]` is what statement `i` of the unit changed).
pub fn proven(notices: Vec<Notice>, changes: &[usize]) -> Vec<Notice> {
    notices.into_iter().filter(|n| changes.get(n.proof).is_some_and(|c| *c > 0)).collect()
}

#[cfg(test)]
mod tests {
    use auronex_core::ledger::ClosedTrade;
    use rust_decimal::Decimal;

    use super::*;
    use crate::bots::wallet::tests::bot;

    #[test]
    fn trades_are_shown_as_the_trades_api_shows_them() {
        let bot = BotRow { name: "Dip buyer".into(), ..bot("b1", "USDT", "100", true) };
        let opened = Event::Opened {
            trade_id: 3,
            symbol: "BTC/USDT".parse().unwrap(),
            entry_price: Decimal::new(1005, 1),
            quantity: Decimal::TWO,
            fee: Decimal::new(201, 3),
            cost: Decimal::new(2012, 1),
            time_ms: 1_790_000_000_000,
        };
        let notice = trade(&bot, &opened, 1).unwrap();
        assert_eq!(notice.event["type"], "trade_opened");
        assert_eq!(notice.event["at"], "2026-09-21T14:13:20.000Z");
        assert_eq!(notice.event["trade"]["id"], "b1:3");
        assert_eq!(notice.event["trade"]["status"], "open");
        assert_eq!(notice.event["trade"]["entry_price"], 100.5);
        assert_eq!(notice.event["trade"]["exit_price"], Value::Null);
        assert_eq!(notice.telegram.as_deref(), Some("Dip buyer on binance: BUY 2 BTC/USDT @ 100.5 (fee 0.201)"));

        let closed = Event::Closed(ClosedTrade {
            trade_id: 3,
            symbol: "BTC/USDT".parse().unwrap(),
            entry_price: Decimal::new(1005, 1),
            exit_price: Decimal::from(110),
            quantity: Decimal::TWO,
            fees: Decimal::new(421, 3),
            profit_loss: Decimal::new(18579, 3),
            profit_pct: Decimal::new(92_338_308, 7),
            entry_time_ms: 1_790_000_000_000,
            exit_time_ms: 1_790_000_060_000,
            exit_reason: auronex_core::exits::ExitReason::TakeProfit,
        });
        let notice = trade(&bot, &closed, 2).unwrap();
        assert_eq!(notice.event["type"], "trade_closed");
        assert_eq!(notice.event["trade"]["profit_pct"], 9.2338);
        assert_eq!(notice.event["trade"]["exit_reason"], "take_profit");
        assert_eq!(notice.event["trade"]["exit_time"], "2026-09-21T14:14:20.000Z");
        let refused = Event::NoPrice { symbol: "BTC/USDT".parse().unwrap(), time_ms: 0 };
        assert!(trade(&bot, &refused, 0).is_none());
    }

    #[test]
    fn only_errors_and_protections_go_to_telegram_and_only_landed_notices_are_kept() {
        let author = ("u", "b1", "bot");
        let error = activity(author, "error", "FAIL/USDT: upstream 500", 0, 0);
        assert_eq!(error.event["action"], "error");
        assert_eq!(error.telegram.as_deref(), Some("bot error: FAIL/USDT: upstream 500"));
        let skipped = activity(author, "skipped", "no price", 0, 1);
        assert_eq!(skipped.telegram, None);
        let paused =
            activity(author, "protection", "cooldown: entries paused for 3 candles after stop_loss on X/USDT", 0, 2);
        assert_eq!(
            paused.telegram.as_deref(),
            Some("bot: cooldown: entries paused for 3 candles after stop_loss on X/USDT")
        );
        let kept = proven(vec![error.clone(), skipped], &[1, 0]);
        assert_eq!(kept, vec![error]);
    }
}
