//! Fetching from a venue: bounded retries with exponential back-off on transient failures,
//! the venue's rate limit spent before each attempt, its 429/418 back-off recorded, and one
//! structured log line per attempt. The GET itself (timeout, coalescing) is `inflight`.

use std::time::Duration;

use auronex_exchanges::{ErrorKind, UpstreamRequest, VenueError};
use futures_util::FutureExt;
use worker::Delay;

use super::error::MarketError;
use super::inflight::{self, Failure};
use super::throttle::{self, Limit};
use crate::db::CountingDb;

/// Attempts after the first, on transient failures only.
const RETRIES: u32 = 2;
/// First back-off; each further one is three times longer (250 ms, 750 ms).
const BACKOFF_MS: u64 = 250;

/// One outside service: its name (for logs and the throttle), base URL and rate limit.
pub struct Upstream<'a> {
    pub db: &'a CountingDb,
    pub venue: &'a str,
    pub base_url: String,
    pub limit: Limit,
}

impl Upstream<'_> {
    /// GETs `request` and parses the answer; non-2xx answers go through `classify`.
    pub async fn fetch<T>(
        &self,
        request: &UpstreamRequest,
        parse: impl Fn(&str) -> Result<T, VenueError>,
        classify: impl Fn(u16, &str) -> VenueError,
    ) -> Result<T, MarketError> {
        self.fetch_after(request, parse, classify, false).await
    }

    /// Like [`Self::fetch`] when the caller has already spent the first attempt's weight (one
    /// admission for a whole batch of requests); retries are admitted one by one.
    pub async fn fetch_admitted<T>(
        &self,
        request: &UpstreamRequest,
        parse: impl Fn(&str) -> Result<T, VenueError>,
        classify: impl Fn(u16, &str) -> VenueError,
    ) -> Result<T, MarketError> {
        self.fetch_after(request, parse, classify, true).await
    }

    async fn fetch_after<T>(
        &self,
        request: &UpstreamRequest,
        parse: impl Fn(&str) -> Result<T, VenueError>,
        classify: impl Fn(u16, &str) -> VenueError,
        admitted: bool,
    ) -> Result<T, MarketError> {
        let url = request.url(&self.base_url);
        let mut attempt = 0;
        loop {
            let started = now_ms();
            let admit = match attempt == 0 && admitted {
                true => futures_util::future::ready(Ok(())).boxed_local(),
                false => self.admit(request.weight),
            };
            let outcome = match inflight::get(&url, admit).await {
                Err(Failure::Refused(error)) => return Err(error),
                Err(Failure::Network(detail)) => Err(VenueError::transient(detail)),
                Ok(answer) if (200..300).contains(&answer.status) => parse(&answer.body),
                Ok(answer) => {
                    let mut error = classify(answer.status, &answer.body);
                    error.retry_after_secs = error.retry_after_secs.or(answer.retry_after_secs);
                    Err(error)
                }
            };
            self.log(request, attempt, started, &outcome);
            let error = match outcome {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            if error.kind == ErrorKind::RateLimited {
                let wait_secs = error.retry_after_secs.unwrap_or(60);
                throttle::block(self.db, self.venue, now_ms() + wait_secs as i64 * 1000).await?;
            }
            if !error.is_retryable() || attempt >= RETRIES {
                return Err(MarketError::from_venue(self.venue, error));
            }
            Delay::from(Duration::from_millis(BACKOFF_MS * 3u64.pow(attempt))).await;
            attempt += 1;
        }
    }

    /// Spends `weight` of the venue's budget at once (a batch's admission), or refuses.
    pub async fn admit_now(&self, weight: u32) -> Result<(), MarketError> {
        throttle::admit(self.db, self.venue, self.limit, weight, now_ms()).await
    }

    /// Spends `weight` of the venue's budget; run only by the caller that really sends.
    fn admit(&self, weight: u32) -> inflight::Admit {
        let db = self.db.clone();
        let venue = self.venue.to_string();
        let limit = self.limit;
        async move { throttle::admit(&db, &venue, limit, weight, now_ms()).await }.boxed_local()
    }

    /// Logs the path only: the query may name markets but never secrets; still, keep it short.
    fn log<T>(&self, request: &UpstreamRequest, attempt: u32, started: i64, outcome: &Result<T, VenueError>) {
        let path = request.path_and_query.split('?').next().unwrap_or("");
        let (level, error) = match outcome {
            Ok(_) => ("info", None),
            Err(error) => ("warn", Some(error.message.chars().take(200).collect::<String>())),
        };
        worker::console_log!(
            "{}",
            serde_json::json!({
                "level": level, "event": "upstream", "venue": self.venue, "path": path,
                "attempt": attempt, "duration_ms": now_ms() - started, "error": error,
            })
        );
    }
}

pub use crate::clock::now_ms;
