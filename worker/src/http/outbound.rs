//! The one HTTP layer for requests the Worker makes to outside services (exchanges, Stripe,
//! Mercado Pago, AwesomeAPI): a plain request description that pure code builds and tests
//! natively, `send` with a time limit and one log line per call (service, method, path, status,
//! duration; never the query string, headers or bodies, where signatures and keys travel), and
//! `with_retries`, the bounded back-off every caller uses for transient failures.

use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use futures_util::future::{select, Either};
use worker::wasm_bindgen::JsValue;
use worker::{AbortController, Delay, Fetch, Headers, Method, Request, RequestInit};

/// How long an outside service gets to answer before the Worker gives up on the attempt.
pub const TIMEOUT: Duration = Duration::from_secs(8);
/// Attempts after the first, on transient failures only.
pub const RETRIES: u32 = 2;
/// First back-off; each further one is three times longer (250 ms, 750 ms).
const BACKOFF_MS: u64 = 250;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
    /// A credential that travels in the URL itself (Telegram's bot token): masked wherever
    /// the request is logged.
    pub secret_in_url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    /// The `Retry-After` header in seconds, when the service sent one.
    pub retry_after_secs: Option<u64>,
}

/// The service could not be reached or did not answer in time. The detail is for the log only:
/// it may name the URL, never a credential (those travel in headers and bodies).
#[derive(Debug, Clone)]
pub struct Unreachable(pub String);

impl Outbound {
    pub fn get(url: String) -> Self {
        Self { method: "GET", url, headers: Vec::new(), body: None, secret_in_url: None }
    }

    pub fn post(url: String, content_type: &str, body: String) -> Self {
        Self {
            method: "POST",
            url,
            headers: vec![("content-type", content_type.to_string())],
            body: Some(body),
            secret_in_url: None,
        }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Marks `secret`, which is part of the URL, to be masked in every log line.
    pub fn secret_in_url(mut self, secret: impl Into<String>) -> Self {
        self.secret_in_url = Some(secret.into());
        self
    }

    /// The URL without its query string and with any secret in it masked: what the log may show.
    pub fn path_for_log(&self) -> String {
        self.mask(self.url.split(['?', '#']).next().unwrap_or(""))
    }

    /// `text` with the URL's secret (if any) masked.
    pub fn mask(&self, text: &str) -> String {
        match self.secret_in_url.as_deref() {
            Some(secret) if !secret.is_empty() => text.replace(secret, "<secret>"),
            _ => text.to_string(),
        }
    }
}

/// A base URL from configuration joined with a path: no doubled or missing slash.
pub fn join(base: &str, path: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), path.trim_start_matches('/'))
}

/// Whether a failed GET is worth sending again: no answer, or the service said it is
/// momentarily unable (timeouts and 5xx gateways). Requests with side effects are never resent.
pub fn is_transient(request: &Outbound, outcome: &Result<Answer, Unreachable>) -> bool {
    request.method == "GET" && matches!(outcome, Err(_) | Ok(Answer { status: 408 | 500 | 502..=504, .. }))
}

/// Runs `attempt` (given its number, 0 first) until it succeeds, fails for good, or
/// [`RETRIES`] more attempts are spent, waiting 250 ms then 750 ms between attempts.
pub async fn with_retries<T, E, F, Fut>(retryable: impl Fn(&E) -> bool, mut attempt: F) -> Result<T, E>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut number = 0;
    loop {
        match attempt(number).await {
            Err(error) if retryable(&error) && number < RETRIES => {
                Delay::from(Duration::from_millis(BACKOFF_MS * 3u64.pow(number))).await;
                number += 1;
            }
            outcome => return outcome,
        }
    }
}

/// Sends `outbound` once, or again after a transient failure when it is a GET.
pub async fn send_retrying(outbound: &Outbound, service: &str) -> Result<Answer, Unreachable> {
    // A transient outcome travels as `Err` so that `with_retries` tries again; either way the
    // last outcome is the answer.
    let last = with_retries(
        |_| true,
        |_| async {
            let outcome = send(outbound, service).await;
            if is_transient(outbound, &outcome) {
                Err(outcome)
            } else {
                Ok(outcome)
            }
        },
    )
    .await;
    last.unwrap_or_else(|outcome| outcome)
}

/// One attempt, aborted after [`TIMEOUT`], logged on one line.
pub async fn send(outbound: &Outbound, service: &str) -> Result<Answer, Unreachable> {
    let started = crate::clock::now_ms();
    let outcome = attempt(outbound).await;
    let (level, status, error) = match &outcome {
        Ok(answer) if answer.status < 400 => ("info", Some(answer.status), None),
        Ok(answer) => ("warn", Some(answer.status), None),
        Err(Unreachable(detail)) => ("warn", None, Some(outbound.mask(detail).chars().take(200).collect::<String>())),
    };
    worker::console_log!(
        "{}",
        serde_json::json!({
            "level": level, "event": "upstream", "service": service, "method": outbound.method,
            "path": outbound.path_for_log(), "status": status, "error": error,
            "duration_ms": crate::clock::now_ms() - started,
        })
    );
    outcome
}

async fn attempt(outbound: &Outbound) -> Result<Answer, Unreachable> {
    let headers = Headers::new();
    for (name, value) in &outbound.headers {
        headers.set(name, value).map_err(|e| Unreachable(format!("header {name}: {e}")))?;
    }
    let controller = AbortController::default();
    let signal = controller.signal();
    let mut init = RequestInit::new();
    init.with_method(Method::from(outbound.method.to_string())).with_headers(headers);
    if let Some(body) = &outbound.body {
        init.with_body(Some(JsValue::from_str(body)));
    }
    let request = Request::new_with_init(&outbound.url, &init).map_err(|e| Unreachable(format!("bad request: {e}")))?;
    let work = async move {
        let mut response = Fetch::Request(request).send_with_signal(&signal).await?;
        let status = response.status_code();
        let retry_after_secs =
            response.headers().get("retry-after").ok().flatten().and_then(|value| value.trim().parse().ok());
        let body = response.text().await?;
        Ok::<_, worker::Error>(Answer { status, body, retry_after_secs })
    };
    match select(pin!(work), pin!(Delay::from(TIMEOUT))).await {
        Either::Left((answer, _)) => answer.map_err(|e| Unreachable(format!("fetch failed: {e}"))),
        Either::Right(_) => {
            controller.abort();
            Err(Unreachable(format!("no answer within {}s", TIMEOUT.as_secs())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_handles_slashes() {
        assert_eq!(join("https://api.stripe.com", "/v1/x"), "https://api.stripe.com/v1/x");
        assert_eq!(join("http://127.0.0.1:9/stripe/", "v1/x"), "http://127.0.0.1:9/stripe/v1/x");
    }

    #[test]
    fn the_log_never_sees_the_query_string() {
        let request = Outbound::get("https://api.binance.com/api/v3/account?timestamp=1&signature=abc".into());
        assert_eq!(request.path_for_log(), "https://api.binance.com/api/v3/account");
    }

    #[test]
    fn a_secret_in_the_url_is_masked_in_the_log() {
        let request = Outbound::post(
            "https://api.telegram.org/bot123:SECRET/sendMessage".into(),
            "application/json",
            "{}".into(),
        )
        .secret_in_url("123:SECRET");
        assert_eq!(request.path_for_log(), "https://api.telegram.org/bot<secret>/sendMessage");
        assert_eq!(
            request.mask("fetch failed: https://api.telegram.org/bot123:SECRET/x"),
            "fetch failed: https://api.telegram.org/bot<secret>/x"
        );
    }

    #[test]
    fn only_gets_that_failed_in_passing_are_resent() {
        let answer = |status| Ok(Answer { status, body: String::new(), retry_after_secs: None });
        let get = Outbound::get("https://x/y".into());
        let post = Outbound::post("https://x/y".into(), "text/plain", String::new());
        assert!(is_transient(&get, &Err(Unreachable("timeout".into()))));
        assert!(is_transient(&get, &answer(503)) && is_transient(&get, &answer(500)));
        assert!(
            !is_transient(&get, &answer(401)) && !is_transient(&get, &answer(200)) && !is_transient(&get, &answer(429))
        );
        assert!(!is_transient(&post, &Err(Unreachable("timeout".into()))), "a POST may have been applied");
    }
}
