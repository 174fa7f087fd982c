//! Small D1 helpers shared by the repositories: optional binds, counts, and whether a write
//! changed anything.

use worker::wasm_bindgen::JsValue;
use worker::{D1Database, D1Result};

/// A text bind that is SQL NULL when absent (for `?n IS NULL OR column = ?n` filters).
pub fn nullable(value: Option<&str>) -> JsValue {
    value.map(JsValue::from_str).unwrap_or(JsValue::NULL)
}

/// Rows a write changed (0 when D1 did not say).
pub fn changes(result: &D1Result) -> usize {
    result.meta().ok().flatten().and_then(|meta| meta.changes).unwrap_or(0)
}

/// `SELECT count(*) AS n FROM ...` with `binds`.
pub async fn count(db: &D1Database, sql: &str, binds: &[JsValue]) -> worker::Result<u64> {
    let n = db.prepare(sql).bind(binds)?.first::<f64>(Some("n")).await?;
    Ok(n.unwrap_or(0.0) as u64)
}

/// A D1 handle that counts the statements prepared through it (each is run once), so a tick
/// can report how many statements its market reads and cache writes cost.
#[derive(Clone)]
pub struct CountingDb {
    db: std::rc::Rc<D1Database>,
    prepared: std::rc::Rc<std::cell::Cell<u64>>,
}

impl CountingDb {
    pub fn new(db: D1Database) -> Self {
        Self { db: std::rc::Rc::new(db), prepared: std::rc::Rc::default() }
    }

    pub fn prepare(&self, sql: impl Into<String>) -> worker::D1PreparedStatement {
        self.prepared.set(self.prepared.get() + 1);
        self.db.prepare(sql)
    }

    pub async fn batch(&self, statements: Vec<worker::D1PreparedStatement>) -> worker::Result<Vec<D1Result>> {
        self.db.batch(statements).await
    }

    /// Statements prepared so far.
    pub fn statements(&self) -> u64 {
        self.prepared.get()
    }
}
