//! `/api/copier/*` and `POST /users/config`: channels a master publishes, subscriptions with
//! each follower's sizing, the signal history and per-signal deliveries.

use auronex_core::copier::TradeCopy;
use auronex_durable_objects::copier::protocol::MemberUpdate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use worker::Response;

use crate::app::{json, Ctx};
use crate::auth;
use crate::clock;
use crate::copier::repo::{self, Channel, Membership};
use crate::copier::room;
use crate::crypto;
use crate::http::{body, ApiError, ApiResult};

#[derive(Deserialize)]
struct NewChannel {
    name: String,
}

#[derive(Deserialize)]
struct Subscribe {
    invite_code: String,
    trade_copy: Option<Value>,
}

#[derive(Deserialize)]
struct Config {
    trade_copy: Value,
}

#[derive(Serialize)]
struct ChannelView {
    id: String,
    name: String,
    role: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    invite_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    followers: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trade_copy: Option<TradeCopy>,
    created_at: String,
}

/// Invite codes: 10 characters from an alphabet without look-alikes (about 50 bits).
pub(super) fn invite_code() -> ApiResult<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes = crypto::random_bytes::<10>()?;
    Ok(bytes.iter().map(|byte| ALPHABET[(*byte as usize) % ALPHABET.len()] as char).collect())
}

/// Parses and checks a `trade_copy` object, naming the faulty field as `trade_copy.<name>`.
pub fn parse_trade_copy(value: Value) -> ApiResult<TradeCopy> {
    let trade_copy: TradeCopy = serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let field = if path == "." { "trade_copy".to_string() } else { format!("trade_copy.{path}") };
        ApiError::validation(field, error.into_inner().to_string())
    })?;
    trade_copy
        .validate()
        .map_err(|error| ApiError::validation(format!("trade_copy.{}", error.field), error.to_string()))?;
    Ok(trade_copy)
}

pub async fn create_channel(mut ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let input: NewChannel = body::json(&mut ctx.req).await?;
    let name = input.name.trim();
    if !(1..=80).contains(&name.chars().count()) || name.chars().any(char::is_control) {
        return Err(ApiError::validation("name", "name must be 1 to 80 characters"));
    }
    let channel = Channel {
        id: crypto::random_id()?,
        owner_id: caller.user.id.clone(),
        name: name.to_string(),
        invite_code: invite_code()?,
        created_at: clock::now_rfc3339(),
    };
    repo::insert_channel(&ctx.env.d1("DB")?, &channel).await?;
    let view = ChannelView {
        id: channel.id,
        name: channel.name,
        role: "publisher".into(),
        invite_code: Some(channel.invite_code),
        followers: Some(0),
        trade_copy: None,
        created_at: channel.created_at,
    };
    json(201, &view)
}

pub async fn list_channels(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let rows = repo::list_for_user(&ctx.env.d1("DB")?, &caller.user.id).await?;
    let views: Vec<ChannelView> = rows
        .into_iter()
        .map(|row| {
            let publisher = row.role == "publisher";
            ChannelView {
                id: row.id,
                name: row.name,
                invite_code: publisher.then_some(row.invite_code),
                followers: publisher.then_some(row.followers),
                trade_copy: row.trade_copy.and_then(|json| serde_json::from_str(&json).ok()),
                role: row.role,
                created_at: row.created_at,
            }
        })
        .collect();
    json(200, &views)
}

pub async fn subscribe(mut ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let input: Subscribe = body::json(&mut ctx.req).await?;
    let db = ctx.env.d1("DB")?;
    let channel = repo::find_by_invite(&db, input.invite_code.trim())
        .await?
        .ok_or_else(|| ApiError::validation("invite_code", "no channel has this invite code"))?;
    if channel.owner_id == caller.user.id {
        return Err(ApiError::validation("invite_code", "you publish this channel; followers are other accounts"));
    }
    let trade_copy = match input.trade_copy {
        Some(value) => parse_trade_copy(value)?,
        None => {
            let stored = repo::default_trade_copy(&db, &caller.user.id).await?.unwrap_or_default();
            // A default saved before the bounds existed is not copied into a subscription.
            stored.validate().map_err(|error| {
                let message = format!("your default {error}: set it again with POST /users/config");
                ApiError::validation(format!("trade_copy.{}", error.field), message)
            })?;
            stored
        }
    };
    if !repo::upsert_subscription(&db, &channel.id, &caller.user.id, &trade_copy, &clock::now_rfc3339()).await? {
        let message = "the publisher removed you from this channel; only they can let you back";
        return Err(ApiError::forbidden(message).with_code("removed_from_channel"));
    }
    // A follower already connected sizes the next message with the new config, not at reconnect.
    let update = MemberUpdate {
        channel_id: channel.id.clone(),
        user_id: caller.user.id.clone(),
        trade_copy: trade_copy.clone(),
    };
    if let Err(error) = room::update_member(&ctx.env, &update).await {
        crate::log::error("sizing_not_applied", &format!("channel {}: {error}", channel.id));
        return Err(ApiError::new(
            503,
            "sizing_not_live",
            "saved, but your open connections keep the old sizing until they reconnect; retry this request",
        ));
    }
    json(201, &serde_json::json!({"channel_id": channel.id, "name": channel.name, "trade_copy": trade_copy}))
}

pub async fn set_default_config(mut ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let input: Config = body::json(&mut ctx.req).await?;
    let trade_copy = parse_trade_copy(input.trade_copy)?;
    repo::set_default_trade_copy(&ctx.env.d1("DB")?, &caller.user.id, &trade_copy, &clock::now_rfc3339()).await?;
    json(200, &serde_json::json!({"trade_copy": trade_copy}))
}

/// A channel the caller belongs to (404 for outsiders: they must not learn it exists).
async fn member_channel(ctx: &Ctx, caller_id: &str) -> ApiResult<(Channel, Membership)> {
    let db = ctx.env.d1("DB")?;
    let id = ctx.params.get("id").cloned().unwrap_or_default();
    let channel = repo::find_channel(&db, &id).await?.ok_or_else(ApiError::not_found)?;
    let membership = repo::membership(&db, &channel, caller_id).await?.ok_or_else(ApiError::not_found)?;
    Ok((channel, membership))
}

fn query(ctx: &Ctx, name: &str) -> ApiResult<Option<String>> {
    let url = ctx.req.url()?;
    Ok(url.query_pairs().find(|(key, _)| key == name).map(|(_, value)| value.into_owned()))
}

fn query_number(ctx: &Ctx, name: &'static str, default: i64, range: std::ops::RangeInclusive<i64>) -> ApiResult<i64> {
    match query(ctx, name)? {
        None => Ok(default),
        Some(text) => text.parse::<i64>().ok().filter(|value| range.contains(value)).ok_or_else(|| {
            ApiError::validation(name, format!("{name} must be an integer in {}..={}", range.start(), range.end()))
        }),
    }
}

pub async fn history(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let (channel, _) = member_channel(&ctx, &caller.user.id).await?;
    let after_seq = query_number(&ctx, "after_seq", 0, 0..=i64::MAX)?;
    let limit = query_number(&ctx, "limit", 100, 1..=1000)? as u32;
    let rows = repo::history(&ctx.env.d1("DB")?, &channel.id, after_seq, limit).await?;
    let items: Vec<Value> = rows
        .into_iter()
        .map(|row| {
            serde_json::json!({"seq": row.seq, "signal_id": row.signal_id, "type": row.kind, "ticket": row.ticket,
                "data": serde_json::from_str::<Value>(&row.data).unwrap_or(Value::Null), "at": row.created_at})
        })
        .collect();
    json(200, &serde_json::json!({"items": items}))
}

pub async fn deliveries(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let (channel, membership) = member_channel(&ctx, &caller.user.id).await?;
    if !matches!(membership, Membership::Publisher) {
        return Err(ApiError::forbidden("only the channel's publisher sees deliveries"));
    }
    let seq = ctx
        .params
        .get("seq")
        .and_then(|text| text.parse::<i64>().ok())
        .ok_or_else(|| ApiError::validation("seq", "seq must be an integer"))?;
    let rows = room::deliveries(&ctx.env, &channel.id, seq).await?;
    let items: Vec<Value> = rows
        .into_iter()
        .map(|row| {
            let delay_ms = match (row.sent_at_ms, row.acked_at_ms) {
                (Some(sent), Some(acked)) => Some(acked - sent),
                _ => None,
            };
            serde_json::json!({
                "user_id": row.user_id,
                "sent_at": row.sent_at_ms.map(clock::rfc3339_from_ms),
                "acked_at": row.acked_at_ms.map(clock::rfc3339_from_ms),
                "client_ticket": row.client_ticket,
                "ack_delay_ms": delay_ms,
                "error": row.error,
            })
        })
        .collect();
    json(200, &serde_json::json!({"seq": seq, "items": items}))
}
