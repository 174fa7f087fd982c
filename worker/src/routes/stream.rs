//! `GET /api/stream`: the caller's live updates over a websocket. The access token comes as
//! `Authorization: Bearer` or, for browsers (which cannot set headers on a websocket), as the
//! subprotocol pair `bearer, <token>` (`new WebSocket(url, ["bearer", token])`; the server
//! answers with the `bearer` subprotocol). Never in the URL: a `?token=` is not read, since URLs
//! end up in proxies' and browsers' histories. The upgrade goes to the caller's `UserStream`
//! object with the session it was authenticated under (its sockets close when the session
//! ends); event shapes are in `notify::events`.

use auronex_durable_objects::internal::ORIGIN;
use auronex_durable_objects::stream::{PROTOCOL_HEADER, SESSION_HEADER, USER_HEADER};
use worker::{Headers, Method, Request, RequestInit, Response};

use crate::app::Ctx;
use crate::auth;
use crate::http::{ApiError, ApiResult};
use crate::notify::stream::object;

/// The subprotocol that carries the token, and is answered.
const BEARER_PROTOCOL: &str = "bearer";

/// `Sec-WebSocket-Protocol: bearer, <token>` gives the token.
fn protocol_token(header: &str) -> Option<String> {
    let mut offered = header.split(',').map(str::trim);
    (offered.next()? == BEARER_PROTOCOL).then(|| offered.next().map(str::to_string)).flatten().filter(|t| !t.is_empty())
}

pub async fn connect(ctx: Ctx) -> ApiResult<Response> {
    let upgrade = ctx.req.headers().get("upgrade")?.unwrap_or_default();
    if !upgrade.eq_ignore_ascii_case("websocket") {
        return Err(ApiError::new(426, "upgrade_required", "expected a websocket upgrade"));
    }
    let from_protocol = protocol_token(&ctx.req.headers().get("sec-websocket-protocol")?.unwrap_or_default());
    let token = auth::bearer_token(&ctx.req).or_else(|| from_protocol.clone());
    if token.is_none() && ctx.req.url()?.query_pairs().any(|(key, _)| key == "token") {
        return Err(ApiError::unauthorized(
            "the token goes in Authorization or the `bearer, <token>` subprotocol, never in the URL",
        ));
    }
    let caller = auth::authenticate_token(&ctx, token).await?;

    let headers = Headers::new();
    for (name, value) in ctx.req.headers().entries() {
        let internal = [USER_HEADER, PROTOCOL_HEADER, SESSION_HEADER, "authorization", "sec-websocket-protocol"];
        if !internal.iter().any(|skip| name.eq_ignore_ascii_case(skip)) {
            headers.set(&name, &value)?;
        }
    }
    headers.set(USER_HEADER, &caller.user.id)?;
    headers.set(SESSION_HEADER, &caller.session_id)?;
    if from_protocol.is_some() {
        headers.set(PROTOCOL_HEADER, BEARER_PROTOCOL)?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let forwarded = Request::new_with_init(&format!("{ORIGIN}/connect"), &init)?;
    Ok(object(&ctx.env, &caller.user.id)?.fetch_with_request(forwarded).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_rides_in_the_bearer_subprotocol() {
        assert_eq!(protocol_token("bearer, abc.def.ghi").as_deref(), Some("abc.def.ghi"));
        assert_eq!(protocol_token("bearer,abc"), Some("abc".into()));
        assert_eq!(protocol_token("bearer"), None);
        assert_eq!(protocol_token("chat, abc"), None);
        assert_eq!(protocol_token(""), None);
    }
}
