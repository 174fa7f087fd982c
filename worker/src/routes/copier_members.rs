//! Who belongs to a copier channel: a follower unsubscribes; the publisher removes a follower,
//! rotates the invite code or deletes the channel. Whoever leaves has their open `/ws` sockets
//! closed (4403 not a member; 4410 channel deleted, for everyone), and `/ws` admits only
//! current members, so a reconnect is refused.

use auronex_durable_objects::copier::protocol::{close_code, EndSockets};
use worker::Response;

use crate::app::{json, no_content, Ctx};
use crate::auth;
use crate::copier::repo::{self, Channel};
use crate::copier::room;
use crate::http::{ApiError, ApiResult};

/// `DELETE /api/copier/subscriptions/{channel_id}`: the caller stops following the channel.
pub async fn unsubscribe(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let channel_id = ctx.params.get("channel_id").cloned().unwrap_or_default();
    let db = ctx.env.d1("DB")?;
    if !repo::delete_subscription(&db, &channel_id, &caller.user.id).await? {
        return Err(ApiError::not_found());
    }
    end_member(&ctx, &channel_id, &caller.user.id, "you unsubscribed from this channel").await;
    no_content()
}

/// `DELETE /api/copier/channels/{id}/followers/{user_id}`: the publisher removes a follower.
pub async fn remove_follower(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let channel = owned_channel(&ctx, &caller.user.id).await?;
    let follower_id = ctx.params.get("user_id").cloned().unwrap_or_default();
    let now = crate::clock::now_rfc3339();
    if !repo::remove_follower(&ctx.env.d1("DB")?, &channel.id, &follower_id, &now).await? {
        return Err(ApiError::not_found());
    }
    end_member(&ctx, &channel.id, &follower_id, "the publisher removed you from this channel").await;
    no_content()
}

/// `DELETE /api/copier/channels/{id}/removed/{user_id}`: a removed follower may subscribe again
/// (with the invite code, as anyone).
pub async fn lift_removal(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let channel = owned_channel(&ctx, &caller.user.id).await?;
    let user_id = ctx.params.get("user_id").cloned().unwrap_or_default();
    if !repo::lift_removal(&ctx.env.d1("DB")?, &channel.id, &user_id).await? {
        return Err(ApiError::not_found());
    }
    no_content()
}

/// `GET /api/copier/channels/{id}/followers`: the publisher's view of who follows.
pub async fn followers(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let channel = owned_channel(&ctx, &caller.user.id).await?;
    let db = ctx.env.d1("DB")?;
    let listed = |ids: Vec<String>| -> Vec<serde_json::Value> {
        ids.into_iter().map(|id| serde_json::json!({"user_id": id})).collect()
    };
    let items = listed(repo::follower_ids(&db, &channel.id).await?);
    let removed = listed(repo::removed_ids(&db, &channel.id).await?);
    json(200, &serde_json::json!({"items": items, "removed": removed}))
}

/// `POST /api/copier/channels/{id}/invite`: a new invite code; the old one stops working.
/// Existing followers stay.
pub async fn rotate_invite(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let channel = owned_channel(&ctx, &caller.user.id).await?;
    let code = super::copier::invite_code()?;
    repo::set_invite_code(&ctx.env.d1("DB")?, &channel.id, &code).await?;
    json(200, &serde_json::json!({"id": channel.id, "invite_code": code}))
}

/// `DELETE /api/copier/channels/{id}`: deletes the channel, its followers' subscriptions, its
/// history and its bot links; every open socket is closed with 4410.
pub async fn delete_channel(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let channel = owned_channel(&ctx, &caller.user.id).await?;
    repo::delete_channel(&ctx.env.d1("DB")?, &channel.id).await?;
    let end = EndSockets { user_id: None, code: close_code::CHANNEL_DELETED, reason: "the channel was deleted".into() };
    if let Err(error) = room::end_sockets(&ctx.env, &channel.id, &end).await {
        crate::log::error("sockets_not_closed", &format!("deleted channel {}: {error}", channel.id));
    }
    no_content()
}

/// The channel in the path if the caller publishes it (404 otherwise, for followers too: they
/// must not manage it, and outsiders must not learn it exists).
async fn owned_channel(ctx: &Ctx, caller_id: &str) -> ApiResult<Channel> {
    let id = ctx.params.get("id").cloned().unwrap_or_default();
    let channel = repo::find_channel(&ctx.env.d1("DB")?, &id).await?.ok_or_else(ApiError::not_found)?;
    if channel.owner_id != caller_id {
        return Err(ApiError::not_found());
    }
    Ok(channel)
}

/// Closes a former member's sockets on the channel; the D1 change already holds (a reconnect
/// is refused), so a failure is logged, not returned.
async fn end_member(ctx: &Ctx, channel_id: &str, user_id: &str, reason: &str) {
    let end = EndSockets { user_id: Some(user_id.to_string()), code: close_code::NOT_A_MEMBER, reason: reason.into() };
    if let Err(error) = room::end_sockets(&ctx.env, channel_id, &end).await {
        crate::log::error("sockets_not_closed", &format!("channel {channel_id}, user {user_id}: {error}"));
    }
}
