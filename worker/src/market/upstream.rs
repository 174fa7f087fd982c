//! Fetching from a venue: bounded retries with back-off on transient failures (the shared
//! `http::outbound::with_retries`), the venue's rate limit spent before each attempt and its
//! 429/418 back-off recorded. The GET itself (coalescing) is `inflight`, over `http::outbound`,
//! which logs one line per call.

use auronex_exchanges::{ErrorKind, UpstreamRequest, VenueError};
use futures_util::FutureExt;

use super::error::MarketError;
use super::inflight::{self, Failure};
use super::throttle::{self, Limit, Priority};
use crate::db::CountingDb;
use crate::http::outbound;

/// Why an attempt failed: the venue's (maybe transient) error, or a stop on our side
/// (our own rate-limit budget or D1).
enum Attempt {
    Venue(VenueError),
    Stop(MarketError),
}

/// One outside service: its name (for logs and the throttle), base URL and rate limit.
pub struct Upstream<'a> {
    pub db: &'a CountingDb,
    pub venue: &'a str,
    pub base_url: String,
    pub limit: Limit,
    pub priority: Priority,
}

impl Upstream<'_> {
    /// GETs `request` and parses the answer; non-2xx answers go through `classify`. Transient
    /// failures are retried by the shared back-off of `http::outbound::with_retries`.
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
        let (url, parse, classify) = (&url, &parse, &classify);
        let outcome = outbound::with_retries(
            |failure: &Attempt| matches!(failure, Attempt::Venue(error) if error.is_retryable()),
            |attempt| async move {
                let admit = match attempt == 0 && admitted {
                    true => futures_util::future::ready(Ok(())).boxed_local(),
                    false => self.admit(request.weight),
                };
                let error = match inflight::get(url, self.venue, admit).await {
                    Err(Failure::Refused(error)) => return Err(Attempt::Stop(error)),
                    Err(Failure::Network(detail)) => VenueError::transient(detail),
                    Ok(answer) if (200..300).contains(&answer.status) => {
                        return parse(&answer.body).map_err(Attempt::Venue);
                    }
                    Ok(answer) => {
                        let mut error = classify(answer.status, &answer.body);
                        error.retry_after_secs = error.retry_after_secs.or(answer.retry_after_secs);
                        error
                    }
                };
                if error.kind == ErrorKind::RateLimited {
                    let wait_secs = error.retry_after_secs.unwrap_or(60);
                    throttle::block(self.db, self.venue, now_ms() + wait_secs as i64 * 1000)
                        .await
                        .map_err(Attempt::Stop)?;
                }
                Err(Attempt::Venue(error))
            },
        )
        .await;
        outcome.map_err(|failure| match failure {
            Attempt::Stop(error) => error,
            Attempt::Venue(error) => MarketError::from_venue(self.venue, error),
        })
    }

    /// Spends `weight` of the venue's budget at once (a batch's admission), or refuses.
    pub async fn admit_now(&self, weight: u32) -> Result<(), MarketError> {
        throttle::admit(self.db, self.venue, (self.limit, self.priority), weight, now_ms()).await
    }

    /// Spends `weight` of the venue's budget; run only by the caller that really sends.
    fn admit(&self, weight: u32) -> inflight::Admit {
        let db = self.db.clone();
        let venue = self.venue.to_string();
        let budget = (self.limit, self.priority);
        async move { throttle::admit(&db, &venue, budget, weight, now_ms()).await }.boxed_local()
    }
}

pub use crate::clock::now_ms;
