//! Market-data failures, classified once and mapped to the API's JSON error body: unknown
//! markets are the caller's 422, an unreachable or throttled venue is 503 (with Retry-After
//! when known), a venue answering nonsense is 502.

use auronex_exchanges::{ErrorKind, VenueError};
use worker::Response;

use crate::app::error_response;
use crate::http::ApiError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarketError {
    /// The venue does not list this market (or says so).
    UnknownSymbol { venue: String, symbol: String },
    /// Timeouts, connection failures, 5xx after retries.
    Unavailable { venue: String, detail: String },
    /// The venue, or our own budget for it, says wait.
    RateLimited { venue: String, retry_after_secs: u64 },
    /// The venue answered with something we cannot use.
    BadUpstream { venue: String, detail: String },
    /// D1 failed.
    Storage(String),
}

impl MarketError {
    pub fn from_venue(venue: &str, error: VenueError) -> Self {
        let venue = venue.to_string();
        match error.kind {
            ErrorKind::UnknownSymbol => Self::UnknownSymbol { venue, symbol: error.message },
            ErrorKind::Transient => Self::Unavailable { venue, detail: error.message },
            ErrorKind::RateLimited => {
                Self::RateLimited { venue, retry_after_secs: error.retry_after_secs.unwrap_or(60) }
            }
            ErrorKind::Terminal => Self::BadUpstream { venue, detail: error.message },
        }
    }

    pub fn storage(error: impl std::fmt::Display) -> Self {
        Self::Storage(error.to_string())
    }

    pub fn to_api_error(&self) -> ApiError {
        match self {
            Self::UnknownSymbol { venue, .. } => {
                ApiError::validation("symbol", format!("{venue} does not list this market"))
            }
            Self::Unavailable { venue, .. } => {
                ApiError::new(503, "exchange_unavailable", format!("{venue} did not answer; try again shortly"))
            }
            Self::RateLimited { venue, .. } => {
                ApiError::new(503, "exchange_rate_limited", format!("{venue} asked us to slow down; try again shortly"))
            }
            Self::BadUpstream { venue, .. } => {
                ApiError::new(502, "bad_exchange_response", format!("{venue} answered with data we could not read"))
            }
            Self::Storage(detail) => ApiError::internal(detail),
        }
    }

    /// The error response, with `Retry-After` when the venue asked us to wait.
    pub fn to_response(&self) -> Response {
        let response = error_response(&self.to_api_error());
        let retry_after = match self {
            Self::RateLimited { retry_after_secs, .. } => Some(*retry_after_secs),
            Self::Unavailable { .. } => Some(5),
            _ => None,
        };
        if let Some(seconds) = retry_after {
            let _ = response.headers().set("retry-after", &seconds.to_string());
        }
        response
    }

    /// The internal detail, for the log line (never for the client).
    pub fn detail(&self) -> String {
        match self {
            Self::UnknownSymbol { venue, symbol } => format!("{venue}: unknown symbol {symbol}"),
            Self::Unavailable { venue, detail } | Self::BadUpstream { venue, detail } => {
                format!("{venue}: {detail}")
            }
            Self::RateLimited { venue, retry_after_secs } => format!("{venue}: rate limited for {retry_after_secs}s"),
            Self::Storage(detail) => format!("d1: {detail}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venue_errors_map_to_statuses() {
        let status = |kind| MarketError::from_venue("binance", VenueError::new(kind, "x")).to_api_error().status;
        assert_eq!(status(ErrorKind::UnknownSymbol), 422);
        assert_eq!(status(ErrorKind::Transient), 503);
        assert_eq!(status(ErrorKind::RateLimited), 503);
        assert_eq!(status(ErrorKind::Terminal), 502);
        let unknown = MarketError::from_venue("binance", VenueError::unknown_symbol("x"));
        assert_eq!(unknown.to_api_error().field.as_deref(), Some("symbol"));
    }
}
