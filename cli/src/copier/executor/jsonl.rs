//! `jsonl`: a bridge program executes the orders. Each order is one JSON line appended to
//! `orders_file`:
//! `{"id":"open:5001:BUY","op":"open","master_ticket":"5001","symbol":"XAUUSD","action":"BUY","volume":"0.1","sl":"2390","tp":null,"magic":123456}`,
//! `{"id":"close:5001:7","op":"close","client_ticket":"88123","volume":"0.1"}`,
//! `{"id":"modify:5001:8","op":"modify","client_ticket":"88123","sl":"2395","tp":null}`.
//! The bridge appends one line per order to `fills_file`:
//! `{"id":"open:5001:BUY","status":"filled","client_ticket":"88123","price":"2400.7","volume":"0.1","fee":"0"}` or
//! `{"id":"...","status":"rejected","reason":"not enough margin"}`, optionally with `"equity":"10012.5"`.
//! An id already in `orders_file` is not written again; the client waits for its line instead.

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use auronex_core::copier::safety::Quote;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Value};

use super::book_ticker::BookTickerSource;
use super::{ExecError, Executor, Fill, Levels, OpenOrder};
use crate::copier::config::{JsonlConfig, Market};

pub struct Jsonl {
    orders: PathBuf,
    fills: PathBuf,
    timeout: Duration,
    quotes: Option<BookTickerSource>,
    symbols: Market,
    equity: Option<Decimal>,
}

#[derive(Deserialize)]
struct FillLine {
    id: String,
    status: String,
    client_ticket: Option<String>,
    #[serde(default, with = "auronex_core::num::option")]
    price: Option<Decimal>,
    #[serde(default, with = "auronex_core::num::option")]
    volume: Option<Decimal>,
    #[serde(default, with = "auronex_core::num::option")]
    fee: Option<Decimal>,
    reason: Option<String>,
    #[serde(default, with = "auronex_core::num::option")]
    equity: Option<Decimal>,
}

fn text(value: Option<Decimal>) -> Value {
    value.map(|v| Value::String(v.normalize().to_string())).unwrap_or(Value::Null)
}

impl Jsonl {
    pub fn open(config: &JsonlConfig, market: &Market) -> Result<Self, String> {
        for path in [&config.orders_file, &config.fills_file] {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
        Ok(Self {
            orders: config.orders_file.clone(),
            fills: config.fills_file.clone(),
            timeout: Duration::from_secs(config.fill_timeout_secs),
            quotes: config.quotes_url.as_deref().map(BookTickerSource::new),
            symbols: market.clone(),
            equity: None,
        })
    }

    fn lines(path: &PathBuf) -> Result<Vec<Value>, ExecError> {
        let text =
            std::fs::read_to_string(path).map_err(|e| ExecError::Unavailable(format!("{}: {e}", path.display())))?;
        Ok(text.lines().filter_map(|line| serde_json::from_str(line).ok()).collect())
    }

    fn find_fill(&mut self, id: &str) -> Result<Option<FillLine>, ExecError> {
        let mut found = None;
        for value in Self::lines(&self.fills)? {
            let Ok(line) = serde_json::from_value::<FillLine>(value) else { continue };
            if line.equity.is_some() {
                self.equity = line.equity;
            }
            if line.id == id {
                found = Some(line);
            }
        }
        Ok(found)
    }

    /// Writes the order unless it is already there, then waits for its fill line.
    fn submit(&mut self, order: Value) -> Result<FillLine, ExecError> {
        let id = order["id"].as_str().unwrap_or_default().to_string();
        if let Some(fill) = self.find_fill(&id)? {
            return Ok(fill);
        }
        if !Self::lines(&self.orders)?.iter().any(|line| line["id"] == id.as_str()) {
            let unavailable = |e: std::io::Error| ExecError::Unavailable(format!("{}: {e}", self.orders.display()));
            let mut file = std::fs::OpenOptions::new().append(true).open(&self.orders).map_err(unavailable)?;
            file.write_all(format!("{order}\n").as_bytes()).map_err(unavailable)?;
            file.sync_all().map_err(unavailable)?;
        }
        let deadline = Instant::now() + self.timeout;
        loop {
            if let Some(fill) = self.find_fill(&id)? {
                return Ok(fill);
            }
            if Instant::now() >= deadline {
                return Err(ExecError::Unavailable(format!("no fill for {id} in {}", self.fills.display())));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn fill_of(line: FillLine, volume: Decimal) -> Result<Fill, ExecError> {
        if line.status != "filled" {
            return Err(ExecError::Rejected(line.reason.unwrap_or(line.status)));
        }
        let client_ticket =
            line.client_ticket.ok_or_else(|| ExecError::Rejected(format!("fill {} has no client_ticket", line.id)))?;
        Ok(Fill {
            client_ticket,
            price: line.price.unwrap_or_default(),
            volume: line.volume.unwrap_or(volume),
            fee: line.fee.unwrap_or_default(),
        })
    }
}

impl Executor for Jsonl {
    fn quote(&mut self, symbol: &str) -> Result<Option<Quote>, ExecError> {
        match &self.quotes {
            Some(source) => source.quote(&self.symbols.exchange_symbol(symbol)).map(Some),
            None => Ok(None),
        }
    }

    fn filled(&mut self, id: &str) -> Result<Option<Fill>, ExecError> {
        match self.find_fill(id)? {
            Some(line) if line.status == "filled" => Self::fill_of(line, Decimal::ZERO).map(Some),
            _ => Ok(None),
        }
    }

    fn open(&mut self, order: &OpenOrder) -> Result<Fill, ExecError> {
        let line = json!({"id": order.id, "op": "open", "master_ticket": order.master_ticket, "symbol": order.symbol,
            "action": order.action, "volume": text(Some(order.volume)), "sl": text(order.sl), "tp": text(order.tp),
            "magic": order.magic});
        let fill = self.submit(line)?;
        Self::fill_of(fill, order.volume)
    }

    fn close(&mut self, id: &str, client_ticket: &str, volume: Decimal) -> Result<Fill, ExecError> {
        let line = json!({"id": id, "op": "close", "client_ticket": client_ticket, "volume": text(Some(volume))});
        let fill = self.submit(line)?;
        Self::fill_of(fill, volume)
    }

    fn modify(&mut self, id: &str, client_ticket: &str, Levels { sl, tp }: Levels) -> Result<(), ExecError> {
        let line = json!({"id": id, "op": "modify", "client_ticket": client_ticket, "sl": text(sl), "tp": text(tp)});
        let fill = self.submit(line)?;
        if fill.status == "rejected" {
            return Err(ExecError::Rejected(fill.reason.unwrap_or_default()));
        }
        Ok(())
    }

    fn equity(&mut self) -> Result<Option<Decimal>, ExecError> {
        self.find_fill("")?;
        Ok(self.equity)
    }

    fn describe(&self) -> String {
        format!("jsonl bridge: orders to {}, fills from {}", self.orders.display(), self.fills.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use auronex_core::copier::Action;

    fn bridge(dir: &std::path::Path) -> Jsonl {
        let config = JsonlConfig {
            orders_file: dir.join("orders.jsonl"),
            fills_file: dir.join("fills.jsonl"),
            fill_timeout_secs: 5,
            quotes_url: None,
        };
        Jsonl::open(&config, &Market::default()).unwrap()
    }

    /// A stand-in bridge: answers every order line it has not answered yet, once.
    fn answer(dir: &std::path::Path, reply: impl Fn(&Value) -> Value) {
        let orders = std::fs::read_to_string(dir.join("orders.jsonl")).unwrap();
        let fills = std::fs::read_to_string(dir.join("fills.jsonl")).unwrap();
        let mut file = std::fs::OpenOptions::new().append(true).open(dir.join("fills.jsonl")).unwrap();
        for order in orders.lines().map(|line| serde_json::from_str::<Value>(line).unwrap()) {
            if !fills.contains(&format!("\"{}\"", order["id"].as_str().unwrap())) {
                writeln!(file, "{}", reply(&order)).unwrap();
            }
        }
    }

    fn order(id: &str) -> OpenOrder {
        OpenOrder {
            id: id.into(),
            master_ticket: "5001".into(),
            symbol: "XAUUSD".into(),
            action: Action::Buy,
            volume: Decimal::new(1, 1),
            sl: Some(Decimal::new(2390, 0)),
            tp: None,
            magic: Some(7),
        }
    }

    #[test]
    fn an_order_is_written_once_and_its_fill_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let responder = std::thread::spawn(move || {
            while std::fs::read_to_string(path.join("orders.jsonl")).unwrap_or_default().is_empty() {
                std::thread::sleep(Duration::from_millis(20));
            }
            answer(&path, |order| {
                json!({"id": order["id"], "status": "filled", "client_ticket": "88123", "price": "2400.7",
                       "volume": order["volume"], "equity": "10012.5"})
            });
        });
        let mut executor = bridge(dir.path());
        let fill = executor.open(&order("open:5001:BUY")).unwrap();
        responder.join().unwrap();
        assert_eq!(
            (fill.client_ticket.as_str(), fill.price, fill.volume),
            ("88123", Decimal::new(24007, 1), Decimal::new(1, 1))
        );
        let written = std::fs::read_to_string(dir.path().join("orders.jsonl")).unwrap();
        let line: Value = serde_json::from_str(written.trim()).unwrap();
        assert_eq!(
            (line["op"].as_str(), line["sl"].as_str(), line["magic"].as_i64()),
            (Some("open"), Some("2390"), Some(7))
        );
        assert_eq!(executor.open(&order("open:5001:BUY")).unwrap(), fill, "a repeated id gets the first fill");
        assert_eq!(executor.filled("open:5001:BUY").unwrap(), Some(fill));
        assert_eq!(std::fs::read_to_string(dir.path().join("orders.jsonl")).unwrap().lines().count(), 1);
        assert_eq!(executor.equity().unwrap(), Some(Decimal::new(100125, 1)));
    }

    #[test]
    fn a_rejection_is_final_and_silence_is_retryable() {
        let dir = tempfile::tempdir().unwrap();
        let mut executor = bridge(dir.path());
        executor.timeout = Duration::from_millis(300);
        assert!(matches!(executor.open(&order("open:1:BUY")), Err(ExecError::Unavailable(_))));
        answer(dir.path(), |order| json!({"id": order["id"], "status": "rejected", "reason": "no margin"}));
        match executor.open(&order("open:1:BUY")) {
            Err(ExecError::Rejected(reason)) => assert_eq!(reason, "no margin"),
            other => panic!("{other:?}"),
        }
        assert_eq!(std::fs::read_to_string(dir.path().join("orders.jsonl")).unwrap().lines().count(), 1);
    }
}
