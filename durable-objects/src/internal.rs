//! JSON calls to a Durable Object stub over its internal HTTP interface (never exposed publicly:
//! only the Worker and other objects hold stubs).

use serde::de::DeserializeOwned;
use serde::Serialize;
use worker::wasm_bindgen::JsValue;
use worker::{Headers, Method, Request, RequestInit, Response, Stub};

/// Internal URLs need a host; it is never resolved.
pub const ORIGIN: &str = "https://internal.auronex";

pub async fn call<B: Serialize, R: DeserializeOwned>(
    stub: &Stub,
    method: Method,
    path: &str,
    body: Option<&B>,
) -> worker::Result<R> {
    let mut init = RequestInit::new();
    init.with_method(method);
    if let Some(body) = body {
        let headers = Headers::new();
        headers.set("content-type", "application/json")?;
        init.with_headers(headers);
        init.with_body(Some(JsValue::from_str(&serde_json::to_string(body)?)));
    }
    let request = Request::new_with_init(&format!("{ORIGIN}{path}"), &init)?;
    let mut response = stub.fetch_with_request(request).await?;
    if response.status_code() >= 400 {
        let text = response.text().await.unwrap_or_default();
        return Err(worker::Error::RustError(format!("{path} answered {}: {text}", response.status_code())));
    }
    response.json::<R>().await
}

pub fn json_response<T: Serialize>(value: &T) -> worker::Result<Response> {
    Response::from_json(value)
}

pub fn error_response(status: u16, code: &str, message: &str) -> worker::Result<Response> {
    let body = serde_json::json!({"error": {"code": code, "message": message}});
    Ok(Response::from_json(&body)?.with_status(status))
}

/// Fills `bytes` from the platform's CSPRNG (`crypto.getRandomValues`).
pub fn random_fill(bytes: &mut [u8]) -> worker::Result<()> {
    use worker::wasm_bindgen::JsCast;
    let crypto = worker::js_sys::Reflect::get(&worker::js_sys::global(), &JsValue::from_str("crypto"))
        .map_err(|_| worker::Error::RustError("globalThis.crypto is missing".into()))?
        .dyn_into::<web_sys::Crypto>()
        .map_err(|_| worker::Error::RustError("globalThis.crypto is not a Crypto".into()))?;
    crypto.get_random_values_with_u8_array(bytes).map_err(|e| worker::Error::RustError(format!("{e:?}")))?;
    Ok(())
}

/// Milliseconds since the Unix epoch (the clock advances across I/O in Workers).
pub fn now_ms() -> i64 {
    worker::js_sys::Date::now() as i64
}

/// RFC 3339 UTC for a Unix-milliseconds instant.
pub fn rfc3339(ms: i64) -> String {
    String::from(worker::js_sys::Date::new(&(ms as f64).into()).to_iso_string())
}
