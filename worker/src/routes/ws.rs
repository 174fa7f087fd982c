//! `GET /ws?channel_id=ID[&last_seq=N]`: authenticates the caller (bearer header, or `?token=`
//! for clients that cannot set headers on a websocket), admits only the channel's publisher and
//! followers, and hands the upgrade to the shard the room assigns. With `last_seq`, every message
//! after it is replayed before anything live, so a reconnecting follower misses and repeats nothing.

use auronex_durable_objects::copier::protocol::{Member, MemberRole};
use auronex_durable_objects::copier::shard::MEMBER_HEADER;
use auronex_durable_objects::copier::shard_stub;
use auronex_durable_objects::internal::ORIGIN;
use worker::{Headers, Method, Request, RequestInit, Response};

use crate::app::Ctx;
use crate::auth;
use crate::config;
use crate::copier::repo::{self, Membership};
use crate::copier::room;
use crate::http::{ApiError, ApiResult};

/// Followers per shard object unless `COPIER_SHARD_SIZE` says otherwise.
const DEFAULT_SHARD_SIZE: u32 = 500;

pub async fn connect(ctx: Ctx) -> ApiResult<Response> {
    let upgrade = ctx.req.headers().get("upgrade")?.unwrap_or_default();
    if !upgrade.eq_ignore_ascii_case("websocket") {
        return Err(ApiError::new(426, "upgrade_required", "expected a websocket upgrade"));
    }
    let url = ctx.req.url()?;
    let query = |name: &str| url.query_pairs().find(|(key, _)| key == name).map(|(_, value)| value.into_owned());
    let token = auth::bearer_token(&ctx.req).or_else(|| query("token"));
    let caller = auth::authenticate_token(&ctx, token).await?;
    let channel_id = query("channel_id")
        .filter(|value| !value.is_empty() && value.len() <= 64)
        .ok_or_else(|| ApiError::validation("channel_id", "channel_id is required"))?;
    let last_seq = match query("last_seq") {
        None => None,
        Some(text) => Some(
            text.parse::<i64>()
                .ok()
                .filter(|seq| *seq >= 0)
                .ok_or_else(|| ApiError::validation("last_seq", "last_seq must be a non-negative integer"))?,
        ),
    };

    let db = ctx.env.d1("DB")?;
    let channel = repo::find_channel(&db, &channel_id).await?.ok_or_else(ApiError::not_found)?;
    let (role, trade_copy) = match repo::membership(&db, &channel, &caller.user.id).await? {
        Some(Membership::Publisher) => (MemberRole::Publisher, Default::default()),
        Some(Membership::Follower(trade_copy)) => (MemberRole::Follower, trade_copy),
        None => return Err(ApiError::forbidden("only the channel's publisher and followers may connect")),
    };

    let shard_size = config::optional(&ctx.env, "COPIER_SHARD_SIZE")
        .and_then(|text| text.parse::<u32>().ok())
        .filter(|size| *size > 0)
        .unwrap_or(DEFAULT_SHARD_SIZE);
    let assigned = room::assign(&ctx.env, &channel.id, &caller.user.id, shard_size).await?;
    let member =
        Member { user_id: caller.user.id, role, trade_copy, channel_id: channel.id.clone(), shard: assigned.shard };

    let headers = Headers::new();
    for (name, value) in ctx.req.headers().entries() {
        if !name.eq_ignore_ascii_case("authorization") && !name.eq_ignore_ascii_case(MEMBER_HEADER) {
            headers.set(&name, &value)?;
        }
    }
    headers.set(MEMBER_HEADER, &serde_json::to_string(&member).map_err(ApiError::internal)?)?;
    let path = match last_seq {
        Some(seq) => format!("{ORIGIN}/connect?last_seq={seq}"),
        None => format!("{ORIGIN}/connect"),
    };
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers);
    let forwarded = Request::new_with_init(&path, &init)?;
    Ok(shard_stub(&ctx.env, &channel.id, assigned.shard)?.fetch_with_request(forwarded).await?)
}
