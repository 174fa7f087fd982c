//! A request to a venue's public REST API, described without doing any I/O: the path and
//! query to append to the configured base URL, its rate-limit weight, and which market it is
//! about when the venue's answer does not name it.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamRequest {
    /// Path and query, starting with `/`, already percent-encoded.
    pub path_and_query: String,
    /// Cost against the venue's rate limit, in the venue's own units (see `Quirks`).
    pub weight: u32,
    /// The venue symbol this request is about, for payloads that do not repeat it.
    pub venue_symbol: Option<String>,
    /// For candles the venue does not offer at the wanted interval: the parser groups the
    /// finer candles it asked for into buckets of this many milliseconds.
    pub group_ms: Option<i64>,
}

impl UpstreamRequest {
    pub fn new(path_and_query: impl Into<String>, weight: u32) -> Self {
        Self { path_and_query: path_and_query.into(), weight, venue_symbol: None, group_ms: None }
    }

    pub fn about(mut self, venue_symbol: &str) -> Self {
        self.venue_symbol = Some(venue_symbol.to_string());
        self
    }

    pub fn grouped(mut self, group_ms: i64) -> Self {
        self.group_ms = Some(group_ms);
        self
    }

    /// The full URL under a base such as `https://api.binance.com` (trailing `/` tolerated).
    pub fn url(&self, base_url: &str) -> String {
        format!("{}{}", base_url.trim_end_matches('/'), self.path_and_query)
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters pass through).
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// `2024-01-01T00:00:00.000Z`, for venues whose time parameters are ISO 8601.
pub fn iso8601(ms: i64) -> String {
    use chrono::{DateTime, SecondsFormat};
    DateTime::from_timestamp_millis(ms).map(|t| t.to_rfc3339_opts(SecondsFormat::Millis, true)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_base_and_path() {
        let request = UpstreamRequest::new("/api/v3/ping", 1);
        assert_eq!(request.url("http://127.0.0.1:9/"), "http://127.0.0.1:9/api/v3/ping");
    }

    #[test]
    fn encodes_json_arrays_in_queries() {
        assert_eq!(encode(r#"["BTCUSDT"]"#), "%5B%22BTCUSDT%22%5D");
        assert_eq!(encode("BTC-USD"), "BTC-USD");
    }

    #[test]
    fn formats_iso8601_in_utc_with_millis() {
        assert_eq!(iso8601(1_704_067_200_000), "2024-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_704_067_199_999), "2023-12-31T23:59:59.999Z");
    }
}
