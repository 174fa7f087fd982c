//! HMAC helpers shared by the venues' request signers.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

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

    #[test]
    fn digests_compare_in_any_case_and_only_when_equal() {
        let digest = hmac_sha256_hex(b"k", b"m");
        assert!(hex_digest_matches(&digest, &digest.to_uppercase()));
        assert!(!hex_digest_matches(&digest, &digest[..63]));
        assert!(!hex_digest_matches(&digest, ""));
    }
}
