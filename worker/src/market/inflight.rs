//! One GET per URL at a time within this isolate: while a request is in flight, later callers
//! for the same URL wait for its answer instead of sending their own, so a burst of requests
//! at the moment a cache window expires costs the venue one request. Workers forbid touching
//! another request's I/O, so only the finished answer (plain data) is shared: followers poll
//! for it on their own timers. The GET has a timeout enforced with an abort signal.

use std::cell::RefCell;
use std::collections::HashMap;
use std::pin::pin;
use std::rc::Rc;
use std::time::Duration;

use futures_util::future::{select, Either, LocalBoxFuture};
use worker::{AbortController, Delay, Fetch, Headers, Method, Request, RequestInit};

use super::error::MarketError;

/// Per-attempt limit; a slow venue is treated like an unreachable one.
const TIMEOUT: Duration = Duration::from_secs(8);
/// How often a follower looks for the leader's answer.
const POLL: Duration = Duration::from_millis(20);

/// What the venue answered.
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub retry_after_secs: Option<u64>,
}

/// Why there is no answer.
#[derive(Clone)]
pub enum Failure {
    /// Our own rate-limit budget (or D1) refused to send.
    Refused(MarketError),
    /// Timeout or connection failure (or the request we waited on was abandoned).
    Network(String),
}

/// The admission check run before the one real request.
pub type Admit = LocalBoxFuture<'static, Result<(), MarketError>>;

type Outcome = Result<Rc<Answer>, Failure>;
type Slot = Rc<RefCell<Option<Outcome>>>;

thread_local! {
    static IN_FLIGHT: RefCell<HashMap<String, Slot>> = RefCell::default();
}

/// Removes the leader's slot however the leader ends (answer, error or cancellation).
struct Leading {
    url: String,
    slot: Slot,
}

impl Drop for Leading {
    fn drop(&mut self) {
        IN_FLIGHT.with(|map| {
            let mut map = map.borrow_mut();
            if map
                .get(&self.url)
                .is_some_and(|s| Rc::ptr_eq(s, &self.slot))
            {
                map.remove(&self.url);
            }
        });
    }
}

/// GETs `url`, or waits for the identical request already in flight in this isolate.
/// `admit` runs only when this caller is the one that sends.
pub async fn get(url: &str, admit: Admit) -> Outcome {
    let existing = IN_FLIGHT.with(|map| map.borrow().get(url).cloned());
    if let Some(slot) = existing {
        return follow(url, &slot).await;
    }
    let slot: Slot = Rc::default();
    IN_FLIGHT.with(|map| map.borrow_mut().insert(url.to_string(), Rc::clone(&slot)));
    let _leading = Leading {
        url: url.to_string(),
        slot: Rc::clone(&slot),
    };
    let outcome = match admit.await {
        Err(error) => Err(Failure::Refused(error)),
        Ok(()) => send(url).await.map(Rc::new).map_err(Failure::Network),
    };
    *slot.borrow_mut() = Some(outcome.clone());
    outcome
}

async fn follow(url: &str, slot: &Slot) -> Outcome {
    let polls = (TIMEOUT.as_millis() / POLL.as_millis()) as u32 + 50;
    for _ in 0..polls {
        if let Some(outcome) = slot.borrow().clone() {
            return outcome;
        }
        let still_leading =
            IN_FLIGHT.with(|map| map.borrow().get(url).is_some_and(|s| Rc::ptr_eq(s, slot)));
        if !still_leading {
            break;
        }
        Delay::from(POLL).await;
    }
    slot.borrow().clone().unwrap_or_else(|| {
        Err(Failure::Network(
            "the identical request in flight was abandoned".into(),
        ))
    })
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
        let retry_after_secs = response
            .headers()
            .get("retry-after")
            .ok()
            .flatten()
            .and_then(|value| value.trim().parse().ok());
        let body = response.text().await?;
        Ok::<_, worker::Error>(Answer {
            status,
            body,
            retry_after_secs,
        })
    };
    match select(pin!(work), pin!(Delay::from(TIMEOUT))).await {
        Either::Left((answer, _)) => answer.map_err(|e| format!("fetch failed: {e}")),
        Either::Right(_) => {
            controller.abort();
            Err(format!("no answer within {}s", TIMEOUT.as_secs()))
        }
    }
}
