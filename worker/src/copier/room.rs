//! Calls from the Worker to a channel's `SignalRoom` and its `SignalShard`s.

use auronex_durable_objects::copier::protocol::{
    Assign, Assigned, DeliveryRow, EndSockets, MemberUpdate, MemberUpdated, Publish, Published,
};
use auronex_durable_objects::copier::{room_stub, shard_stub};
use auronex_durable_objects::internal::call;
use futures_util::future::join_all;
use serde_json::Value;
use worker::{Env, Method};

pub async fn publish(env: &Env, publish: &Publish) -> worker::Result<Published> {
    call(&room_stub(env, &publish.channel_id)?, Method::Post, "/publish", Some(publish)).await
}

/// Applies a follower's new `trade_copy` to its open sockets in every shard of the channel.
pub async fn update_member(env: &Env, update: &MemberUpdate) -> worker::Result<MemberUpdated> {
    call(&room_stub(env, &update.channel_id)?, Method::Post, "/member", Some(update)).await
}

pub async fn assign(env: &Env, channel_id: &str, user_id: &str, shard_size: u32) -> worker::Result<Assigned> {
    let body = Assign { channel_id: channel_id.to_string(), shard_size, user_id: user_id.to_string() };
    call(&room_stub(env, channel_id)?, Method::Post, "/assign", Some(&body)).await
}

/// Every follower's delivery record for one message, gathered from all shards.
pub async fn deliveries(env: &Env, channel_id: &str, seq: i64) -> worker::Result<Vec<DeliveryRow>> {
    let shards: Vec<u32> = call::<(), _>(&room_stub(env, channel_id)?, Method::Get, "/shards", None).await?;
    let mut rows = Vec::new();
    for index in shards {
        let stub = shard_stub(env, channel_id, index)?;
        let part: Vec<DeliveryRow> = call::<(), _>(&stub, Method::Get, &format!("/deliveries?seq={seq}"), None).await?;
        rows.extend(part);
    }
    rows.sort_by(|a, b| a.user_id.cmp(&b.user_id));
    Ok(rows)
}

/// Closes the sockets `end` names in every shard of the channel (hibernated ones too).
pub async fn end_sockets(env: &Env, channel_id: &str, end: &EndSockets) -> worker::Result<()> {
    let shards: Vec<u32> = call::<(), _>(&room_stub(env, channel_id)?, Method::Get, "/shards", None).await?;
    let ends = shards.iter().map(|shard| async move {
        call::<_, Value>(&shard_stub(env, channel_id, *shard)?, Method::Post, "/end-sockets", Some(end)).await
    });
    join_all(ends).await.into_iter().collect::<worker::Result<Vec<_>>>().map(|_| ())
}
