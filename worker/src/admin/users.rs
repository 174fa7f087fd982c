//! Admin queries over `users`: listing with search and filters, and changing role, plan or the
//! active flag. Plan changes go through `payments::plans` so downgrades run the bot hook.

use serde::Deserialize;
use worker::wasm_bindgen::JsValue;
use worker::D1Database;

use crate::db::{self, nullable};
use crate::users::repo::COLUMNS;
use crate::users::{Role, User};

pub struct Filter {
    /// Matches email, first or last name (case-insensitive substring).
    pub search: Option<String>,
    pub role: Option<String>,
    pub plan: Option<String>,
    pub is_active: Option<bool>,
    pub limit: u32,
    pub offset: u32,
}

/// `%`, `_` and `\` taken literally in a LIKE pattern (with `ESCAPE '\'`).
pub fn like_pattern(search: &str) -> String {
    let escaped: String = search
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '%' | '_' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    format!("%{escaped}%")
}

/// Newest first, with the total matching the filter.
pub async fn list(db: &D1Database, filter: Filter) -> worker::Result<(Vec<User>, u64)> {
    let condition = "(?1 IS NULL OR lower(email) LIKE ?1 ESCAPE '\\' OR lower(first_name) LIKE ?1 ESCAPE '\\' \
                     OR lower(last_name) LIKE ?1 ESCAPE '\\') AND (?2 IS NULL OR role = ?2) \
                     AND (?3 IS NULL OR plan = ?3) AND (?4 IS NULL OR is_active = ?4)";
    let active = filter.is_active.map(|a| JsValue::from(i32::from(a))).unwrap_or(JsValue::NULL);
    let binds = [
        nullable(filter.search.as_deref().map(like_pattern).as_deref()),
        nullable(filter.role.as_deref()),
        nullable(filter.plan.as_deref()),
        active,
    ];
    let users = db
        .prepare(format!(
            "SELECT {COLUMNS} FROM users WHERE {condition} ORDER BY created_at DESC, id LIMIT ?5 OFFSET ?6"
        ))
        .bind(&[
            binds[0].clone(),
            binds[1].clone(),
            binds[2].clone(),
            binds[3].clone(),
            filter.limit.into(),
            filter.offset.into(),
        ])?
        .all()
        .await?
        .results()?;
    let total = db::count(db, &format!("SELECT count(*) AS n FROM users WHERE {condition}"), &binds).await?;
    Ok((users, total))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patch {
    pub role: Option<Role>,
    pub is_active: Option<bool>,
    pub plan: Option<String>,
}

pub async fn set_role_and_active(db: &D1Database, id: &str, role: Role, active: bool, now: &str) -> worker::Result<()> {
    db.prepare("UPDATE users SET role = ?2, is_active = ?3, updated_at = ?4 WHERE id = ?1")
        .bind(&[id.into(), role.as_str().into(), i32::from(active).into(), now.into()])?
        .run()
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("Ana"), "%ana%");
        assert_eq!(like_pattern("100%_x\\"), "%100\\%\\_x\\\\%");
    }
}
