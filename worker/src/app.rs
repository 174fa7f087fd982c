//! Request dispatch: match the route, run its handler, turn every failure into the JSON error
//! body, and write one structured log line per request.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;
use worker::{Date, Env, Headers, Request, Response};

use crate::http::router::{Matched, Params, Router};
use crate::http::{cors, ApiError, ApiResult};

/// What a handler gets: the request, the bindings and the captured path parameters.
pub struct Ctx {
    pub req: Request,
    pub env: Env,
    pub params: Params,
}

pub type HandlerFuture = Pin<Box<dyn Future<Output = ApiResult<Response>>>>;
pub type Handler = fn(Ctx) -> HandlerFuture;

pub async fn serve(req: Request, env: Env) -> Response {
    let started = Date::now().as_millis();
    let method = req.method().to_string();
    let path = req.path();
    let origin = req.headers().get("origin").ok().flatten().unwrap_or_default();
    let allowed_origins = crate::config::optional(&env, "ALLOWED_ORIGINS").unwrap_or_default();
    let cors_origin = cors::is_allowed(&allowed_origins, &origin).then_some(origin);
    let (response, pattern) = if method == "OPTIONS" {
        (preflight(&path, cors_origin.is_some()), None)
    } else {
        match dispatch(req, env, &method, &path).await {
            (Ok(response), pattern) => (response, pattern),
            (Err(error), pattern) => (error_response(&error), pattern),
        }
    };
    if let Some(origin) = cors_origin {
        let _ = response.headers().set("access-control-allow-origin", &origin);
        let _ = response.headers().append("vary", "Origin");
    }
    log_request(&method, &path, pattern, response.status_code(), Date::now().as_millis() - started);
    response
}

/// Answers a CORS preflight: 204 with the path's methods for an allowed origin, 404 for an
/// unknown path, and a bare 204 (which browsers treat as a refusal) for any other origin.
fn preflight(path: &str, origin_allowed: bool) -> Response {
    let methods = match crate::routes::table().find("OPTIONS", path) {
        Matched::MethodNotAllowed { allowed } => allowed.join(", "),
        _ => return error_response(&ApiError::not_found()),
    };
    let response = with_body(204, "text/plain", Vec::new());
    if origin_allowed {
        let _ = response.headers().set("access-control-allow-methods", &methods);
        let _ = response.headers().set("access-control-allow-headers", cors::ALLOW_HEADERS);
        let _ = response.headers().set("access-control-max-age", cors::MAX_AGE_SECONDS);
    }
    response
}

async fn dispatch(req: Request, env: Env, method: &str, path: &str) -> (ApiResult<Response>, Option<&'static str>) {
    let router: Router<Handler> = crate::routes::table();
    match router.find(method, path) {
        Matched::Found { handler, params, pattern } => (handler(Ctx { req, env, params }).await, Some(pattern)),
        Matched::MethodNotAllowed { allowed } => (Err(ApiError::method_not_allowed(&allowed)), None),
        Matched::NotFound => (Err(ApiError::not_found()), None),
    }
}

/// A JSON response with the given status; serialisation of our own types cannot fail, but if
/// it ever did the client still gets the error body rather than a panic.
pub fn json<T: Serialize>(status: u16, value: &T) -> ApiResult<Response> {
    let body = serde_json::to_vec(value).map_err(ApiError::internal)?;
    Ok(with_body(status, "application/json", body))
}

/// `204 No Content`: a delete or an action with nothing to say.
pub fn no_content() -> ApiResult<Response> {
    Ok(Response::empty().map_err(ApiError::from)?.with_status(204))
}

pub fn error_response(error: &ApiError) -> Response {
    let response = with_body(error.status, "application/json", error.body_json().into_bytes());
    for (name, value) in &error.headers {
        let _ = response.headers().set(name, value);
    }
    response
}

fn with_body(status: u16, content_type: &str, body: Vec<u8>) -> Response {
    let headers = Headers::new();
    let _ = headers.set("content-type", content_type);
    let _ = headers.set("cache-control", "no-store");
    let _ = headers.set("x-content-type-options", "nosniff");
    Response::builder().with_status(status).with_headers(headers).fixed(body)
}

/// One line per request. The query string is never logged: it may carry a token.
fn log_request(method: &str, path: &str, route: Option<&str>, status: u16, duration_ms: u64) {
    let line = serde_json::json!({
        "level": if status >= 500 { "error" } else { "info" },
        "event": "request",
        "method": method,
        "path": path,
        "route": route,
        "status": status,
        "duration_ms": duration_ms,
    });
    worker::console_log!("{line}");
}
