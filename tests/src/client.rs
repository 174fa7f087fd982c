//! A small blocking HTTP client for tests: every status comes back as a `Reply`, never an error.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use serde_json::Value;
use ureq::http;

pub struct Client {
    base_url: String,
    agent: ureq::Agent,
    pub token: Option<String>,
    /// Sent as `CF-Connecting-IP` (which Cloudflare sets in production and wrangler dev passes
    /// through), so each client is its own address for login throttling.
    pub address: String,
}

static NEXT_ADDRESS: AtomicU32 = AtomicU32::new(1);

#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("body is not JSON ({e}): {:?}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// Asserts the API's error shape and returns the error code.
    pub fn error_code(&self) -> String {
        let body = self.json();
        let code = body["error"]["code"].as_str().unwrap_or_else(|| panic!("no error.code in {body}"));
        assert!(body["error"]["message"].is_string(), "no error.message in {body}");
        assert!(self.header("content-type").is_some_and(|v| v.starts_with("application/json")));
        code.to_string()
    }
}

impl Client {
    pub fn new(base_url: &str) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .new_agent();
        let n = NEXT_ADDRESS.fetch_add(1, Ordering::Relaxed);
        let address = format!("198.18.{}.{}", (n >> 8) & 0xff, n & 0xff);
        Self { base_url: base_url.to_string(), agent, token: None, address }
    }

    pub fn with_token(mut self, token: &str) -> Self {
        self.token = Some(token.to_string());
        self
    }

    pub fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None, &[])
    }

    pub fn try_get(&self, path: &str) -> Option<Reply> {
        self.try_send("GET", path, None, &[])
    }

    pub fn post_json(&self, path: &str, body: &Value) -> Reply {
        self.send("POST", path, Some(body.to_string().into_bytes()), &[("content-type", "application/json")])
    }

    pub fn put_json(&self, path: &str, body: &Value) -> Reply {
        self.send("PUT", path, Some(body.to_string().into_bytes()), &[("content-type", "application/json")])
    }

    pub fn patch_json(&self, path: &str, body: &Value) -> Reply {
        self.send("PATCH", path, Some(body.to_string().into_bytes()), &[("content-type", "application/json")])
    }

    pub fn delete(&self, path: &str) -> Reply {
        self.send("DELETE", path, None, &[])
    }

    pub fn send(&self, method: &str, path: &str, body: Option<Vec<u8>>, headers: &[(&str, &str)]) -> Reply {
        self.try_send(method, path, body, headers).unwrap_or_else(|| panic!("{method} {path}: no HTTP answer"))
    }

    fn try_send(&self, method: &str, path: &str, body: Option<Vec<u8>>, headers: &[(&str, &str)]) -> Option<Reply> {
        let mut builder = http::Request::builder().method(method).uri(format!("{}{}", self.base_url, path));
        builder = builder.header("cf-connecting-ip", self.address.as_str());
        if let Some(token) = &self.token {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder.body(body.unwrap_or_default()).ok()?;
        let mut response = self.agent.run(request).ok()?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.body_mut().read_to_string().unwrap_or_default();
        Some(Reply { status, headers, body })
    }
}
