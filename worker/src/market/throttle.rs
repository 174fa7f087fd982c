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

/// The share of that budget requests from API callers may spend: the rest is kept for ticks
/// and position closes, so a flood of public market requests cannot starve the bots.
const BROWSING_SHARE_PCT: u64 = 60;

/// Who a venue request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// Bots: ticks, their market reads and the closes that protect a position. The whole budget.
    Trading,
    /// Someone looking at the market through the API: `BROWSING_SHARE_PCT` of the budget.
    Browsing,
}

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

    /// The weight `priority` may have used in a window.
    pub fn budget_for(&self, priority: Priority) -> u64 {
        match priority {
            Priority::Trading => self.budget(),
            Priority::Browsing => (self.budget() * BROWSING_SHARE_PCT / 100).max(1),
        }
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
/// to wait. The spend is one conditional upsert: it lands only while the venue is not blocking
/// us and the window's weight stays within `priority`'s share, so a refused request spends
/// nothing (a flood of browsing requests uses up the browsing share, never the bots' reserve).
pub async fn admit(
    db: &CountingDb,
    venue: &str,
    (limit, priority): (Limit, Priority),
    weight: u32,
    now_ms: i64,
) -> Result<(), MarketError> {
    let window_start = now_ms - now_ms.rem_euclid(limit.window_ms());
    let number = |n: f64| JsValue::from_f64(n);
    let spent = db
        .prepare(
            "INSERT INTO market_throttle (venue, window_start_ms, used_weight, blocked_until_ms) \
             SELECT ?1, ?2, ?3, 0 WHERE ?3 <= ?4 \
             ON CONFLICT(venue) DO UPDATE SET \
               used_weight = CASE WHEN window_start_ms = ?2 THEN used_weight + ?3 ELSE ?3 END, \
               window_start_ms = ?2 \
             WHERE blocked_until_ms <= ?5 AND (window_start_ms <> ?2 OR used_weight + ?3 <= ?4) \
             RETURNING used_weight, blocked_until_ms",
        )
        .bind(&[
            JsValue::from_str(venue),
            number(window_start as f64),
            number(f64::from(weight)),
            number(limit.budget_for(priority) as f64),
            number(now_ms as f64),
        ])
        .map_err(MarketError::storage)?
        .first::<Usage>(None)
        .await
        .map_err(MarketError::storage)?;
    if spent.is_some() {
        return Ok(());
    }
    let usage = db
        .prepare("SELECT used_weight, blocked_until_ms FROM market_throttle WHERE venue = ?1")
        .bind(&[JsValue::from_str(venue)])
        .map_err(MarketError::storage)?
        .first::<Usage>(None)
        .await
        .map_err(MarketError::storage)?;
    let blocked_until = usage.map(|u| u.blocked_until_ms as i64).unwrap_or(0);
    if blocked_until > now_ms {
        return Err(rate_limited(venue, blocked_until - now_ms));
    }
    Err(rate_limited(venue, window_start + limit.window_ms() - now_ms))
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
