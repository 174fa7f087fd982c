//! Applying one relayed message to the follower's account, in the order that makes a crash
//! harmless: check the safety rules, execute (with an order id the executor deduplicates), write
//! the ticket map, and only then record `last_seq`. A message at or below `last_seq` is only
//! acknowledged again. An open the server marked stale (older than `max_signal_age_s` when it
//! arrived, a replay after an outage) is refused, never opened; closes and modifies always apply.

use std::path::PathBuf;
use std::str::FromStr;

use auronex_core::copier::safety::{self, Candidate, Exposure};
use auronex_core::copier::{Action, TradeCopy};
use rust_decimal::Decimal;
use serde_json::{json, Value};

use super::config::Market;
use super::executor::{ExecError, Executor, Levels, OpenOrder};
use super::logfile::LogFile;
use super::store::{self, Copy, FollowState, Status, Tickets};

pub struct Copier {
    pub log: LogFile,
    pub state: FollowState,
    executor: Box<dyn Executor>,
    trade_copy: TradeCopy,
    market: Market,
    state_path: PathBuf,
    tickets_path: PathBuf,
    tickets: Tickets,
}

/// A message could not be applied now (executor or disk unavailable): nothing was recorded,
/// and the same message is applied again after reconnecting.
pub struct Retry(pub String);

fn decimal(value: &Value) -> Option<Decimal> {
    match value {
        Value::Number(number) => {
            Decimal::from_str(&number.to_string()).ok().or_else(|| Decimal::from_scientific(&number.to_string()).ok())
        }
        Value::String(text) => Decimal::from_str(text).ok(),
        _ => None,
    }
}

/// The age in seconds of an open the server marked `"stale": true` (older than the follower's
/// `max_signal_age_s` when it reached it), or `None` for a fresh one.
fn stale_age(message: &Value) -> Option<i64> {
    (message["stale"] == Value::Bool(true)).then(|| message["age_s"].as_i64().unwrap_or(0))
}

fn unavailable(error: ExecError) -> Retry {
    Retry(error.to_string())
}

pub struct Files {
    pub state: PathBuf,
    pub tickets: PathBuf,
}

impl Copier {
    pub fn new(
        log: LogFile,
        executor: Box<dyn Executor>,
        trade_copy: TradeCopy,
        market: Market,
        files: Files,
    ) -> Result<Self, String> {
        Ok(Self {
            log,
            state: store::load(&files.state)?,
            tickets: store::load(&files.tickets)?,
            executor,
            trade_copy,
            market,
            state_path: files.state,
            tickets_path: files.tickets,
        })
    }

    pub fn save_state(&self) -> Result<(), Retry> {
        store::save(&self.state_path, &self.state).map_err(Retry)
    }

    fn save_tickets(&self) -> Result<(), Retry> {
        store::save(&self.tickets_path, &self.tickets).map_err(Retry)
    }

    /// Applies a `signal`, `close` or `modify` message; returns the ack to send.
    pub fn handle(&mut self, message: &Value) -> Result<Value, Retry> {
        let seq = message["seq"].as_i64().unwrap_or(0);
        let data = &message["data"];
        let ticket = data["ticket"].as_str().unwrap_or_default().to_string();
        let kind = message["type"].as_str().unwrap_or_default();
        if seq <= self.state.last_seq {
            return Ok(self.ack(seq, &ticket));
        }
        match kind {
            "signal" => self.open(seq, &ticket, data, stale_age(message))?,
            "close" => self.close(seq, &ticket, data)?,
            "modify" => self.modify(seq, &ticket, data)?,
            other => self.log.warn(&format!("seq={seq} unknown message type {other:?} skipped")),
        }
        self.state.last_seq = seq;
        self.save_state()?;
        Ok(self.ack(seq, &ticket))
    }

    fn ack(&self, seq: i64, ticket: &str) -> Value {
        let client_ticket = self.tickets.get(ticket).and_then(|copy| copy.client_ticket.clone());
        json!({"type": "ack", "seq": seq, "client_ticket": client_ticket})
    }

    fn refuse(&mut self, seq: i64, ticket: &str, data: &Value, rule: String, detail: String) -> Result<(), Retry> {
        self.log.line(
            "REFUSED",
            &format!(
                "seq={seq} ticket={ticket} {} {} volume={} rule={rule}: {detail}",
                data["action"].as_str().unwrap_or("?"),
                data["symbol"].as_str().unwrap_or("?"),
                data["volume"]
            ),
        );
        let action = if data["action"] == "SELL" { Action::Sell } else { Action::Buy };
        let copy = Copy {
            status: Status::Refused,
            client_ticket: None,
            symbol: data["symbol"].as_str().unwrap_or_default().to_string(),
            action,
            volume: Decimal::ZERO,
            open_price: None,
            sl: None,
            tp: None,
            refused_by: Some(rule),
            applied_seq: seq,
        };
        self.tickets.insert(ticket.to_string(), copy);
        self.save_tickets()
    }

    fn exposure(&mut self) -> Result<Exposure, Retry> {
        let (open_trades, open_lots) = store::open_exposure(&self.tickets);
        let equity = self.executor.equity().map_err(unavailable)?;
        if let Some(equity) = equity {
            if self.state.peak_equity.is_none_or(|peak| equity > peak) {
                self.state.peak_equity = Some(equity);
            }
        }
        Ok(Exposure { open_trades, open_lots, equity, peak_equity: self.state.peak_equity })
    }

    fn open(&mut self, seq: i64, ticket: &str, data: &Value, stale: Option<i64>) -> Result<(), Retry> {
        if let Some(copy) = self.tickets.get(ticket) {
            let status = copy.status;
            self.log.info(&format!("seq={seq} ticket={ticket} already copied ({status:?}); not opened again"));
            return Ok(());
        }
        if let Some(age) = stale {
            let max = self.trade_copy.max_signal_age_s;
            let detail = format!("the open was {age} s old when it arrived (max {max} s); not opened");
            return self.refuse(seq, ticket, data, "max_signal_age_s".into(), detail);
        }
        let parsed = (|| {
            let action = serde_json::from_value::<Action>(data["action"].clone()).ok()?;
            Some((action, data["symbol"].as_str()?.to_string(), decimal(&data["volume"])?, decimal(&data["price"])?))
        })();
        let Some((action, symbol, volume, price)) = parsed else {
            return self.refuse(seq, ticket, data, "malformed".into(), format!("cannot read the signal {data}"));
        };
        let (sl, tp) = (decimal(&data["sl"]), decimal(&data["tp"]));
        self.log.info(&format!(
            "seq={seq} signal ticket={ticket} {} {symbol} volume={volume} price={price} sl={} tp={}",
            action.as_str(),
            data["sl"],
            data["tp"]
        ));
        let order = OpenOrder {
            id: format!("open:{ticket}:{}", action.as_str()),
            master_ticket: ticket.to_string(),
            symbol: symbol.clone(),
            action,
            volume,
            sl,
            tp,
            magic: self.trade_copy.magic_number_copier,
        };
        // Filled before a crash that came ahead of the ticket map: record it, never judge it again.
        let fill = match self.executor.filled(&order.id).map_err(unavailable)? {
            Some(fill) => fill,
            None => {
                if let Some((rule, detail)) = self.check_rules(&order, price)? {
                    return self.refuse(seq, ticket, data, rule, detail);
                }
                match self.executor.open(&order) {
                    Ok(fill) => fill,
                    Err(ExecError::Rejected(reason)) => {
                        return self.refuse(seq, ticket, data, "executor".into(), reason)
                    }
                    Err(error) => return Err(unavailable(error)),
                }
            }
        };
        self.log.info(&format!(
            "seq={seq} EXECUTED open ticket={ticket} -> client_ticket={} {} {symbol} volume={} price={} fee={}",
            fill.client_ticket,
            action.as_str(),
            fill.volume.normalize(),
            fill.price.normalize(),
            fill.fee.normalize()
        ));
        let copy = Copy {
            status: Status::Open,
            client_ticket: Some(fill.client_ticket),
            symbol,
            action,
            volume: fill.volume,
            open_price: Some(fill.price),
            sl,
            tp,
            refused_by: None,
            applied_seq: seq,
        };
        self.tickets.insert(ticket.to_string(), copy);
        self.save_tickets()
    }

    /// The refusing rule and what it measured, if any rule refuses the order.
    fn check_rules(&mut self, order: &OpenOrder, master_price: Decimal) -> Result<Option<(String, String)>, Retry> {
        let quote = match self.executor.quote(&order.symbol) {
            Ok(quote) => quote,
            Err(ExecError::Rejected(reason)) => return Ok(Some(("executor".into(), reason))),
            Err(error) => return Err(unavailable(error)),
        };
        let exposure = self.exposure()?;
        let point = self.market.point(&order.symbol);
        let candidate = Candidate { action: order.action, master_price, volume: order.volume, point };
        Ok(safety::check_open(&self.trade_copy, &candidate, quote, &exposure)
            .err()
            .map(|refusal| (refusal.rule.name().to_string(), refusal.detail)))
    }

    /// The open copy of `ticket`, or why there is nothing to act on.
    fn open_copy(&self, seq: i64, ticket: &str) -> Result<(String, Copy), String> {
        let copy = self.tickets.get(ticket).ok_or(format!("seq={seq} ticket={ticket} was never copied; ignored"))?;
        match (&copy.client_ticket, copy.status) {
            (Some(client), Status::Open) if copy.applied_seq < seq => Ok((client.clone(), copy.clone())),
            _ => Err(format!("seq={seq} ticket={ticket} is {:?} here; ignored", copy.status)),
        }
    }

    fn close(&mut self, seq: i64, ticket: &str, data: &Value) -> Result<(), Retry> {
        let (client_ticket, mut copy) = match self.open_copy(seq, ticket) {
            Ok(found) => found,
            Err(reason) => {
                self.log.info(&format!("close: {reason}"));
                return Ok(());
            }
        };
        let volume = decimal(&data["volume"]).unwrap_or(copy.volume).min(copy.volume);
        match self.executor.close(&format!("close:{ticket}:{seq}"), &client_ticket, volume) {
            Ok(fill) => {
                copy.volume -= fill.volume.min(copy.volume);
                self.log.info(&format!(
                    "seq={seq} EXECUTED close ticket={ticket} client_ticket={client_ticket} volume={} price={} fee={} left={}",
                    fill.volume.normalize(),
                    fill.price.normalize(),
                    fill.fee.normalize(),
                    copy.volume.normalize()
                ));
            }
            Err(ExecError::Rejected(reason)) => {
                self.log.error(&format!(
                    "seq={seq} close ticket={ticket} client_ticket={client_ticket} rejected: {reason}"
                ));
                copy.volume = Decimal::ZERO;
            }
            Err(error) => return Err(unavailable(error)),
        }
        if copy.volume.is_zero() {
            copy.status = Status::Closed;
        }
        copy.applied_seq = seq;
        self.tickets.insert(ticket.to_string(), copy);
        self.save_tickets()
    }

    fn modify(&mut self, seq: i64, ticket: &str, data: &Value) -> Result<(), Retry> {
        let (client_ticket, mut copy) = match self.open_copy(seq, ticket) {
            Ok(found) => found,
            Err(reason) => {
                self.log.info(&format!("modify: {reason}"));
                return Ok(());
            }
        };
        let (sl, tp) = (decimal(&data["sl"]), decimal(&data["tp"]));
        match self.executor.modify(&format!("modify:{ticket}:{seq}"), &client_ticket, Levels { sl, tp }) {
            Ok(()) => {
                copy.sl = sl.or(copy.sl);
                copy.tp = tp.or(copy.tp);
                self.log.info(&format!(
                    "seq={seq} EXECUTED modify ticket={ticket} client_ticket={client_ticket} sl={} tp={}",
                    data["sl"], data["tp"]
                ));
            }
            Err(ExecError::Rejected(reason)) => {
                self.log.error(&format!("seq={seq} modify ticket={ticket} rejected: {reason}"));
            }
            Err(error) => return Err(unavailable(error)),
        }
        copy.applied_seq = seq;
        self.tickets.insert(ticket.to_string(), copy);
        self.save_tickets()
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use auronex_core::copier::safety::Quote;

    use super::super::executor::Fill;
    use super::*;

    /// Records the orders it is asked to open; every order fills at 100.
    struct Recording(Rc<RefCell<Vec<String>>>);

    impl Executor for Recording {
        fn quote(&mut self, _symbol: &str) -> Result<Option<Quote>, ExecError> {
            Ok(None)
        }
        fn filled(&mut self, _id: &str) -> Result<Option<Fill>, ExecError> {
            Ok(None)
        }
        fn open(&mut self, order: &OpenOrder) -> Result<Fill, ExecError> {
            self.0.borrow_mut().push(order.master_ticket.clone());
            let fill = Fill {
                client_ticket: format!("c-{}", order.master_ticket),
                price: Decimal::from(100),
                volume: order.volume,
                fee: Decimal::ZERO,
            };
            Ok(fill)
        }
        fn close(&mut self, _id: &str, client_ticket: &str, volume: Decimal) -> Result<Fill, ExecError> {
            self.0.borrow_mut().push(format!("close {client_ticket}"));
            Ok(Fill { client_ticket: client_ticket.to_string(), price: Decimal::from(100), volume, fee: Decimal::ZERO })
        }
        fn modify(&mut self, _id: &str, _client_ticket: &str, _levels: Levels) -> Result<(), ExecError> {
            Ok(())
        }
        fn equity(&mut self) -> Result<Option<Decimal>, ExecError> {
            Ok(None)
        }
        fn describe(&self) -> String {
            "recording".into()
        }
    }

    fn signal(seq: i64, ticket: &str, stale: bool) -> Value {
        let mut message = json!({"type": "signal", "seq": seq,
            "data": {"ticket": ticket, "action": "BUY", "symbol": "BTCUSDT", "volume": 0.1, "price": 100}});
        if stale {
            message["stale"] = json!(true);
            message["age_s"] = json!(3600);
        }
        message
    }

    #[test]
    fn a_stale_open_is_refused_and_logged_a_fresh_one_opens() {
        let dir = tempfile::tempdir().unwrap();
        let orders = Rc::new(RefCell::new(Vec::new()));
        let files = Files { state: dir.path().join("state.json"), tickets: dir.path().join("tickets.json") };
        let log = LogFile::open(&dir.path().join("client.log")).unwrap();
        let executor = Box::new(Recording(orders.clone()));
        let mut copier = Copier::new(log, executor, TradeCopy::default(), Market::default(), files).unwrap();
        copier.handle(&signal(1, "T1", true)).ok().expect("a stale open is handled, not retried");
        copier.handle(&signal(2, "T2", false)).ok().expect("a fresh open");
        assert_eq!(*orders.borrow(), vec!["T2".to_string()], "only the fresh open reached the executor");
        let logged = std::fs::read_to_string(dir.path().join("client.log")).unwrap();
        let refused =
            logged.lines().find(|l| l.contains("REFUSED") && l.contains("ticket=T1")).expect("a REFUSED line");
        assert!(refused.contains("rule=max_signal_age_s") && refused.contains("3600 s old"), "{refused}");
        // Its close still applies to nothing opened: no order, no retry.
        let close = json!({"type": "close", "seq": 3, "data": {"ticket": "T1"}});
        copier.handle(&close).ok().expect("a close of a refused open is done");
        assert_eq!(orders.borrow().len(), 1);
    }
}
