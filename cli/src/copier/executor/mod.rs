//! Where copied orders go: `paper` (a simulated account priced from an exchange's book ticker)
//! or `jsonl` (order lines for a bridge program, fills read back). Every order carries an id
//! derived from the master's ticket and action, and executors answer a repeated id with the
//! first fill, so a replay after a crash never places an order twice.

mod book_ticker;
mod jsonl;
mod paper;

use auronex_core::copier::safety::Quote;
use auronex_core::copier::Action;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::config::{ExecutorConfig, Market};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Fill {
    pub client_ticket: String,
    pub price: Decimal,
    pub volume: Decimal,
    pub fee: Decimal,
}

#[derive(Debug, Clone)]
pub struct OpenOrder {
    pub id: String,
    pub master_ticket: String,
    pub symbol: String,
    pub action: Action,
    pub volume: Decimal,
    pub sl: Option<Decimal>,
    pub tp: Option<Decimal>,
    pub magic: Option<i64>,
}

/// New stop-loss and take-profit levels; `None` keeps the current one.
#[derive(Debug, Clone, Copy)]
pub struct Levels {
    pub sl: Option<Decimal>,
    pub tp: Option<Decimal>,
}

#[derive(Debug)]
pub enum ExecError {
    /// The venue said no (unknown symbol, no margin...): logged, and the message is done.
    Rejected(String),
    /// Could not reach the venue or the bridge: retried later, nothing is recorded.
    Unavailable(String),
}

impl std::fmt::Display for ExecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rejected(reason) => write!(f, "rejected: {reason}"),
            Self::Unavailable(reason) => write!(f, "unavailable: {reason}"),
        }
    }
}

pub trait Executor {
    /// The current book for a master symbol; `None` when this executor has no price source.
    fn quote(&mut self, symbol: &str) -> Result<Option<Quote>, ExecError>;
    /// The fill of an order id already executed, if any.
    fn filled(&mut self, id: &str) -> Result<Option<Fill>, ExecError>;
    fn open(&mut self, order: &OpenOrder) -> Result<Fill, ExecError>;
    /// Closes `volume` of the position (all of it when it is at least the open volume).
    fn close(&mut self, id: &str, client_ticket: &str, volume: Decimal) -> Result<Fill, ExecError>;
    fn modify(&mut self, id: &str, client_ticket: &str, levels: Levels) -> Result<(), ExecError>;
    /// Account equity marked to the current book, when the executor knows it.
    fn equity(&mut self) -> Result<Option<Decimal>, ExecError>;
    fn describe(&self) -> String;
}

pub fn build(config: &ExecutorConfig, market: &Market) -> Result<Box<dyn Executor>, String> {
    let executor: Box<dyn Executor> = match config {
        ExecutorConfig::Paper(paper) => Box::new(paper::Paper::open(paper, market)?),
        ExecutorConfig::Jsonl(jsonl) => Box::new(jsonl::Jsonl::open(jsonl, market)?),
    };
    Ok(executor)
}
