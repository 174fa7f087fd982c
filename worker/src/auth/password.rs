//! Password hashing: PBKDF2-HMAC-SHA256 through Web Crypto, a random salt per user, the
//! iteration count stored with each hash, and a constant-time comparison.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use subtle::ConstantTimeEq;

use crate::crypto;

/// Iterations for new hashes. Cloudflare's Web Crypto refuses more than 100,000.
pub const ITERATIONS: u32 = 100_000;
pub const MAX_ITERATIONS: u32 = 100_000;

pub struct StoredPassword {
    pub hash: String,
    pub salt: String,
    pub iterations: u32,
}

pub async fn hash(password: &str) -> worker::Result<StoredPassword> {
    let salt = crypto::random_bytes::<16>()?;
    let derived = crypto::pbkdf2_sha256(password.as_bytes(), &salt, ITERATIONS).await?;
    Ok(StoredPassword { hash: STANDARD.encode(derived), salt: STANDARD.encode(salt), iterations: ITERATIONS })
}

/// Whether `password` matches the stored hash. A stored record this runtime cannot check (an
/// iteration count above the cap, undecodable fields) is an error, never a silent match.
pub async fn verify(password: &str, stored: &StoredPassword) -> worker::Result<bool> {
    if stored.iterations == 0 || stored.iterations > MAX_ITERATIONS {
        return Err(worker::Error::RustError(format!(
            "stored password hash uses {} iterations; the runtime allows 1..={MAX_ITERATIONS}",
            stored.iterations
        )));
    }
    let salt = STANDARD.decode(&stored.salt).map_err(|e| worker::Error::RustError(e.to_string()))?;
    let expected = STANDARD.decode(&stored.hash).map_err(|e| worker::Error::RustError(e.to_string()))?;
    let derived = crypto::pbkdf2_sha256(password.as_bytes(), &salt, stored.iterations).await?;
    Ok(constant_time_eq(&derived, &expected))
}

/// Spends the same work as a real check, for logins whose email matches no account, so the
/// answer time does not tell which emails exist.
pub async fn waste_equal_time(password: &str) -> worker::Result<()> {
    crypto::pbkdf2_sha256(password.as_bytes(), b"auronex-no-such-user", ITERATIONS).await?;
    Ok(())
}

pub fn needs_rehash(stored: &StoredPassword) -> bool {
    stored.iterations != ITERATIONS
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparison_needs_equal_length_and_bytes() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }

    #[test]
    fn older_iteration_counts_are_rehashed() {
        let stored = |iterations| StoredPassword { hash: String::new(), salt: String::new(), iterations };
        assert!(needs_rehash(&stored(50_000)));
        assert!(!needs_rehash(&stored(ITERATIONS)));
    }
}
