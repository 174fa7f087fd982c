//! AES-256-GCM with associated data: sealing bytes under a 256-bit key with a fresh 96-bit
//! nonce, and the associated data that binds a sealed value to its owner, row and key.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};

pub const KEY_BYTES: usize = 32;
pub const NONCE_BYTES: usize = 12;
const TAG_BYTES: usize = 16;

/// Why a sealed value did not open. Deliberately coarse: the caller learns nothing about the
/// plaintext, only that this key and this context do not authenticate these bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenError {
    /// Shorter than a nonce and a tag: not something `seal` produced.
    Truncated,
    /// Wrong key, wrong associated data, or tampered bytes.
    Unauthentic,
}

/// A fresh nonce from the platform CSPRNG (getrandom: the OS natively, Web Crypto on wasm32).
/// A random 96-bit nonce is safe for far more than the number of values one key will seal
/// (NIST SP 800-38D allows 2^32 random nonces per key).
pub fn fresh_nonce() -> Result<[u8; NONCE_BYTES], getrandom::Error> {
    let mut nonce = [0u8; NONCE_BYTES];
    getrandom::getrandom(&mut nonce)?;
    Ok(nonce)
}

/// `nonce ‖ ciphertext ‖ tag` of `plaintext` under `key`, authenticating `aad` as well.
/// Fails only for plaintexts over 64 GiB; credentials are a few hundred bytes.
pub fn seal(
    key: &[u8; KEY_BYTES],
    nonce: &[u8; NONCE_BYTES],
    aad: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, aes_gcm::Error> {
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    let sealed = cipher.encrypt(Nonce::from_slice(nonce), Payload { msg: plaintext, aad })?;
    let mut out = Vec::with_capacity(NONCE_BYTES + sealed.len());
    out.extend_from_slice(nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Opens what [`seal`] produced, with the same key and associated data.
pub fn open(key: &[u8; KEY_BYTES], aad: &[u8], sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
    if sealed.len() < NONCE_BYTES + TAG_BYTES {
        return Err(OpenError::Truncated);
    }
    let (nonce, body) = sealed.split_at(NONCE_BYTES);
    let cipher = Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(key));
    cipher.decrypt(Nonce::from_slice(nonce), Payload { msg: body, aad }).map_err(|_| OpenError::Unauthentic)
}

/// Associated data for one stored secret: a purpose label, then each part length-prefixed so
/// that no two different contexts can produce the same bytes (`("ab","c")` vs `("a","bc")`).
pub fn associated_data(purpose: &str, parts: &[&str]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(64);
    for part in std::iter::once(purpose).chain(parts.iter().copied()) {
        aad.extend_from_slice(&(part.len() as u32).to_be_bytes());
        aad.extend_from_slice(part.as_bytes());
    }
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(text: &str) -> Vec<u8> {
        (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
    }

    /// McGrew and Viega, "The Galois/Counter Mode of Operation (GCM)", test case 16 (the
    /// AES-256 case with a 96-bit IV and associated data), as used by NIST's GCM validation.
    #[test]
    fn gcm_spec_test_case_16() {
        let key: [u8; 32] =
            unhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308").try_into().unwrap();
        let nonce: [u8; 12] = unhex("cafebabefacedbaddecaf888").try_into().unwrap();
        let aad = unhex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        let plaintext = unhex(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72\
             1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
        );
        let expected = unhex(
            "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa\
             8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662\
             76fc6ece0f4e1768cddf8853bb2d551b",
        );
        let sealed = seal(&key, &nonce, &aad, &plaintext).unwrap();
        assert_eq!(&sealed[..12], &nonce);
        assert_eq!(&sealed[12..], &expected[..]);
        assert_eq!(open(&key, &aad, &sealed).unwrap(), plaintext);
    }

    #[test]
    fn tampering_anywhere_fails_closed() {
        let key = [7u8; 32];
        let aad = associated_data("test", &["user-1"]);
        let sealed = seal(&key, &[1u8; 12], &aad, b"secret credentials").unwrap();
        for index in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[index] ^= 0x01;
            assert_eq!(open(&key, &aad, &bad), Err(OpenError::Unauthentic), "byte {index}");
        }
        assert_eq!(open(&[8u8; 32], &aad, &sealed), Err(OpenError::Unauthentic), "another key");
        assert_eq!(open(&key, &associated_data("test", &["user-2"]), &sealed), Err(OpenError::Unauthentic));
        assert_eq!(open(&key, &aad, &sealed[..27]), Err(OpenError::Truncated));
        assert_eq!(open(&key, &aad, &sealed[..sealed.len() - 1]), Err(OpenError::Unauthentic));
    }

    #[test]
    fn nonces_are_fresh_each_time() {
        let first = fresh_nonce().unwrap();
        let second = fresh_nonce().unwrap();
        assert_ne!(first, second);
        let key = [3u8; 32];
        assert_ne!(seal(&key, &first, b"", b"same").unwrap(), seal(&key, &second, b"", b"same").unwrap());
    }

    #[test]
    fn associated_data_is_unambiguous() {
        assert_ne!(associated_data("p", &["ab", "c"]), associated_data("p", &["a", "bc"]));
        assert_ne!(associated_data("p", &["a"]), associated_data("pa", &[]));
    }
}
