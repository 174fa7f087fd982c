//! D1 queries over copier channels, subscriptions, default sizing and signal history.

use auronex_core::copier::TradeCopy;
use serde::Deserialize;
use worker::D1Database;

#[derive(Debug, Clone, Deserialize)]
pub struct Channel {
    pub id: String,
    pub owner_id: String,
    pub name: String,
    pub invite_code: String,
    pub created_at: String,
}

/// The caller's relation to a channel.
pub enum Membership {
    Publisher,
    Follower(TradeCopy),
}

const CHANNEL_COLUMNS: &str = "id, owner_id, name, invite_code, created_at";

pub async fn insert_channel(db: &D1Database, channel: &Channel) -> worker::Result<()> {
    db.prepare("INSERT INTO copier_channels (id, owner_id, name, invite_code, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")
        .bind(&[
            channel.id.as_str().into(),
            channel.owner_id.as_str().into(),
            channel.name.as_str().into(),
            channel.invite_code.as_str().into(),
            channel.created_at.as_str().into(),
        ])?
        .run()
        .await?;
    Ok(())
}

pub async fn find_channel(db: &D1Database, id: &str) -> worker::Result<Option<Channel>> {
    db.prepare(format!("SELECT {CHANNEL_COLUMNS} FROM copier_channels WHERE id = ?1"))
        .bind(&[id.into()])?
        .first::<Channel>(None)
        .await
}

pub async fn find_by_invite(db: &D1Database, invite_code: &str) -> worker::Result<Option<Channel>> {
    db.prepare(format!("SELECT {CHANNEL_COLUMNS} FROM copier_channels WHERE invite_code = ?1"))
        .bind(&[invite_code.into()])?
        .first::<Channel>(None)
        .await
}

pub async fn first_owned(db: &D1Database, owner_id: &str) -> worker::Result<Option<Channel>> {
    db.prepare(format!(
        "SELECT {CHANNEL_COLUMNS} FROM copier_channels WHERE owner_id = ?1 ORDER BY created_at, id LIMIT 1"
    ))
    .bind(&[owner_id.into()])?
    .first::<Channel>(None)
    .await
}

#[derive(Debug, Deserialize)]
pub struct Listed {
    pub id: String,
    pub name: String,
    pub invite_code: String,
    pub created_at: String,
    pub role: String,
    pub trade_copy: Option<String>,
    pub followers: i64,
}

/// Channels the user publishes or follows, oldest first.
pub async fn list_for_user(db: &D1Database, user_id: &str) -> worker::Result<Vec<Listed>> {
    let query = "
        SELECT c.id, c.name, c.invite_code, c.created_at, 'publisher' AS role, NULL AS trade_copy,
               (SELECT COUNT(*) FROM copier_subscriptions s WHERE s.channel_id = c.id) AS followers
        FROM copier_channels c WHERE c.owner_id = ?1
        UNION ALL
        SELECT c.id, c.name, c.invite_code, c.created_at, 'follower' AS role, s.trade_copy, 0 AS followers
        FROM copier_subscriptions s JOIN copier_channels c ON c.id = s.channel_id WHERE s.user_id = ?1
        ORDER BY created_at, id";
    db.prepare(query).bind(&[user_id.into()])?.all().await?.results::<Listed>()
}

pub async fn membership(db: &D1Database, channel: &Channel, user_id: &str) -> worker::Result<Option<Membership>> {
    if channel.owner_id == user_id {
        return Ok(Some(Membership::Publisher));
    }
    let stored = db
        .prepare("SELECT trade_copy FROM copier_subscriptions WHERE channel_id = ?1 AND user_id = ?2")
        .bind(&[channel.id.as_str().into(), user_id.into()])?
        .first::<String>(Some("trade_copy"))
        .await?;
    Ok(stored.map(|json| Membership::Follower(serde_json::from_str(&json).unwrap_or_default())))
}

/// Subscribes `user_id` (or updates its sizing); `false`, and nothing written, when the
/// publisher removed that user from the channel (checked in the same statement, so a removal
/// committing meanwhile is never undone).
pub async fn upsert_subscription(
    db: &D1Database,
    channel_id: &str,
    user_id: &str,
    trade_copy: &TradeCopy,
    now: &str,
) -> worker::Result<bool> {
    let result = db
        .prepare(
            "INSERT INTO copier_subscriptions (channel_id, user_id, trade_copy, created_at)
             SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS
               (SELECT 1 FROM copier_removed WHERE channel_id = ?1 AND user_id = ?2)
             ON CONFLICT (channel_id, user_id) DO UPDATE SET trade_copy = excluded.trade_copy",
        )
        .bind(&[channel_id.into(), user_id.into(), serde_json::to_string(trade_copy)?.into(), now.into()])?
        .run()
        .await?;
    Ok(crate::db::changes(&result) > 0)
}

/// Removes a follower for good: the subscription goes and the user may not subscribe again
/// (one batch); whether they were subscribed.
pub async fn remove_follower(db: &D1Database, channel_id: &str, user_id: &str, now: &str) -> worker::Result<bool> {
    let results = db
        .batch(vec![
            db.prepare("DELETE FROM copier_subscriptions WHERE channel_id = ?1 AND user_id = ?2")
                .bind(&[channel_id.into(), user_id.into()])?,
            db.prepare(
                "INSERT INTO copier_removed (channel_id, user_id, removed_at)
                 SELECT ?1, ?2, ?3 WHERE changes() > 0 ON CONFLICT DO NOTHING",
            )
            .bind(&[channel_id.into(), user_id.into(), now.into()])?,
        ])
        .await?;
    Ok(results.first().is_some_and(|deleted| crate::db::changes(deleted) > 0))
}

/// Lets a removed user subscribe again; whether they were removed.
pub async fn lift_removal(db: &D1Database, channel_id: &str, user_id: &str) -> worker::Result<bool> {
    delete_member_row(db, "copier_removed", channel_id, user_id).await
}

/// Deletes `user_id`'s row of `channel_id` in `table`; whether there was one.
async fn delete_member_row(db: &D1Database, table: &str, channel_id: &str, user_id: &str) -> worker::Result<bool> {
    let result = db
        .prepare(format!("DELETE FROM {table} WHERE channel_id = ?1 AND user_id = ?2"))
        .bind(&[channel_id.into(), user_id.into()])?
        .run()
        .await?;
    Ok(crate::db::changes(&result) > 0)
}

/// The users the publisher removed from the channel.
pub async fn removed_ids(db: &D1Database, channel_id: &str) -> worker::Result<Vec<String>> {
    user_ids(db, "SELECT user_id FROM copier_removed WHERE channel_id = ?1 ORDER BY removed_at", channel_id).await
}

/// The `user_id` column of `sql`'s rows, `?1` bound to `channel_id`.
async fn user_ids(db: &D1Database, sql: &str, channel_id: &str) -> worker::Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Row {
        user_id: String,
    }
    let rows: Vec<Row> = db.prepare(sql).bind(&[channel_id.into()])?.all().await?.results()?;
    Ok(rows.into_iter().map(|row| row.user_id).collect())
}

pub async fn default_trade_copy(db: &D1Database, user_id: &str) -> worker::Result<Option<TradeCopy>> {
    let stored = db
        .prepare("SELECT trade_copy FROM copier_defaults WHERE user_id = ?1")
        .bind(&[user_id.into()])?
        .first::<String>(Some("trade_copy"))
        .await?;
    Ok(stored.and_then(|json| serde_json::from_str(&json).ok()))
}

pub async fn set_default_trade_copy(
    db: &D1Database,
    user_id: &str,
    trade_copy: &TradeCopy,
    now: &str,
) -> worker::Result<()> {
    db.prepare(
        "INSERT INTO copier_defaults (user_id, trade_copy, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id) DO UPDATE SET trade_copy = excluded.trade_copy, updated_at = excluded.updated_at",
    )
    .bind(&[user_id.into(), serde_json::to_string(trade_copy)?.into(), now.into()])?
    .run()
    .await?;
    Ok(())
}

pub struct HistoryEntry<'a> {
    pub channel_id: &'a str,
    pub seq: i64,
    pub signal_id: &'a str,
    pub kind: &'a str,
    pub ticket: &'a str,
    pub data: &'a serde_json::Value,
    pub created_at: &'a str,
}

pub async fn record_history(db: &D1Database, entry: HistoryEntry<'_>) -> worker::Result<()> {
    db.prepare(
        "INSERT OR IGNORE INTO copier_signals (channel_id, seq, signal_id, kind, ticket, data, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .bind(&[
        entry.channel_id.into(),
        (entry.seq as f64).into(),
        entry.signal_id.into(),
        entry.kind.into(),
        entry.ticket.into(),
        entry.data.to_string().into(),
        entry.created_at.into(),
    ])?
    .run()
    .await?;
    Ok(())
}

#[derive(Debug, Deserialize)]
pub struct HistoryRow {
    pub seq: i64,
    pub signal_id: String,
    pub kind: String,
    pub ticket: String,
    pub data: String,
    pub created_at: String,
}

pub async fn history(db: &D1Database, channel_id: &str, after_seq: i64, limit: u32) -> worker::Result<Vec<HistoryRow>> {
    db.prepare(
        "SELECT seq, signal_id, kind, ticket, data, created_at FROM copier_signals
         WHERE channel_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
    )
    .bind(&[channel_id.into(), (after_seq as f64).into(), limit.into()])?
    .all()
    .await?
    .results::<HistoryRow>()
}

/// Ends `user_id`'s subscription to `channel_id`; whether there was one.
pub async fn delete_subscription(db: &D1Database, channel_id: &str, user_id: &str) -> worker::Result<bool> {
    delete_member_row(db, "copier_subscriptions", channel_id, user_id).await
}

/// Replaces the channel's invite code: the old one stops working at once.
pub async fn set_invite_code(db: &D1Database, channel_id: &str, invite_code: &str) -> worker::Result<()> {
    db.prepare("UPDATE copier_channels SET invite_code = ?2 WHERE id = ?1")
        .bind(&[channel_id.into(), invite_code.into()])?
        .run()
        .await?;
    Ok(())
}

/// The channel's followers' user ids.
pub async fn follower_ids(db: &D1Database, channel_id: &str) -> worker::Result<Vec<String>> {
    user_ids(db, "SELECT user_id FROM copier_subscriptions WHERE channel_id = ?1 ORDER BY user_id", channel_id).await
}

/// Deletes the channel with its subscriptions, history and bot links, in one batch.
pub async fn delete_channel(db: &D1Database, channel_id: &str) -> worker::Result<()> {
    let statements = ["copier_subscriptions", "copier_removed", "copier_signals", "bot_channels"]
        .iter()
        .map(|table| db.prepare(format!("DELETE FROM {table} WHERE channel_id = ?1")).bind(&[channel_id.into()]))
        .chain(std::iter::once(db.prepare("DELETE FROM copier_channels WHERE id = ?1").bind(&[channel_id.into()])))
        .collect::<worker::Result<Vec<_>>>()?;
    db.batch(statements).await?;
    Ok(())
}
