//! API key records: the input rules for a new key, the hint shown instead of the key, and the
//! view that leaves the Worker (never the key, the secret or the passphrase).

use serde::{Deserialize, Serialize};

use crate::http::{ApiError, ApiResult};
use crate::vault::Credentials;

/// The venues a key can be stored for (the ids of `GET /api/exchanges`).
pub const EXCHANGES: &[&str] =
    &["binance", "bybit", "okx", "kraken", "coinbase", "gateio", "htx", "kucoin", "mercadobitcoin", "foxbit"];
/// Venues whose API keys come with a passphrase chosen at creation.
const NEEDS_PASSPHRASE: &[&str] = &["okx", "kucoin", "coinbase"];
pub const MAX_KEYS_PER_USER: usize = 25;
/// Least time between two tests of one key.
pub const TEST_INTERVAL_MS: i64 = 3_000;
const LABEL_MAX_CHARS: usize = 50;

#[derive(Deserialize)]
pub struct NewApiKey {
    pub exchange: String,
    pub api_key: String,
    pub secret_key: String,
    #[serde(default)]
    pub passphrase: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub is_testnet: bool,
}

/// A validated new key: what is stored in the clear and what is sealed.
pub struct Validated {
    pub exchange: &'static str,
    pub label: String,
    pub is_testnet: bool,
    pub hint: String,
    pub credentials: Credentials,
}

/// A row of `api_keys` without its sealed credentials.
#[derive(Debug, Clone, Deserialize)]
pub struct ApiKeyRow {
    pub id: String,
    pub user_id: String,
    pub exchange: String,
    pub label: String,
    pub key_hint: String,
    pub is_testnet: u8,
    pub is_active: u8,
    pub key_id: String,
    pub sealed: String,
    pub last_tested_at: Option<String>,
    pub last_test_ok: Option<u8>,
    pub created_at: String,
}

#[derive(Debug, Serialize)]
pub struct ApiKeyView {
    pub id: String,
    pub exchange: String,
    pub label: String,
    pub key_hint: String,
    pub is_testnet: bool,
    pub is_active: bool,
    pub last_tested_at: Option<String>,
    pub last_test_ok: Option<bool>,
    pub created_at: String,
}

impl ApiKeyRow {
    pub fn view(&self) -> ApiKeyView {
        ApiKeyView {
            id: self.id.clone(),
            exchange: self.exchange.clone(),
            label: self.label.clone(),
            key_hint: self.key_hint.clone(),
            is_testnet: self.is_testnet != 0,
            is_active: self.is_active != 0,
            last_tested_at: self.last_tested_at.clone(),
            last_test_ok: self.last_test_ok.map(|ok| ok != 0),
            created_at: self.created_at.clone(),
        }
    }
}

/// `abcd...wxyz` for keys of 12 characters or more; shorter keys show only their last two.
pub fn hint(api_key: &str) -> String {
    let chars: Vec<char> = api_key.chars().collect();
    if chars.len() >= 12 {
        let head: String = chars[..4].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{head}...{tail}")
    } else {
        let tail: String = chars[chars.len().saturating_sub(2)..].iter().collect();
        format!("...{tail}")
    }
}

/// Seconds to wait before this key may be tested again, if any.
pub fn test_cooldown(last_tested_at: Option<&str>, now_ms: i64) -> Option<u64> {
    let last = chrono::DateTime::parse_from_rfc3339(last_tested_at?).ok()?.timestamp_millis();
    let left = last + TEST_INTERVAL_MS - now_ms;
    (left > 0).then(|| ((left + 999) / 1000) as u64)
}

/// Venue credentials are printable ASCII without spaces; the lengths cover every venue's
/// format with room to spare while keeping one row small.
fn credential(field: &'static str, value: &str, min: usize, max: usize) -> ApiResult<String> {
    let value = value.trim();
    if value.len() < min || value.len() > max {
        return Err(ApiError::validation(field, format!("{field} must be {min} to {max} characters")));
    }
    if !value.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Err(ApiError::validation(field, format!("{field} must be printable ASCII without spaces")));
    }
    Ok(value.to_string())
}

pub fn validate(input: NewApiKey) -> ApiResult<Validated> {
    let exchange =
        EXCHANGES.iter().copied().find(|id| *id == input.exchange.trim().to_ascii_lowercase()).ok_or_else(|| {
            ApiError::validation("exchange", format!("exchange must be one of {}", EXCHANGES.join(", ")))
        })?;
    let api_key = credential("api_key", &input.api_key, 8, 256)?;
    let secret_key = credential("secret_key", &input.secret_key, 8, 512)?;
    let passphrase = match input.passphrase.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(passphrase) => Some(credential("passphrase", passphrase, 1, 128)?),
        None if NEEDS_PASSPHRASE.contains(&exchange) => {
            return Err(ApiError::validation("passphrase", format!("{exchange} keys need their passphrase")));
        }
        None => None,
    };
    let label = input.label.unwrap_or_default().trim().to_string();
    if label.chars().count() > LABEL_MAX_CHARS || label.chars().any(char::is_control) {
        return Err(ApiError::validation(
            "label",
            format!("label must be at most {LABEL_MAX_CHARS} printable characters"),
        ));
    }
    Ok(Validated {
        exchange,
        label,
        is_testnet: input.is_testnet,
        hint: hint(&api_key),
        credentials: Credentials { api_key, secret_key, passphrase },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(exchange: &str, api_key: &str, secret_key: &str) -> NewApiKey {
        NewApiKey {
            exchange: exchange.into(),
            api_key: api_key.into(),
            secret_key: secret_key.into(),
            passphrase: None,
            label: None,
            is_testnet: false,
        }
    }

    #[test]
    fn hints_show_four_and_four() {
        assert_eq!(hint("vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"), "vmPU...Eh8A");
        assert_eq!(hint("abcdefghijkl"), "abcd...ijkl");
        assert_eq!(hint("abcdefgh"), "...gh");
    }

    #[test]
    fn valid_keys_are_trimmed_and_normalised() {
        let valid = validate(input(" Binance ", "  abcdefghijklmnop ", "secret-secret")).unwrap();
        assert_eq!(valid.exchange, "binance");
        assert_eq!(valid.credentials.api_key, "abcdefghijklmnop");
        assert_eq!(valid.hint, "abcd...mnop");
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases = [
            (input("nasdaq", "abcdefghijkl", "secretsecret"), "exchange"),
            (input("binance", "short", "secretsecret"), "api_key"),
            (input("binance", "has space in it", "secretsecret"), "api_key"),
            (input("binance", "abcdefghijkl", "tiny"), "secret_key"),
            (input("binance", "abcdefghijkl", &"x".repeat(513)), "secret_key"),
            (input("okx", "abcdefghijkl", "secretsecret"), "passphrase"),
            (NewApiKey { label: Some("x".repeat(51)), ..input("binance", "abcdefghijkl", "secretsecret") }, "label"),
        ];
        for (case, field) in cases {
            let error = validate(case).err().expect("refused");
            assert_eq!((error.status, error.field.as_deref()), (422, Some(field)));
        }
    }

    #[test]
    fn tests_of_one_key_are_spaced() {
        let at = "2026-11-23T08:00:00.000Z";
        let then = 1_795_420_800_000;
        assert_eq!(test_cooldown(Some(at), then + 500), Some(3));
        assert_eq!(test_cooldown(Some(at), then + 2_500), Some(1));
        assert_eq!(test_cooldown(Some(at), then + 3_000), None);
        assert_eq!(test_cooldown(None, then), None);
        assert_eq!(test_cooldown(Some("garbage"), then), None);
    }

    #[test]
    fn the_view_has_no_credentials() {
        let row = ApiKeyRow {
            id: "k1".into(),
            user_id: "u1".into(),
            exchange: "binance".into(),
            label: "main".into(),
            key_hint: "abcd...wxyz".into(),
            is_testnet: 1,
            is_active: 1,
            key_id: "0011223344556677".into(),
            sealed: "SEALED-BLOB".into(),
            last_tested_at: None,
            last_test_ok: None,
            created_at: "2026-01-01T00:00:00.000Z".into(),
        };
        let json = serde_json::to_string(&row.view()).unwrap();
        assert!(!json.contains("SEALED") && !json.contains("0011223344556677") && !json.contains("u1"));
        assert!(json.contains("\"is_testnet\":true"));
    }
}
