//! The audit log: every admin change (who, what, when, and the values before and after), and
//! reading it back page by page. Details never hold secrets: only ids, roles, plans, flags,
//! settings and counts.

use serde::{Deserialize, Serialize};
use worker::D1Database;

use crate::auth::Caller;
use crate::clock;
use crate::db::{self, nullable};

pub struct Entry<'a> {
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: &'a str,
    pub detail: serde_json::Value,
}

pub async fn record(db: &D1Database, actor: &Caller, entry: Entry<'_>) -> worker::Result<()> {
    db.prepare(
        "INSERT INTO audit_log (at, actor_id, actor_email, action, target_type, target_id, detail) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .bind(&[
        clock::now_rfc3339().into(),
        actor.user.id.as_str().into(),
        actor.user.email.as_str().into(),
        entry.action.into(),
        entry.target_type.into(),
        entry.target_id.into(),
        entry.detail.to_string().into(),
    ])?
    .run()
    .await?;
    Ok(())
}

#[derive(Deserialize)]
struct Row {
    id: i64,
    at: String,
    actor_id: String,
    actor_email: String,
    action: String,
    target_type: String,
    target_id: String,
    detail: String,
}

#[derive(Serialize)]
pub struct View {
    pub id: i64,
    pub at: String,
    pub actor_id: String,
    pub actor_email: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub detail: serde_json::Value,
}

pub struct Filter {
    pub action: Option<String>,
    pub target_id: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

/// Newest first, with the total matching the filter.
pub async fn list(db: &D1Database, filter: &Filter) -> worker::Result<(Vec<View>, u64)> {
    let condition = "(?1 IS NULL OR action = ?1) AND (?2 IS NULL OR target_id = ?2)";
    let binds = [nullable(filter.action.as_deref()), nullable(filter.target_id.as_deref())];
    let rows: Vec<Row> = db
        .prepare(format!(
            "SELECT id, at, actor_id, actor_email, action, target_type, target_id, detail FROM audit_log \
             WHERE {condition} ORDER BY id DESC LIMIT ?3 OFFSET ?4"
        ))
        .bind(&[binds[0].clone(), binds[1].clone(), filter.limit.into(), filter.offset.into()])?
        .all()
        .await?
        .results()?;
    let total = db::count(db, &format!("SELECT count(*) AS n FROM audit_log WHERE {condition}"), &binds).await?;
    let views = rows
        .into_iter()
        .map(|row| View {
            id: row.id,
            at: row.at,
            actor_id: row.actor_id,
            actor_email: row.actor_email,
            action: row.action,
            target_type: row.target_type,
            target_id: row.target_id,
            detail: serde_json::from_str(&row.detail).unwrap_or(serde_json::Value::Null),
        })
        .collect();
    Ok((views, total))
}
