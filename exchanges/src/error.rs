//! Venue errors, classified once: what the caller should do (retry, back off, give up, or
//! tell the user the symbol does not exist), whatever venue and payload produced them.

use thiserror::Error;

/// What a failure means for the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Worth retrying soon: 5xx, timeouts, the venue's own "busy" codes.
    Transient,
    /// The venue asks us to slow down (HTTP 429/418 or an equivalent code).
    RateLimited,
    /// The venue does not know the market we asked about.
    UnknownSymbol,
    /// The request or the payload is wrong; retrying will not help.
    Terminal,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct VenueError {
    pub kind: ErrorKind,
    pub message: String,
    /// Seconds the venue asked us to wait, when it said.
    pub retry_after_secs: Option<u64>,
}

impl VenueError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), retry_after_secs: None }
    }

    pub fn terminal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Terminal, message)
    }

    pub fn transient(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Transient, message)
    }

    pub fn unknown_symbol(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::UnknownSymbol, message)
    }

    /// A payload that does not have the documented shape.
    pub fn malformed(what: &str, detail: impl std::fmt::Display) -> Self {
        Self::terminal(format!("unexpected {what} payload: {detail}"))
    }

    pub fn is_retryable(&self) -> bool {
        self.kind == ErrorKind::Transient
    }

    /// The classification every venue shares for an HTTP status without a recognised body.
    pub fn from_status(status: u16, detail: &str) -> Self {
        let detail = detail.chars().take(200).collect::<String>();
        let message = format!("HTTP {status}: {detail}");
        match status {
            429 | 418 => Self::new(ErrorKind::RateLimited, message),
            408 | 500..=599 => Self::transient(message),
            _ => Self::terminal(message),
        }
    }
}
