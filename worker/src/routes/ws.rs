//! `GET /ws?channel_id=ID`: authenticates the caller (bearer header, or `?token=` for clients
//! that cannot set headers on a websocket) and hands the upgrade to that channel's signal room.
//! Channel membership checks arrive with the copier.

use worker::Response;

use crate::app::Ctx;
use crate::auth;
use crate::http::{ApiError, ApiResult};

pub async fn connect(ctx: Ctx) -> ApiResult<Response> {
    let upgrade = ctx.req.headers().get("upgrade")?.unwrap_or_default();
    if !upgrade.eq_ignore_ascii_case("websocket") {
        return Err(ApiError::new(426, "upgrade_required", "expected a websocket upgrade"));
    }
    let url = ctx.req.url()?;
    let query = |name: &str| url.query_pairs().find(|(key, _)| key == name).map(|(_, value)| value.into_owned());
    let token = auth::bearer_token(&ctx.req).or_else(|| query("token"));
    auth::authenticate_token(&ctx, token).await?;
    let channel_id = query("channel_id")
        .filter(|value| !value.is_empty() && value.len() <= 64)
        .ok_or_else(|| ApiError::validation("channel_id", "channel_id is required"))?;
    let namespace = ctx.env.durable_object("SIGNAL_ROOM")?;
    let stub = namespace.id_from_name(&channel_id)?.get_stub()?;
    Ok(stub.fetch_with_request(ctx.req).await?)
}
