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
