//! Query strings and Binance's error bodies, shared by the simulated endpoints.

use serde_json::{json, Value};

/// A decoded query string.
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn parse(query: &str) -> Self {
        let pairs = query
            .split('&')
            .filter(|part| !part.is_empty())
            .map(|part| {
                let (key, value) = part.split_once('=').unwrap_or((part, ""));
                (decode(key), decode(value))
            })
            .collect();
        Self(pairs)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An HTTP status with a JSON body.
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub retry_after: Option<u64>,
}

impl Reply {
    pub fn ok(body: Value) -> Self {
        Self { status: 200, body, retry_after: None }
    }

    /// Binance's error body, `{"code": -1121, "msg": "Invalid symbol."}`.
    pub fn binance_error(status: u16, code: i64, msg: &str) -> Self {
        Self { status, body: json!({"code": code, "msg": msg}), retry_after: None }
    }

    pub fn mandatory(param: &str) -> Self {
        Self::binance_error(
            400,
            -1102,
            &format!("Mandatory parameter '{param}' was not sent, was empty/null, or malformed."),
        )
    }
}

/// Prices and quantities the way Binance prints them: eight decimal places.
pub fn fmt8(value: f64) -> String {
    format!("{value:.8}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_json_arrays_and_plain_values() {
        let query = Query::parse("symbols=%5B%22BTCUSDT%22%2C%22ETHUSDT%22%5D&limit=5&x=");
        assert_eq!(query.get("symbols"), Some(r#"["BTCUSDT","ETHUSDT"]"#));
        assert_eq!(query.get("limit"), Some("5"));
        assert_eq!(query.get("x"), None);
        assert_eq!(Query::parse("a=%ZZ").get("a"), Some("%ZZ"));
    }
}
