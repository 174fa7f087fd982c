//! Auronex trading core: pure logic (no I/O, no clock) shared by the Worker, the Durable
//! Objects, the backtester and the CLI. Time and prices are always arguments.

pub mod backtest;
pub mod candles_csv;
pub mod copier;
pub mod engine;
pub mod equity;
pub mod exits;
pub mod fills;
pub mod indicators;
pub mod intrabar;
pub mod ledger;
pub mod market;
pub mod metrics;
pub mod money;
pub mod num;
pub mod protections;
pub mod rules;
pub mod strategy;
pub mod symbol;
