//! `GET /ws?channel_id=ID`: hands the websocket upgrade to that channel's signal room.
//! Authentication and membership checks arrive with the copier; the room only answers pings now.

use worker::Response;

use crate::app::Ctx;
use crate::http::{ApiError, ApiResult};

pub async fn connect(ctx: Ctx) -> ApiResult<Response> {
    let upgrade = ctx.req.headers().get("upgrade")?.unwrap_or_default();
    if !upgrade.eq_ignore_ascii_case("websocket") {
        return Err(ApiError::new(
            426,
            "upgrade_required",
            "expected a websocket upgrade",
        ));
    }
    let url = ctx.req.url()?;
    let channel_id = url
        .query_pairs()
        .find(|(key, _)| key == "channel_id")
        .map(|(_, value)| value.into_owned())
        .filter(|value| !value.is_empty() && value.len() <= 64)
        .ok_or_else(|| ApiError::validation("channel_id", "channel_id is required"))?;
    let namespace = ctx.env.durable_object("SIGNAL_ROOM")?;
    let stub = namespace.id_from_name(&channel_id)?.get_stub()?;
    Ok(stub.fetch_with_request(ctx.req).await?)
}
