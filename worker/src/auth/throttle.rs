//! Login throttling: failures counted per email and per client address in a window; past the
//! limit the key is locked and logins answer 429 with `Retry-After`. The policy is pure.

use serde::Deserialize;
use worker::wasm_bindgen::JsValue;
use worker::D1Database;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max_failures: u32,
    pub window_ms: i64,
    pub lockout_ms: i64,
}

pub const PER_EMAIL: Limit = Limit { max_failures: 5, window_ms: 15 * 60_000, lockout_ms: 15 * 60_000 };
pub const PER_ADDRESS: Limit = Limit { max_failures: 50, window_ms: 15 * 60_000, lockout_ms: 15 * 60_000 };

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Counter {
    pub failures: u32,
    pub window_start_ms: i64,
    pub locked_until_ms: i64,
}

/// Seconds until the key may try again, or `None` when it is not locked.
pub fn retry_after(counter: Option<&Counter>, now_ms: i64) -> Option<u64> {
    let locked_until = counter?.locked_until_ms;
    (locked_until > now_ms).then(|| ((locked_until - now_ms) as u64).div_ceil(1000))
}

/// The counter after one more failure at `now_ms`.
pub fn after_failure(counter: Option<&Counter>, limit: Limit, now_ms: i64) -> Counter {
    let fresh = Counter { failures: 0, window_start_ms: now_ms, locked_until_ms: 0 };
    let current = match counter {
        Some(counter) if now_ms - counter.window_start_ms < limit.window_ms => *counter,
        _ => fresh,
    };
    let failures = current.failures + 1;
    let locked_until_ms =
        if failures >= limit.max_failures { now_ms + limit.lockout_ms } else { current.locked_until_ms };
    let (failures, window_start_ms) = if failures >= limit.max_failures {
        (0, now_ms) // the lockout starts a new window once it ends
    } else {
        (failures, current.window_start_ms)
    };
    Counter { failures, window_start_ms, locked_until_ms }
}

pub fn email_key(email: &str) -> String {
    format!("email:{email}")
}

pub fn address_key(address: &str) -> String {
    format!("ip:{address}")
}

#[derive(Deserialize)]
struct Row {
    key: String,
    failures: u32,
    window_start_ms: i64,
    locked_until_ms: i64,
}

pub async fn load(db: &D1Database, keys: &[String]) -> worker::Result<Vec<(String, Counter)>> {
    let placeholders = vec!["?"; keys.len()].join(", ");
    let values: Vec<JsValue> = keys.iter().map(|key| JsValue::from_str(key)).collect();
    let rows = db
        .prepare(format!(
            "SELECT key, failures, window_start_ms, locked_until_ms FROM login_failures WHERE key IN ({placeholders})"
        ))
        .bind(&values)?
        .all()
        .await?
        .results::<Row>()?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let counter = Counter {
                failures: row.failures,
                window_start_ms: row.window_start_ms,
                locked_until_ms: row.locked_until_ms,
            };
            (row.key, counter)
        })
        .collect())
}

pub async fn store(db: &D1Database, key: &str, counter: Counter) -> worker::Result<()> {
    db.prepare(
        "INSERT INTO login_failures (key, failures, window_start_ms, locked_until_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (key) DO UPDATE SET failures = ?2, window_start_ms = ?3, locked_until_ms = ?4",
    )
    .bind(&[
        key.into(),
        counter.failures.into(),
        (counter.window_start_ms as f64).into(),
        (counter.locked_until_ms as f64).into(),
    ])?
    .run()
    .await?;
    Ok(())
}

pub async fn clear(db: &D1Database, key: &str) -> worker::Result<()> {
    db.prepare("DELETE FROM login_failures WHERE key = ?1").bind(&[key.into()])?.run().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Limit = Limit { max_failures: 3, window_ms: 1_000, lockout_ms: 10_000 };

    #[test]
    fn locks_after_the_limit_and_reports_whole_seconds() {
        let mut counter = None;
        for now in [0, 10, 20] {
            assert_eq!(retry_after(counter.as_ref(), now), None);
            counter = Some(after_failure(counter.as_ref(), LIMIT, now));
        }
        assert_eq!(retry_after(counter.as_ref(), 20), Some(10));
        assert_eq!(retry_after(counter.as_ref(), 9_021), Some(1));
        assert_eq!(retry_after(counter.as_ref(), 10_020), None);
    }

    #[test]
    fn failures_outside_the_window_start_over() {
        let first = after_failure(None, LIMIT, 0);
        let second = after_failure(Some(&first), LIMIT, 500);
        assert_eq!(second.failures, 2);
        let later = after_failure(Some(&second), LIMIT, 5_000);
        assert_eq!((later.failures, later.window_start_ms), (1, 5_000));
        assert_eq!(retry_after(Some(&later), 5_000), None);
    }

    #[test]
    fn keys_are_namespaced() {
        assert_eq!(email_key("a@b.co"), "email:a@b.co");
        assert_eq!(address_key("203.0.113.9"), "ip:203.0.113.9");
    }
}
