//! Reading request bodies within the size limit (JSON, and HTML forms where the contract allows
//! them), with a 4xx error for every kind of bad input.

use serde::de::DeserializeOwned;
use worker::Request;

use super::{ApiError, ApiResult};

/// Largest request body the API accepts; every endpoint takes small documents.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Reads the raw body, refusing it (413) when it is larger than `MAX_BODY_BYTES`.
pub async fn read_limited(req: &mut Request) -> ApiResult<Vec<u8>> {
    read_up_to(req, MAX_BODY_BYTES).await
}

/// Reads the raw body, refusing it (413) when it is larger than `limit` bytes (webhooks from
/// payment providers may carry larger documents than our own clients send).
pub async fn read_up_to(req: &mut Request, limit: usize) -> ApiResult<Vec<u8>> {
    let declared = req.headers().get("content-length").ok().flatten();
    if let Some(length) = declared.and_then(|value| value.trim().parse::<u64>().ok()) {
        if length > limit as u64 {
            return Err(ApiError::payload_too_large(limit));
        }
    }
    let bytes =
        req.bytes().await.map_err(|_| ApiError::bad_request("unreadable_body", "request body could not be read"))?;
    if bytes.len() > limit {
        return Err(ApiError::payload_too_large(limit));
    }
    Ok(bytes)
}

fn content_type(req: &Request) -> String {
    req.headers().get("content-type").ok().flatten().unwrap_or_default()
}

/// Reads and decodes a JSON body: 415 for another content type, 413 oversize, 400 malformed,
/// 422 for a well-formed document of the wrong shape (naming the field).
pub async fn json<T: DeserializeOwned>(req: &mut Request) -> ApiResult<T> {
    decode(&json_bytes(req).await?)
}

/// The bytes of a JSON body, read but not decoded yet: 415 for another content type, 413 oversize.
pub async fn json_bytes(req: &mut Request) -> ApiResult<Vec<u8>> {
    if media_type(&content_type(req)) != "application/json" {
        return Err(ApiError::unsupported_media_type("application/json"));
    }
    read_limited(req).await
}

/// Reads a JSON body or an `application/x-www-form-urlencoded` one (OAuth2-style clients).
pub async fn json_or_form<T: DeserializeOwned>(req: &mut Request) -> ApiResult<T> {
    match media_type(&content_type(req)).as_str() {
        "application/json" => decode(&read_limited(req).await?),
        "application/x-www-form-urlencoded" => decode_form(&read_limited(req).await?),
        _ => Err(ApiError::unsupported_media_type("application/json or application/x-www-form-urlencoded")),
    }
}

pub fn media_type(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request("empty_body", "a JSON body is required"));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        use serde_json::error::Category;
        match inner.classify() {
            Category::Data => shape_error(&path, &inner.to_string()),
            Category::Syntax | Category::Eof | Category::Io => {
                ApiError::bad_request("malformed_json", format!("malformed JSON: {inner}"))
            }
        }
    })?;
    deserializer.end().map_err(|error| ApiError::bad_request("malformed_json", format!("malformed JSON: {error}")))?;
    Ok(value)
}

fn decode_form<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    let pairs: serde_json::Map<String, serde_json::Value> = worker::url::form_urlencoded::parse(bytes)
        .into_owned()
        .map(|(key, value)| (key, serde_json::Value::String(value)))
        .collect();
    serde_path_to_error::deserialize(serde_json::Value::Object(pairs))
        .map_err(|error| shape_error(&error.path().to_string(), &error.into_inner().to_string()))
}

/// A well-formed document of the wrong shape: 422, naming the field when there is one.
fn shape_error(path: &str, message: &str) -> ApiError {
    let message = strip_position(message);
    let field = if path == "." { missing_field(&message) } else { Some(path.to_string()) };
    let error = ApiError::new(422, "validation_error", message);
    match field {
        Some(field) => error.with_field(field),
        None => error,
    }
}

/// serde names a missing field in backticks: "missing field `email`".
fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest[..rest.find('`')?].to_string())
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
    #[allow(dead_code)]
    struct Login {
        email: String,
        password: String,
        #[serde(default)]
        remember: Option<bool>,
    }

    #[test]
    fn malformed_json_is_400() {
        for body in [&b"{\"email\": "[..], b"not json", b"{\"email\":\"a\",\"password\":\"b\"} trailing"] {
            let error = decode::<Login>(body).unwrap_err();
            assert_eq!((error.status, error.code), (400, "malformed_json"), "{body:?}");
        }
    }

    #[test]
    fn empty_body_is_400() {
        assert_eq!(decode::<Login>(b"  ").unwrap_err().code, "empty_body");
    }

    #[test]
    fn missing_fields_are_named() {
        let error = decode::<Login>(br#"{"email":"a@b.c"}"#).unwrap_err();
        assert_eq!((error.status, error.field.as_deref()), (422, Some("password")));
    }

    #[test]
    fn wrong_types_name_the_field_without_position_noise() {
        let error = decode::<Login>(br#"{"email":1,"password":"b"}"#).unwrap_err();
        assert_eq!((error.status, error.field.as_deref()), (422, Some("email")));
        assert!(!error.message.contains("line"), "{}", error.message);
        let error = decode::<Login>(br#"{"email":"a","password":"b","remember":"yes"}"#).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("remember"));
    }

    #[test]
    fn a_non_object_document_is_422() {
        let error = decode::<Login>(b"[1,2]").unwrap_err();
        assert_eq!(error.status, 422);
    }

    #[test]
    fn forms_decode_into_the_same_types() {
        let login: Login = decode_form(b"email=a%40b.c&password=p+w&grant_type=password").unwrap();
        assert_eq!((login.email.as_str(), login.password.as_str()), ("a@b.c", "p w"));
        let error = decode_form::<Login>(b"email=a").unwrap_err();
        assert_eq!(error.field.as_deref(), Some("password"));
    }

    #[test]
    fn media_type_ignores_parameters_and_case() {
        assert_eq!(media_type("Application/JSON; charset=utf-8"), "application/json");
        assert_eq!(media_type(""), "");
    }
}
