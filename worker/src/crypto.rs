//! The runtime's Web Crypto: random bytes and PBKDF2-HMAC-SHA256 (SubtleCrypto), which run as
//! native code in workerd rather than as wasm.

use web_sys::{Crypto, CryptoKey, Pbkdf2Params};
use worker::js_sys::{self, Array, Reflect, Uint8Array};
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::JsFuture;

fn crypto() -> worker::Result<Crypto> {
    Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))
        .map_err(|_| worker::Error::RustError("globalThis.crypto is missing".into()))?
        .dyn_into::<Crypto>()
        .map_err(|_| worker::Error::RustError("globalThis.crypto is not a Crypto".into()))
}

fn js_error(context: &str, error: JsValue) -> worker::Error {
    worker::Error::RustError(format!("{context}: {error:?}"))
}

/// `N` bytes from the platform's CSPRNG.
pub fn random_bytes<const N: usize>() -> worker::Result<[u8; N]> {
    let mut bytes = [0u8; N];
    crypto()?.get_random_values_with_u8_array(&mut bytes).map_err(|e| js_error("getRandomValues", e))?;
    Ok(bytes)
}

/// A random opaque identifier: 128 bits, lowercase hex.
pub fn random_id() -> worker::Result<String> {
    Ok(hex(&random_bytes::<16>()?))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// PBKDF2-HMAC-SHA256 of `password` with `salt`, 32 bytes of output.
pub async fn pbkdf2_sha256(password: &[u8], salt: &[u8], iterations: u32) -> worker::Result<Vec<u8>> {
    let subtle = crypto()?.subtle();
    let usages = Array::of1(&JsValue::from_str("deriveBits"));
    let key_data = Uint8Array::from(password);
    let import =
        subtle.import_key_with_str("raw", &key_data, "PBKDF2", false, &usages).map_err(|e| js_error("importKey", e))?;
    let key: CryptoKey = JsFuture::from(import).await.map_err(|e| js_error("importKey", e))?.unchecked_into();
    let params = Pbkdf2Params::new_with_str("PBKDF2", "SHA-256", iterations, &Uint8Array::from(salt));
    let derive = subtle.derive_bits_with_object(&params, &key, 256).map_err(|e| js_error("deriveBits", e))?;
    let bits = JsFuture::from(derive).await.map_err(|e| js_error("deriveBits", e))?;
    Ok(Uint8Array::new(&bits).to_vec())
}
