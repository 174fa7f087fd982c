//! D1 queries over `api_keys`. Every read for a user filters by that user, so another user's
//! key id finds nothing.

use worker::D1Database;

use super::model::ApiKeyRow;
use crate::db;
use crate::vault::Sealed;

const COLUMNS: &str = "id, user_id, exchange, label, key_hint, is_testnet, is_active, key_id, sealed, \
                       last_tested_at, last_test_ok, created_at";

pub struct NewRow<'a> {
    pub id: &'a str,
    pub user_id: &'a str,
    pub exchange: &'a str,
    pub label: &'a str,
    pub hint: &'a str,
    pub is_testnet: bool,
    pub sealed: &'a Sealed,
    pub now: &'a str,
}

pub async fn insert(db: &D1Database, row: NewRow<'_>) -> worker::Result<()> {
    db.prepare(
        "INSERT INTO api_keys (id, user_id, exchange, label, key_hint, is_testnet, is_active, key_id, sealed, \
         created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?8, ?9, ?9)",
    )
    .bind(&[
        row.id.into(),
        row.user_id.into(),
        row.exchange.into(),
        row.label.into(),
        row.hint.into(),
        i32::from(row.is_testnet).into(),
        row.sealed.key_id.as_str().into(),
        row.sealed.blob.as_str().into(),
        row.now.into(),
    ])?
    .run()
    .await?;
    Ok(())
}

pub async fn list_for_user(db: &D1Database, user_id: &str) -> worker::Result<Vec<ApiKeyRow>> {
    db.prepare(format!("SELECT {COLUMNS} FROM api_keys WHERE user_id = ?1 ORDER BY created_at, id"))
        .bind(&[user_id.into()])?
        .all()
        .await?
        .results()
}

pub async fn count_for_user(db: &D1Database, user_id: &str) -> worker::Result<usize> {
    Ok(db::count(db, "SELECT count(*) AS n FROM api_keys WHERE user_id = ?1", &[user_id.into()]).await? as usize)
}

pub async fn find_for_user(db: &D1Database, user_id: &str, id: &str) -> worker::Result<Option<ApiKeyRow>> {
    db.prepare(format!("SELECT {COLUMNS} FROM api_keys WHERE id = ?1 AND user_id = ?2"))
        .bind(&[id.into(), user_id.into()])?
        .first::<ApiKeyRow>(None)
        .await
}

/// Deletes the caller's key; `false` when there was none of theirs with that id.
pub async fn delete_for_user(db: &D1Database, user_id: &str, id: &str) -> worker::Result<bool> {
    let result = db
        .prepare("DELETE FROM api_keys WHERE id = ?1 AND user_id = ?2")
        .bind(&[id.into(), user_id.into()])?
        .run()
        .await?;
    Ok(db::changes(&result) == 1)
}

pub async fn record_test(db: &D1Database, id: &str, ok: bool, now: &str) -> worker::Result<()> {
    db.prepare("UPDATE api_keys SET last_tested_at = ?2, last_test_ok = ?3 WHERE id = ?1")
        .bind(&[id.into(), now.into(), i32::from(ok).into()])?
        .run()
        .await?;
    Ok(())
}

/// A page of rows sealed with any key but `current_key_id`, after `after_id` (rotation).
pub async fn sealed_with_other_keys(
    db: &D1Database,
    current_key_id: &str,
    after_id: &str,
    limit: u32,
) -> worker::Result<Vec<ApiKeyRow>> {
    db.prepare(format!("SELECT {COLUMNS} FROM api_keys WHERE key_id != ?1 AND id > ?2 ORDER BY id LIMIT ?3"))
        .bind(&[current_key_id.into(), after_id.into(), limit.into()])?
        .all()
        .await?
        .results()
}

/// Replaces a row's sealed value only if it still holds what was read (no lost update).
pub async fn replace_sealed(db: &D1Database, id: &str, old: &Sealed, new: &Sealed, now: &str) -> worker::Result<bool> {
    let result = db
        .prepare(
            "UPDATE api_keys SET key_id = ?4, sealed = ?5, updated_at = ?6 WHERE id = ?1 AND key_id = ?2 AND sealed = ?3",
        )
        .bind(&[
            id.into(),
            old.key_id.as_str().into(),
            old.blob.as_str().into(),
            new.key_id.as_str().into(),
            new.blob.as_str().into(),
            now.into(),
        ])?
        .run()
        .await?;
    Ok(db::changes(&result) == 1)
}

pub async fn count_by_key(db: &D1Database) -> worker::Result<Vec<KeyCount>> {
    db.prepare("SELECT key_id, count(*) AS rows FROM api_keys GROUP BY key_id ORDER BY key_id").all().await?.results()
}

#[derive(Debug, serde::Deserialize, serde::Serialize)]
pub struct KeyCount {
    pub key_id: String,
    pub rows: u32,
}
