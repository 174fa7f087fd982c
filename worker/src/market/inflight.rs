//! One GET per URL at a time within this isolate: while a request is in flight, later callers
//! for the same URL wait for its answer instead of sending their own (and for a second after,
//! reuse it while the leader writes the cache), so a burst of requests at the moment a cache
//! window expires costs the venue one request. Workers forbid touching
//! another request's I/O, so only the finished answer (plain data) is shared: followers poll
//! for it on their own timers. The GET itself (timeout, log line) is `http::outbound::send`.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use futures_util::future::LocalBoxFuture;
use worker::Delay;

use super::error::MarketError;
use super::upstream::now_ms;
use crate::http::outbound::{self, Answer, Outbound, Unreachable, TIMEOUT};

/// How often a follower looks for the leader's answer.
const POLL: Duration = Duration::from_millis(20);

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

/// One URL's request: its outcome once known, and when it became known.
#[derive(Default)]
struct State {
    outcome: Option<Outcome>,
    done_at_ms: i64,
}

impl State {
    /// Only successful answers are handed on after the fact: a retry must really retry.
    fn reusable(&self) -> bool {
        matches!(&self.outcome, Some(Ok(answer)) if (200..300).contains(&answer.status))
    }
}

type Slot = Rc<RefCell<State>>;

/// How long a finished answer is still handed to callers who arrive late: it covers the gap
/// between the answer and the leader's cache write, and is far below any freshness window.
const REUSE_MS: i64 = 1_000;

thread_local! {
    static IN_FLIGHT: RefCell<HashMap<String, Slot>> = RefCell::default();
}

/// Unregisters the leader's slot when it ends without a reusable answer (an error, or the
/// leader's request being cancelled), so the next caller sends afresh.
struct Leading {
    url: String,
    slot: Slot,
}

impl Drop for Leading {
    fn drop(&mut self) {
        if !self.slot.borrow().reusable() {
            unregister(&self.url, &self.slot);
        }
    }
}

fn unregister(url: &str, slot: &Slot) {
    IN_FLIGHT.with(|map| {
        let mut map = map.borrow_mut();
        if map.get(url).is_some_and(|s| Rc::ptr_eq(s, slot)) {
            map.remove(url);
        }
    });
}

/// The registered slot for `url` if it is in flight or has a fresh answer; stale ones go.
fn current(url: &str, now_ms: i64) -> Option<Slot> {
    IN_FLIGHT.with(|map| {
        let mut map = map.borrow_mut();
        map.retain(|_, slot| {
            let state = slot.borrow();
            state.outcome.is_none() || (state.reusable() && now_ms - state.done_at_ms < REUSE_MS)
        });
        map.get(url).cloned()
    })
}

/// GETs `url` from `service`, or waits for (or reuses) the identical request in this isolate.
/// `admit` runs only when this caller is the one that sends.
pub async fn get(url: &str, service: &str, admit: Admit) -> Outcome {
    if let Some(slot) = current(url, now_ms()) {
        return follow(url, &slot).await;
    }
    let slot: Slot = Rc::default();
    IN_FLIGHT.with(|map| map.borrow_mut().insert(url.to_string(), Rc::clone(&slot)));
    let _leading = Leading { url: url.to_string(), slot: Rc::clone(&slot) };
    let outcome = match admit.await {
        Err(error) => Err(Failure::Refused(error)),
        Ok(()) => {
            let request = Outbound::get(url.to_string())
                .header("accept", "application/json")
                .header("user-agent", "auronex-market-data/1.0");
            outbound::send(&request, service).await.map(Rc::new).map_err(|Unreachable(detail)| Failure::Network(detail))
        }
    };
    let mut state = slot.borrow_mut();
    state.outcome = Some(outcome.clone());
    state.done_at_ms = now_ms();
    outcome
}

async fn follow(url: &str, slot: &Slot) -> Outcome {
    let polls = (TIMEOUT.as_millis() / POLL.as_millis()) as u32 + 50;
    for _ in 0..polls {
        if let Some(outcome) = slot.borrow().outcome.clone() {
            return outcome;
        }
        let still_leading = IN_FLIGHT.with(|map| map.borrow().get(url).is_some_and(|s| Rc::ptr_eq(s, slot)));
        if !still_leading {
            break;
        }
        Delay::from(POLL).await;
    }
    slot.borrow()
        .outcome
        .clone()
        .unwrap_or_else(|| Err(Failure::Network("the identical request in flight was abandoned".into())))
}
