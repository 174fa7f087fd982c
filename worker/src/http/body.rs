//! Reading JSON request bodies within the size limit, with 4xx errors for every bad input.

use serde::de::DeserializeOwned;
use worker::Request;

use super::{ApiError, ApiResult};

/// Largest request body the API accepts; every endpoint takes small JSON documents.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Reads the raw body, refusing it (413) when it is larger than `MAX_BODY_BYTES`.
pub async fn read_limited(req: &mut Request) -> ApiResult<Vec<u8>> {
    let declared = req.headers().get("content-length").ok().flatten();
    if let Some(length) = declared.and_then(|value| value.trim().parse::<u64>().ok()) {
        if length > MAX_BODY_BYTES as u64 {
            return Err(ApiError::payload_too_large(MAX_BODY_BYTES));
        }
    }
    let bytes = req
        .bytes()
        .await
        .map_err(|_| ApiError::bad_request("unreadable_body", "request body could not be read"))?;
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::payload_too_large(MAX_BODY_BYTES));
    }
    Ok(bytes)
}

/// Reads and decodes a JSON body: 415 for another content type, 413 oversize, 400 malformed,
/// 422 for a well-formed document of the wrong shape (naming the field when serde can).
pub async fn json<T: DeserializeOwned>(req: &mut Request) -> ApiResult<T> {
    let content_type = req
        .headers()
        .get("content-type")
        .ok()
        .flatten()
        .unwrap_or_default();
    if !is_json(&content_type) {
        return Err(ApiError::unsupported_media_type());
    }
    let bytes = read_limited(req).await?;
    decode(&bytes)
}

pub fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "empty_body",
            "a JSON body is required",
        ));
    }
    serde_json::from_slice(bytes).map_err(|error| {
        use serde_json::error::Category;
        match error.classify() {
            Category::Data => {
                let message = error.to_string();
                let field = field_of(&message);
                let error = ApiError::new(422, "validation_error", strip_position(&message));
                match field {
                    Some(field) => error.with_field(field),
                    None => error,
                }
            }
            Category::Syntax | Category::Eof | Category::Io => {
                ApiError::bad_request("malformed_json", format!("malformed JSON: {error}"))
            }
        }
    })
}

/// serde names the offending field in backticks: "missing field `email`", "unknown field `x`".
fn field_of(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let end = start + message[start..].find('`')?;
    let name = &message[start..end];
    let is_field = message.starts_with("missing field") || message.starts_with("unknown field");
    is_field.then(|| name.to_string())
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(index) => message[..index].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Login {
        email: String,
        password: String,
    }

    #[test]
    fn malformed_json_is_400() {
        let error = decode::<Login>(b"{\"email\": ").unwrap_err();
        assert_eq!((error.status, error.code), (400, "malformed_json"));
        let error = decode::<Login>(b"not json").unwrap_err();
        assert_eq!(error.status, 400);
    }

    #[test]
    fn empty_body_is_400() {
        assert_eq!(decode::<Login>(b"  ").unwrap_err().code, "empty_body");
    }

    #[test]
    fn missing_and_unknown_fields_name_the_field() {
        let error = decode::<Login>(br#"{"email":"a@b.c"}"#).unwrap_err();
        assert_eq!(
            (error.status, error.field.as_deref()),
            (422, Some("password"))
        );
        let error = decode::<Login>(br#"{"email":"a","password":"b","x":1}"#).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("x"));
    }

    #[test]
    fn wrong_types_are_422_without_position_noise() {
        let error = decode::<Login>(br#"{"email":1,"password":"b"}"#).unwrap_err();
        assert_eq!(error.status, 422);
        assert!(!error.message.contains("line"), "{}", error.message);
    }

    #[test]
    fn content_type_check_accepts_parameters() {
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("Application/JSON"));
        assert!(!is_json("text/plain"));
        assert!(!is_json(""));
    }
}
