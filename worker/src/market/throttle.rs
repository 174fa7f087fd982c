//! Keeps each venue within its published rate limit across every Worker instance: a weight
//! budget per window in D1 (`market_throttle`), plus the back-off a venue asked for with a
//! 429/418. Requests over budget are refused before they leave.

use serde::Deserialize;
use worker::wasm_bindgen::JsValue;

use crate::db::CountingDb;

use super::error::MarketError;

/// The share of a venue's published limit we allow ourselves (other tenants of the IP, clock
/// skew between the venue's window and ours).
const BUDGET_SHARE_PCT: u64 = 50;

/// A venue's limit: `weight` units per `window_secs`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub weight: u32,
    pub window_secs: u32,
}

impl Limit {
    pub fn budget(&self) -> u64 {
        (u64::from(self.weight) * BUDGET_SHARE_PCT / 100).max(1)
    }

    pub fn window_ms(&self) -> i64 {
        i64::from(self.window_secs.max(1)) * 1000
    }
}

#[derive(Deserialize)]
struct Usage {
    used_weight: f64,
    blocked_until_ms: f64,
}

/// Spends `weight` from the venue's budget for the current window, or refuses with how long
/// to wait.
pub async fn admit(db: &CountingDb, venue: &str, limit: Limit, weight: u32, now_ms: i64) -> Result<(), MarketError> {
    let window_start = now_ms - now_ms.rem_euclid(limit.window_ms());
    let usage = db
        .prepare(
            "INSERT INTO market_throttle (venue, window_start_ms, used_weight, blocked_until_ms) \
             VALUES (?1, ?2, ?3, 0) \
             ON CONFLICT(venue) DO UPDATE SET \
               used_weight = CASE WHEN window_start_ms = ?2 THEN used_weight + ?3 ELSE ?3 END, \
               window_start_ms = ?2 \
             RETURNING used_weight, blocked_until_ms",
        )
        .bind(&[JsValue::from_str(venue), JsValue::from_f64(window_start as f64), JsValue::from_f64(f64::from(weight))])
        .map_err(MarketError::storage)?
        .first::<Usage>(None)
        .await
        .map_err(MarketError::storage)?;
    let Some(usage) = usage else {
        return Ok(());
    };
    let blocked_until = usage.blocked_until_ms as i64;
    if blocked_until > now_ms {
        return Err(rate_limited(venue, blocked_until - now_ms));
    }
    if usage.used_weight as u64 > limit.budget() {
        return Err(rate_limited(venue, window_start + limit.window_ms() - now_ms));
    }
    Ok(())
}

/// Records that the venue asked us to stay away until `until_ms`.
pub async fn block(db: &CountingDb, venue: &str, until_ms: i64) -> Result<(), MarketError> {
    db.prepare(
        "INSERT INTO market_throttle (venue, window_start_ms, used_weight, blocked_until_ms) \
         VALUES (?1, 0, 0, ?2) \
         ON CONFLICT(venue) DO UPDATE SET blocked_until_ms = max(blocked_until_ms, ?2)",
    )
    .bind(&[JsValue::from_str(venue), JsValue::from_f64(until_ms as f64)])
    .map_err(MarketError::storage)?
    .run()
    .await
    .map_err(MarketError::storage)?;
    Ok(())
}

fn rate_limited(venue: &str, wait_ms: i64) -> MarketError {
    MarketError::RateLimited {
        venue: venue.to_string(),
        retry_after_secs: (wait_ms.max(0) as u64).div_ceil(1000).max(1),
    }
}
