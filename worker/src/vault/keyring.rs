//! Master keys: `ENCRYPTION_KEY` (current) and the optional `ENCRYPTION_KEY_PREVIOUS`, each 32
//! bytes in base64, named by a key id derived from the key itself so every sealed value records
//! which key sealed it.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use sha2::{Digest, Sha256};

use super::cipher::KEY_BYTES;

/// One master key. `Debug` never prints the key.
#[derive(Clone)]
pub struct MasterKey {
    pub id: String,
    pub key: [u8; KEY_BYTES],
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey").field("id", &self.id).finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    Missing(&'static str),
    NotBase64(&'static str),
    WrongLength(&'static str, usize),
    SameAsCurrent,
}

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing(name) => write!(f, "{name} is not configured"),
            Self::NotBase64(name) => write!(f, "{name} is not valid base64"),
            Self::WrongLength(name, got) => write!(f, "{name} decodes to {got} bytes; 32 are required"),
            Self::SameAsCurrent => f.write_str("ENCRYPTION_KEY_PREVIOUS equals ENCRYPTION_KEY"),
        }
    }
}

/// A short public name for a key: the first 8 bytes of SHA-256 over a label and the key, in
/// hex. It identifies the key without revealing anything usable about it.
pub fn key_id(key: &[u8; KEY_BYTES]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"auronex/vault/key-id/v1\0");
    hasher.update(key);
    hasher.finalize()[..8].iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Decodes a base64 key (standard or URL-safe alphabet, padded or not) of exactly 32 bytes.
pub fn parse(name: &'static str, text: &str) -> Result<MasterKey, KeyError> {
    let text = text.trim();
    let bytes = [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text).ok())
        .ok_or(KeyError::NotBase64(name))?;
    let key: [u8; KEY_BYTES] = bytes.as_slice().try_into().map_err(|_| KeyError::WrongLength(name, bytes.len()))?;
    Ok(MasterKey { id: key_id(&key), key })
}

/// The keys the vault can open values with; it seals only with `current`.
#[derive(Debug, Clone)]
pub struct Keyring {
    pub current: MasterKey,
    pub previous: Option<MasterKey>,
}

impl Keyring {
    pub fn from_config(current: Option<&str>, previous: Option<&str>) -> Result<Keyring, KeyError> {
        let current = parse("ENCRYPTION_KEY", current.ok_or(KeyError::Missing("ENCRYPTION_KEY"))?)?;
        let previous = previous.map(|text| parse("ENCRYPTION_KEY_PREVIOUS", text)).transpose()?;
        if previous.as_ref().is_some_and(|previous| previous.id == current.id) {
            return Err(KeyError::SameAsCurrent);
        }
        Ok(Keyring { current, previous })
    }

    /// The key with this id, if the ring holds it.
    pub fn find(&self, id: &str) -> Option<&MasterKey> {
        std::iter::once(&self.current).chain(self.previous.as_ref()).find(|key| key.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // "0123456789abcdef" twice
    const KEY_B: &str = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=";

    #[test]
    fn keys_parse_from_any_base64_alphabet() {
        let padded = parse("K", KEY_A).unwrap();
        assert_eq!(&padded.key, b"0123456789abcdef0123456789abcdef");
        assert_eq!(parse("K", KEY_A.trim_end_matches('=')).unwrap().id, padded.id);
        assert_eq!(parse("K", &format!(" {KEY_A}\n")).unwrap().id, padded.id);
        assert_eq!(padded.id.len(), 16);
    }

    #[test]
    fn bad_keys_are_named_errors_not_panics() {
        assert_eq!(parse("K", "not base64 !!").unwrap_err(), KeyError::NotBase64("K"));
        assert_eq!(parse("K", "c2hvcnQ=").unwrap_err(), KeyError::WrongLength("K", 5));
        assert_eq!(Keyring::from_config(None, None).unwrap_err(), KeyError::Missing("ENCRYPTION_KEY"));
        assert_eq!(Keyring::from_config(Some(KEY_A), Some(KEY_A)).unwrap_err(), KeyError::SameAsCurrent);
    }

    #[test]
    fn the_ring_finds_current_and_previous_by_id() {
        let ring = Keyring::from_config(Some(KEY_B), Some(KEY_A)).unwrap();
        let (a, b) = (parse("K", KEY_A).unwrap().id, parse("K", KEY_B).unwrap().id);
        assert_ne!(a, b);
        assert_eq!(ring.find(&b).unwrap().key, ring.current.key);
        assert_eq!(ring.find(&a).unwrap().key, *b"0123456789abcdef0123456789abcdef");
        assert!(ring.find("0000000000000000").is_none());
    }

    #[test]
    fn debug_output_never_contains_the_key() {
        let key = parse("K", KEY_A).unwrap();
        assert!(!format!("{key:?}").contains("0123456789abcdef"));
    }
}
