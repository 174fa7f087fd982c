//! Structured error lines for failures that must not fail their caller (a tick, a push, a notice).

/// Logs `{"level": "error", "event", "detail"}` on one line.
pub(crate) fn error(event: &str, detail: &str) {
    worker::console_error!("{}", serde_json::json!({"level": "error", "event": event, "detail": detail}));
}
