//! The USD-BRL rate from AwesomeAPI, asked at most every five minutes and served stale
//! (marked) for up to a day when AwesomeAPI is down: it only converts amounts for display.

use auronex_exchanges::fx::{self, FxQuote};
use auronex_exchanges::VenueError;

use super::cache;
use super::error::MarketError;
use super::freshness;
use super::throttle::Limit;
use super::upstream::now_ms;
use super::{log_stale, Fresh, MarketData};

pub type UsdBrl = Fresh<FxQuote>;

/// AwesomeAPI publishes no limit for its free tier; stay far below anything it could mind.
const AWESOMEAPI_LIMIT: Limit = Limit { weight: 60, window_secs: 60 };

impl MarketData {
    pub async fn usd_brl(&self) -> Result<UsdBrl, MarketError> {
        let key = "awesomeapi|usd-brl";
        let window = freshness::USD_BRL;
        let now = now_ms();
        let cached = cache::get::<FxQuote>(&self.db, key).await.unwrap_or(None);
        if let Some(hit) = cached.as_ref().filter(|c| window.is_fresh(c.fetched_at_ms, now)) {
            return Ok(Fresh { value: hit.value.clone(), fetched_at_ms: hit.fetched_at_ms, stale: false });
        }
        let fetched = self
            .upstream("awesomeapi", "AWESOMEAPI_URL", AWESOMEAPI_LIMIT)?
            .fetch(&fx::usd_brl_request(), fx::parse_usd_brl, VenueError::from_status)
            .await;
        match (fetched, cached) {
            (Ok(quote), _) => {
                cache::put(&self.db, key, &quote, now).await?;
                Ok(Fresh { value: quote, fetched_at_ms: now, stale: false })
            }
            (Err(error), Some(old)) if window.may_serve_stale(old.fetched_at_ms, now) => {
                log_stale(&error);
                Ok(Fresh { value: old.value, fetched_at_ms: old.fetched_at_ms, stale: true })
            }
            (Err(error), _) => Err(error),
        }
    }
}
