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
