//! `GET /api/openapi.json`: the OpenAPI 3 document of the whole API (`worker/openapi.json`).

use worker::Response;

use crate::app::Ctx;
use crate::http::ApiResult;

pub const DOCUMENT: &str = include_str!("../../openapi.json");

pub async fn get(_ctx: Ctx) -> ApiResult<Response> {
    let headers = worker::Headers::new();
    headers.set("content-type", "application/json")?;
    headers.set("cache-control", "public, max-age=300")?;
    Ok(Response::builder().with_headers(headers).fixed(DOCUMENT.as_bytes().to_vec()))
}
