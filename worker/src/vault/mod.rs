//! The API key vault: exchange credentials sealed with AES-256-GCM under the master key from
//! the secret store, bound to their owner, their row and the sealing key's id, so a ciphertext
//! copied to another row (or another user) does not open. Rotation re-seals under the current
//! key whatever an older key sealed.

pub mod cipher;
pub mod keyring;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use worker::Env;

use crate::config;
use crate::http::{ApiError, ApiResult};
pub use keyring::Keyring;

/// The associated-data label; a new layout of the sealed bytes gets a new label.
const PURPOSE: &str = "auronex/api_keys/credentials/v1";

/// What one API key row protects. Never serialised into a response or a log.
#[derive(Clone, Serialize, Deserialize)]
pub struct Credentials {
    pub api_key: String,
    pub secret_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passphrase: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Credentials { .. }")
    }
}

/// Where a sealed value belongs: the owner and the row. Both are part of the associated data.
#[derive(Debug, Clone, Copy)]
pub struct Binding<'a> {
    pub user_id: &'a str,
    pub row_id: &'a str,
}

/// A sealed value as stored: the id of the key that sealed it and base64(nonce ‖ ct ‖ tag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub blob: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VaultError {
    /// The row names a key this deployment no longer has (rotated out too early).
    UnknownKey(String),
    /// Wrong owner or row, tampered bytes, or not base64.
    Unauthentic,
    Randomness,
}

impl std::fmt::Display for VaultError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::UnknownKey(id) => write!(f, "sealed with key {id}, which is not configured"),
            Self::Unauthentic => f.write_str("sealed credentials did not authenticate"),
            Self::Randomness => f.write_str("no randomness for a nonce"),
        }
    }
}

fn associated_data(binding: Binding<'_>, key_id: &str) -> Vec<u8> {
    cipher::associated_data(PURPOSE, &[binding.user_id, binding.row_id, key_id])
}

/// Seals `credentials` under the ring's current key with a fresh nonce.
pub fn seal(ring: &Keyring, binding: Binding<'_>, credentials: &Credentials) -> Result<Sealed, VaultError> {
    let plaintext = serde_json::to_vec(credentials).map_err(|_| VaultError::Unauthentic)?;
    let nonce = cipher::fresh_nonce().map_err(|_| VaultError::Randomness)?;
    let key = &ring.current;
    let bytes = cipher::seal(&key.key, &nonce, &associated_data(binding, &key.id), &plaintext)
        .map_err(|_| VaultError::Unauthentic)?;
    Ok(Sealed { key_id: key.id.clone(), blob: STANDARD.encode(bytes) })
}

/// Opens a stored value with whichever ring key sealed it, for exactly this owner and row.
pub fn open(ring: &Keyring, binding: Binding<'_>, sealed: &Sealed) -> Result<Credentials, VaultError> {
    let key = ring.find(&sealed.key_id).ok_or_else(|| VaultError::UnknownKey(sealed.key_id.clone()))?;
    let bytes = STANDARD.decode(&sealed.blob).map_err(|_| VaultError::Unauthentic)?;
    let plaintext =
        cipher::open(&key.key, &associated_data(binding, &key.id), &bytes).map_err(|_| VaultError::Unauthentic)?;
    serde_json::from_slice(&plaintext).map_err(|_| VaultError::Unauthentic)
}

/// Re-seals under the current key; `None` when the value already is.
pub fn reseal(ring: &Keyring, binding: Binding<'_>, sealed: &Sealed) -> Result<Option<Sealed>, VaultError> {
    if sealed.key_id == ring.current.id {
        return Ok(None);
    }
    let credentials = open(ring, binding, sealed)?;
    seal(ring, binding, &credentials).map(Some)
}

/// The configured ring. A missing or malformed key is a server misconfiguration (500, logged).
pub fn keyring(env: &Env) -> ApiResult<Keyring> {
    let current = config::optional(env, "ENCRYPTION_KEY");
    let previous = config::optional(env, "ENCRYPTION_KEY_PREVIOUS");
    Keyring::from_config(current.as_deref(), previous.as_deref()).map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";
    const NEW: &str = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWY=";

    fn credentials() -> Credentials {
        Credentials { api_key: "AKIA-1234567890".into(), secret_key: "s3cr3t-value".into(), passphrase: None }
    }

    fn ana() -> Binding<'static> {
        Binding { user_id: "user-ana", row_id: "key-1" }
    }

    #[test]
    fn a_sealed_value_opens_only_for_its_owner_and_row() {
        let ring = Keyring::from_config(Some(OLD), None).unwrap();
        let sealed = seal(&ring, ana(), &credentials()).unwrap();
        assert!(!sealed.blob.contains("s3cr3t") && !sealed.blob.contains("AKIA"));
        let opened = open(&ring, ana(), &sealed).unwrap();
        assert_eq!((opened.api_key.as_str(), opened.secret_key.as_str()), ("AKIA-1234567890", "s3cr3t-value"));
        let bob = Binding { user_id: "user-bob", row_id: "key-1" };
        assert_eq!(open(&ring, bob, &sealed).unwrap_err(), VaultError::Unauthentic);
        let other_row = Binding { user_id: "user-ana", row_id: "key-2" };
        assert_eq!(open(&ring, other_row, &sealed).unwrap_err(), VaultError::Unauthentic);
    }

    #[test]
    fn relabelling_the_key_id_does_not_help() {
        let ring = Keyring::from_config(Some(NEW), Some(OLD)).unwrap();
        let mut sealed = seal(&ring, ana(), &credentials()).unwrap();
        sealed.key_id = ring.previous.as_ref().unwrap().id.clone();
        assert_eq!(open(&ring, ana(), &sealed).unwrap_err(), VaultError::Unauthentic);
        sealed.key_id = "ffffffffffffffff".into();
        assert!(matches!(open(&ring, ana(), &sealed).unwrap_err(), VaultError::UnknownKey(_)));
        sealed.blob = "%%%".into();
        sealed.key_id = ring.current.id.clone();
        assert_eq!(open(&ring, ana(), &sealed).unwrap_err(), VaultError::Unauthentic);
    }

    #[test]
    fn rotation_reseals_old_values_and_leaves_current_ones() {
        let old_ring = Keyring::from_config(Some(OLD), None).unwrap();
        let before = seal(&old_ring, ana(), &credentials()).unwrap();
        let new_ring = Keyring::from_config(Some(NEW), Some(OLD)).unwrap();
        assert_eq!(open(&new_ring, ana(), &before).unwrap().secret_key, "s3cr3t-value", "old values stay usable");
        let after = reseal(&new_ring, ana(), &before).unwrap().expect("re-sealed");
        assert_eq!(after.key_id, new_ring.current.id);
        assert_eq!(reseal(&new_ring, ana(), &after).unwrap(), None);
        let only_new = Keyring::from_config(Some(NEW), None).unwrap();
        assert_eq!(open(&only_new, ana(), &after).unwrap().api_key, "AKIA-1234567890");
        assert!(matches!(open(&only_new, ana(), &before), Err(VaultError::UnknownKey(_))));
    }

    #[test]
    fn credentials_debug_hides_everything() {
        assert_eq!(format!("{:?}", credentials()), "Credentials { .. }");
    }
}
