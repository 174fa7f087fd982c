//! Auronex trading core: pure logic (no I/O, no clock) shared by the Worker, the Durable
//! Objects, the backtester and the CLI. Time and prices are always arguments.

pub mod copier;
pub mod num;
pub mod symbol;
