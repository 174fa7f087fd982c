//! Fetching from a venue: one GET with a timeout (abort signal), bounded retries with
//! exponential back-off on transient failures, the venue's rate limit spent before each
//! attempt, and its 429/418 back-off recorded. One structured log line per attempt.

use std::pin::pin;
use std::time::Duration;

use auronex_exchanges::{ErrorKind, UpstreamRequest, VenueError};
use futures_util::future::{select, Either};
use worker::{AbortController, D1Database, Date, Delay, Fetch, Headers, Method, Request, RequestInit};

use super::error::MarketError;
use super::throttle::{self, Limit};

/// Per-attempt limit; a slow venue is treated like an unreachable one.
const TIMEOUT: Duration = Duration::from_secs(8);
/// Attempts after the first, on transient failures only.
const RETRIES: u32 = 2;
/// First back-off; each further one is three times longer (250 ms, 750 ms).
const BACKOFF_MS: u64 = 250;

/// One outside service: its name (for logs and the throttle), base URL and rate limit.
pub struct Upstream<'a> {
    pub db: &'a D1Database,
    pub venue: &'a str,
    pub base_url: String,
    pub limit: Limit,
}

struct Answer {
    status: u16,
    body: String,
    retry_after_secs: Option<u64>,
}

impl Upstream<'_> {
    /// GETs `request` and parses the answer; non-2xx answers go through `classify`.
    pub async fn fetch<T>(
        &self,
        request: &UpstreamRequest,
        parse: impl Fn(&str) -> Result<T, VenueError>,
        classify: impl Fn(u16, &str) -> VenueError,
    ) -> Result<T, MarketError> {
        let url = request.url(&self.base_url);
        let mut attempt = 0;
        loop {
            throttle::admit(self.db, self.venue, self.limit, request.weight, now_ms()).await?;
            let started = now_ms();
            let outcome = match send(&url).await {
                Err(detail) => Err(VenueError::transient(detail)),
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

pub fn now_ms() -> i64 {
    Date::now().as_millis() as i64
}

async fn send(url: &str) -> Result<Answer, String> {
    let controller = AbortController::default();
    let signal = controller.signal();
    let headers = Headers::new();
    let _ = headers.set("accept", "application/json");
    let _ = headers.set("user-agent", "auronex-market-data/1.0");
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let request = Request::new_with_init(url, &init).map_err(|e| format!("bad URL: {e}"))?;
    let work = async move {
        let mut response = Fetch::Request(request).send_with_signal(&signal).await?;
        let status = response.status_code();
        let retry_after_secs =
            response.headers().get("retry-after").ok().flatten().and_then(|value| value.trim().parse().ok());
        let body = response.text().await?;
        Ok::<_, worker::Error>(Answer { status, body, retry_after_secs })
    };
    match select(pin!(work), pin!(Delay::from(TIMEOUT))).await {
        Either::Left((answer, _)) => answer.map_err(|e| format!("fetch failed: {e}")),
        Either::Right(_) => {
            controller.abort();
            Err(format!("no answer within {}s", TIMEOUT.as_secs()))
        }
    }
}
