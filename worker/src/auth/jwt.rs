//! Access tokens: HS256 JWTs (`sub`, `role`, `sid`, `iat`, `exp`, `jti`) signed with
//! `JWT_SECRET`. Time is an argument, so this module is tested natively.

use chrono::{DateTime, Duration, Utc};
use jwt_compact::alg::{Hs256, Hs256Key};
use jwt_compact::{AlgorithmExt, Claims, Header, TimeOptions, UntrustedToken, ValidationError};
use serde::{Deserialize, Serialize};

use crate::users::Role;

pub const ACCESS_TOKEN_SECONDS: i64 = 15 * 60;
/// Clock skew tolerated between edge locations when checking `exp`.
const LEEWAY_SECONDS: i64 = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user id.
    pub sub: String,
    pub role: Role,
    /// The login session the token was issued from; revoking it ends the token early.
    pub sid: String,
    pub jti: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum TokenError {
    Malformed,
    BadSignature,
    Expired,
}

fn at(now_ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(now_ms).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

pub fn issue(secret: &[u8], claims: AccessClaims, now_ms: i64) -> Result<String, String> {
    let now = at(now_ms);
    let mut token_claims = Claims::new(claims);
    token_claims.issued_at = Some(now);
    token_claims.expiration = Some(now + Duration::seconds(ACCESS_TOKEN_SECONDS));
    let header = Header::empty().with_token_type("JWT");
    Hs256.token(&header, &token_claims, &Hs256Key::new(secret)).map_err(|e| e.to_string())
}

/// Checks the signature with our key and algorithm (anything but HS256, `none` included, is
/// refused), then the expiry.
pub fn verify(secret: &[u8], token: &str, now_ms: i64) -> Result<AccessClaims, TokenError> {
    let untrusted = UntrustedToken::new(token).map_err(|_| TokenError::Malformed)?;
    let key = Hs256Key::new(secret);
    let token = Hs256.validator::<AccessClaims>(&key).validate(&untrusted).map_err(|error| match error {
        ValidationError::AlgorithmMismatch { .. } | ValidationError::InvalidSignature => TokenError::BadSignature,
        _ => TokenError::Malformed,
    })?;
    let options = TimeOptions::new(Duration::seconds(LEEWAY_SECONDS), move || at(now_ms));
    let claims = token.claims();
    claims.validate_expiration(&options).map_err(|error| match error {
        ValidationError::Expired => TokenError::Expired,
        _ => TokenError::Malformed,
    })?;
    Ok(claims.custom.clone())
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
    const NOW: i64 = 1_790_000_000_000;

    fn claims() -> AccessClaims {
        AccessClaims { sub: "u1".into(), role: Role::Client, sid: "s1".into(), jti: "j1".into() }
    }

    #[test]
    fn a_fresh_token_verifies_and_carries_its_claims() {
        let token = issue(SECRET, claims(), NOW).unwrap();
        assert_eq!(verify(SECRET, &token, NOW + 1_000), Ok(claims()));
    }

    #[test]
    fn the_payload_has_the_standard_claims() {
        let token = issue(SECRET, claims(), NOW).unwrap();
        let payload = token.split('.').nth(1).unwrap();
        let json: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        assert_eq!(json["iat"], NOW / 1000);
        assert_eq!(json["exp"], NOW / 1000 + ACCESS_TOKEN_SECONDS);
        for claim in ["sub", "role", "sid", "jti"] {
            assert!(json[claim].is_string(), "{claim}");
        }
    }

    #[test]
    fn expired_tokens_are_refused() {
        let token = issue(SECRET, claims(), NOW).unwrap();
        let later = NOW + (ACCESS_TOKEN_SECONDS + LEEWAY_SECONDS + 1) * 1000;
        assert_eq!(verify(SECRET, &token, later), Err(TokenError::Expired));
    }

    #[test]
    fn another_key_is_refused() {
        let token = issue(b"another-secret-another-secret-xx", claims(), NOW).unwrap();
        assert_eq!(verify(SECRET, &token, NOW), Err(TokenError::BadSignature));
    }

    #[test]
    fn alg_none_is_refused() {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = serde_json::json!({"sub": "u1", "role": "admin", "sid": "s", "jti": "j", "exp": NOW / 1000 + 60});
        let payload = URL_SAFE_NO_PAD.encode(body.to_string());
        for token in [format!("{header}.{payload}."), format!("{header}.{payload}")] {
            assert!(verify(SECRET, &token, NOW).is_err(), "{token}");
        }
    }

    #[test]
    fn tampered_payloads_are_refused() {
        let token = issue(SECRET, claims(), NOW).unwrap();
        let mut parts: Vec<String> = token.split('.').map(String::from).collect();
        let forged = serde_json::json!({"sub": "u1", "role": "admin", "sid": "s1", "jti": "j1",
            "iat": NOW / 1000, "exp": NOW / 1000 + 900});
        parts[1] = URL_SAFE_NO_PAD.encode(forged.to_string());
        assert_eq!(verify(SECRET, &parts.join("."), NOW), Err(TokenError::BadSignature));
    }

    #[test]
    fn garbage_is_malformed() {
        for token in ["", "abc", "a.b.c", "....."] {
            assert!(verify(SECRET, token, NOW).is_err(), "{token:?}");
        }
    }
}
