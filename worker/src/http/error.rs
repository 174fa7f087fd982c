//! The one API error type and its JSON body `{"error": {"code", "message", "field"?}}`.

use serde::Serialize;

pub type ApiResult<T> = Result<T, ApiError>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    /// Extra response headers: `Allow`, `Retry-After`, `WWW-Authenticate`.
    pub headers: Vec<(&'static str, String)>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: &'a str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'a str>,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into(), field: None, headers: Vec::new() }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }

    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(422, "validation_error", message).with_field(field)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, "unauthorized", message).with_header("www-authenticate", "Bearer")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "forbidden", message)
    }

    pub fn not_found() -> Self {
        Self::new(404, "not_found", "no such resource")
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(409, code, message)
    }

    pub fn too_many_requests(retry_after_seconds: u64) -> Self {
        Self::new(429, "rate_limited", "too many attempts; try again later")
            .with_header("retry-after", retry_after_seconds.max(1).to_string())
    }

    pub fn method_not_allowed(allowed: &[&str]) -> Self {
        Self::new(405, "method_not_allowed", "method not allowed on this path").with_header("allow", allowed.join(", "))
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::new(413, "payload_too_large", format!("request body exceeds {limit} bytes"))
    }

    pub fn unsupported_media_type(expected: &str) -> Self {
        Self::new(415, "unsupported_media_type", format!("expected Content-Type: {expected}"))
    }

    /// A server-side failure: the detail goes to the log, never to the client.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        worker::console_error!(
            "{}",
            serde_json::json!({"level": "error", "event": "internal_error", "detail": detail.to_string()})
        );
        Self::new(500, "internal_error", "internal server error")
    }

    pub fn body_json(&self) -> String {
        let body = Body { error: Inner { code: self.code, message: &self.message, field: self.field.as_deref() } };
        serde_json::to_string(&body)
            .unwrap_or_else(|_| r#"{"error":{"code":"internal_error","message":"internal server error"}}"#.into())
    }
}

impl From<worker::Error> for ApiError {
    fn from(error: worker::Error) -> Self {
        Self::internal(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_code_message_and_optional_field() {
        let plain = ApiError::not_found().body_json();
        assert_eq!(plain, r#"{"error":{"code":"not_found","message":"no such resource"}}"#);
        let with_field = ApiError::validation("email", "email is invalid").body_json();
        let parsed: serde_json::Value = serde_json::from_str(&with_field).unwrap();
        assert_eq!(parsed["error"]["code"], "validation_error");
        assert_eq!(parsed["error"]["field"], "email");
    }

    #[test]
    fn method_not_allowed_lists_allowed_methods() {
        let error = ApiError::method_not_allowed(&["GET", "POST"]);
        assert_eq!(error.status, 405);
        assert_eq!(error.headers, vec![("allow", "GET, POST".to_string())]);
    }

    #[test]
    fn rate_limits_carry_retry_after_of_at_least_one_second() {
        let error = ApiError::too_many_requests(0);
        assert_eq!((error.status, error.code), (429, "rate_limited"));
        assert_eq!(error.headers, vec![("retry-after", "1".to_string())]);
    }
}
