//! Requests the Worker makes to outside services (exchanges, Stripe, Mercado Pago): a plain
//! description that pure code builds and tests natively, and one `send` with a time limit.

use worker::wasm_bindgen::JsValue;
use worker::{Fetch, Headers, Method, Request, RequestInit};

/// How long an outside service gets to answer before the Worker gives up.
pub const TIMEOUT_MS: u32 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

/// The service could not be reached or did not answer in time. The detail is for the log only:
/// it may name the URL, never a credential (those travel in headers and bodies).
#[derive(Debug)]
pub struct Unreachable(pub String);

impl Outbound {
    pub fn get(url: String) -> Self {
        Self { method: "GET", url, headers: Vec::new(), body: None }
    }

    pub fn post(url: String, content_type: &str, body: String) -> Self {
        Self { method: "POST", url, headers: vec![("content-type", content_type.to_string())], body: Some(body) }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// A base URL from configuration joined with a path: no doubled or missing slash.
pub fn join(base: &str, path: &str) -> String {
    format!("{}/{}", base.trim_end_matches('/'), path.trim_start_matches('/'))
}

pub async fn send(outbound: &Outbound) -> Result<Answer, Unreachable> {
    let headers = Headers::new();
    for (name, value) in &outbound.headers {
        headers.set(name, value).map_err(|e| Unreachable(format!("header {name}: {e}")))?;
    }
    let method = Method::from(outbound.method.to_string());
    let mut init = RequestInit::new();
    init.with_method(method).with_headers(headers);
    if let Some(body) = &outbound.body {
        init.with_body(Some(JsValue::from_str(body)));
    }
    let request = Request::new_with_init(&outbound.url, &init).map_err(|e| Unreachable(e.to_string()))?;
    let signal = web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS);
    let mut response =
        Fetch::Request(request).send_with_signal(&signal.into()).await.map_err(|e| Unreachable(e.to_string()))?;
    let status = response.status_code();
    let body = response.text().await.map_err(|e| Unreachable(e.to_string()))?;
    Ok(Answer { status, body })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_handles_slashes() {
        assert_eq!(join("https://api.stripe.com", "/v1/x"), "https://api.stripe.com/v1/x");
        assert_eq!(join("http://127.0.0.1:9/stripe/", "v1/x"), "http://127.0.0.1:9/stripe/v1/x");
    }
}
