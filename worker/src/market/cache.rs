//! The D1 cache of parsed market data (`market_cache`): values are stored as JSON with the
//! time they were fetched; callers decide freshness with a `freshness::Window`.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use worker::wasm_bindgen::JsValue;

use crate::db::CountingDb;

use super::error::MarketError;

/// D1 accepts up to 100 bound parameters per statement.
const KEYS_PER_QUERY: usize = 90;

/// A cached value and when it was fetched.
#[derive(Debug, Clone)]
pub struct Cached<T> {
    pub value: T,
    pub fetched_at_ms: i64,
}

#[derive(Deserialize)]
struct Row {
    key: String,
    body: String,
    fetched_at_ms: f64,
}

/// Reads the rows for `keys` (missing keys are simply absent; unreadable rows are dropped).
pub async fn get_many<T: DeserializeOwned>(
    db: &CountingDb,
    keys: &[String],
) -> Result<HashMap<String, Cached<T>>, MarketError> {
    let mut found = HashMap::new();
    for chunk in keys.chunks(KEYS_PER_QUERY) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("?{i}")).collect();
        let sql =
            format!("SELECT key, body, fetched_at_ms FROM market_cache WHERE key IN ({})", placeholders.join(", "));
        let binds: Vec<JsValue> = chunk.iter().map(|k| JsValue::from_str(k)).collect();
        let rows: Vec<Row> = select(db, &sql, &binds).await?;
        for row in rows {
            if let Ok(value) = serde_json::from_str(&row.body) {
                let fetched_at_ms = row.fetched_at_ms as i64;
                found.insert(row.key, Cached { value, fetched_at_ms });
            }
        }
    }
    Ok(found)
}

/// Every row a `SELECT` with `binds` returns, with D1 failures as storage errors.
pub async fn select<T: DeserializeOwned>(db: &CountingDb, sql: &str, binds: &[JsValue]) -> Result<Vec<T>, MarketError> {
    let statement = db.prepare(sql).bind(binds).map_err(MarketError::storage)?;
    statement.all().await.map_err(MarketError::storage)?.results().map_err(MarketError::storage)
}

pub async fn get<T: DeserializeOwned>(db: &CountingDb, key: &str) -> Result<Option<Cached<T>>, MarketError> {
    Ok(get_many(db, &[key.to_string()]).await?.remove(key))
}

/// Writes (or replaces) rows in one batch.
pub async fn put_many<T: Serialize>(
    db: &CountingDb,
    entries: &[(String, T)],
    fetched_at_ms: i64,
) -> Result<(), MarketError> {
    if entries.is_empty() {
        return Ok(());
    }
    let mut statements = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        let body = serde_json::to_string(value).map_err(MarketError::storage)?;
        let statement = db
            .prepare(
                "INSERT INTO market_cache (key, body, fetched_at_ms) VALUES (?1, ?2, ?3) \
                 ON CONFLICT(key) DO UPDATE SET body = excluded.body, fetched_at_ms = excluded.fetched_at_ms",
            )
            .bind(&[JsValue::from_str(key), JsValue::from_str(&body), JsValue::from_f64(fetched_at_ms as f64)])
            .map_err(MarketError::storage)?;
        statements.push(statement);
    }
    db.batch(statements).await.map_err(MarketError::storage)?;
    Ok(())
}

pub async fn put<T: Serialize>(db: &CountingDb, key: &str, value: &T, fetched_at_ms: i64) -> Result<(), MarketError> {
    put_many(db, &[(key.to_string(), value)], fetched_at_ms).await
}
