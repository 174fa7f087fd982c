//! D1 queries over `users`.

use worker::D1Database;

use super::{Plan, Role, User};
use crate::auth::password::StoredPassword;

pub(crate) const COLUMNS: &str =
    "id, email, password_hash, password_salt, password_iterations, first_name, last_name, \
                       role, plan, is_active, created_at";

pub struct NewUser<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub password: &'a StoredPassword,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub role: Role,
    pub plan: Plan,
    pub now: &'a str,
}

pub enum Inserted {
    Created,
    EmailTaken,
}

pub async fn find_by_email(db: &D1Database, email: &str) -> worker::Result<Option<User>> {
    db.prepare(format!("SELECT {COLUMNS} FROM users WHERE email = ?1")).bind(&[email.into()])?.first::<User>(None).await
}

pub async fn find_by_id(db: &D1Database, id: &str) -> worker::Result<Option<User>> {
    db.prepare(format!("SELECT {COLUMNS} FROM users WHERE id = ?1")).bind(&[id.into()])?.first::<User>(None).await
}

/// The user behind a live (not revoked) session, in one query: what every authenticated
/// request needs.
pub async fn find_by_session(db: &D1Database, user_id: &str, session_id: &str) -> worker::Result<Option<User>> {
    let columns = COLUMNS.split(", ").map(|c| format!("u.{c}")).collect::<Vec<_>>().join(", ");
    db.prepare(format!(
        "SELECT {columns} FROM users u JOIN sessions s ON s.user_id = u.id \
         WHERE u.id = ?1 AND s.id = ?2 AND s.revoked_at IS NULL"
    ))
    .bind(&[user_id.into(), session_id.into()])?
    .first::<User>(None)
    .await
}

pub async fn email_exists(db: &D1Database, email: &str) -> worker::Result<bool> {
    let found = db
        .prepare("SELECT 1 AS found FROM users WHERE email = ?1")
        .bind(&[email.into()])?
        .first::<u8>(Some("found"))
        .await?;
    Ok(found.is_some())
}

pub async fn insert(db: &D1Database, user: NewUser<'_>) -> worker::Result<Inserted> {
    let result = db
        .prepare(
            "INSERT INTO users (id, email, password_hash, password_salt, password_iterations, first_name, \
             last_name, role, plan, is_active, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10, ?10)",
        )
        .bind(&[
            user.id.into(),
            user.email.into(),
            user.password.hash.as_str().into(),
            user.password.salt.as_str().into(),
            user.password.iterations.into(),
            user.first_name.into(),
            user.last_name.into(),
            user.role.as_str().into(),
            user.plan.as_str().into(),
            user.now.into(),
        ])?
        .run()
        .await;
    match result {
        Ok(_) => Ok(Inserted::Created),
        Err(error) if error.to_string().contains("UNIQUE constraint failed") => Ok(Inserted::EmailTaken),
        Err(error) => Err(error),
    }
}

pub async fn set_password(db: &D1Database, id: &str, password: &StoredPassword, now: &str) -> worker::Result<()> {
    db.prepare(
        "UPDATE users SET password_hash = ?2, password_salt = ?3, password_iterations = ?4, updated_at = ?5 WHERE id = ?1",
    )
    .bind(&[id.into(), password.hash.as_str().into(), password.salt.as_str().into(), password.iterations.into(), now.into()])?
    .run()
    .await?;
    Ok(())
}

/// Makes `id` an active admin (the bootstrap admin's role is not for anyone to take away).
pub async fn make_active_admin(db: &D1Database, id: &str, now: &str) -> worker::Result<()> {
    db.prepare("UPDATE users SET role = 'admin', is_active = 1, updated_at = ?2 WHERE id = ?1")
        .bind(&[id.into(), now.into()])?
        .run()
        .await?;
    Ok(())
}
