//! HMAC helpers shared by the venues' request signers.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha512};

pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(message);
    mac.finalize().into_bytes().into()
}

pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    crate::crypto::hex(&hmac_sha256(key, message))
}

pub fn hmac_sha256_base64(key: &[u8], message: &[u8]) -> String {
    STANDARD.encode(hmac_sha256(key, message))
}

pub fn hmac_sha512(key: &[u8], message: &[u8]) -> [u8; 64] {
    let mut mac = Hmac::<Sha512>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(message);
    mac.finalize().into_bytes().into()
}

pub fn sha256(message: &[u8]) -> [u8; 32] {
    Sha256::digest(message).into()
}

pub fn sha512_hex(message: &[u8]) -> String {
    crate::crypto::hex(&Sha512::digest(message))
}

pub fn base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// A base64 secret (Kraken, Coinbase Exchange) as the bytes it encodes.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text.trim()).ok()
}

/// RFC 3986 percent-encoding of a query component (unreserved characters kept, hex upper-case).
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Constant-time comparison of a computed hex digest with a presented one (any case).
pub fn hex_digest_matches(expected_hex: &str, presented: &str) -> bool {
    use subtle::ConstantTimeEq;
    let presented = presented.trim().to_ascii_lowercase();
    expected_hex.len() == presented.len() && bool::from(expected_hex.as_bytes().ct_eq(presented.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test case 2.
    #[test]
    fn rfc_4231_case_2() {
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    /// RFC 4231 test case 2, SHA-512.
    #[test]
    fn rfc_4231_case_2_sha512() {
        assert_eq!(
            crate::crypto::hex(&hmac_sha512(b"Jefe", b"what do ya want for nothing?")),
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
        );
    }

    #[test]
    fn percent_encoding_keeps_only_unreserved_characters() {
        assert_eq!(percent_encode("2017-05-11T15:19:30"), "2017-05-11T15%3A19%3A30");
        assert_eq!(percent_encode("a+b/c="), "a%2Bb%2Fc%3D");
    }

    #[test]
    fn digests_compare_in_any_case_and_only_when_equal() {
        let digest = hmac_sha256_hex(b"k", b"m");
        assert!(hex_digest_matches(&digest, &digest.to_uppercase()));
        assert!(!hex_digest_matches(&digest, &digest[..63]));
        assert!(!hex_digest_matches(&digest, ""));
    }
}
