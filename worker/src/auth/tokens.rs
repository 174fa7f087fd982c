//! Login sessions and their token pairs: a 15-minute access token and a 256-bit refresh token
//! stored only as its SHA-256, valid 30 days, rotated on every use. Presenting a used refresh
//! token revokes its whole session (reuse detection). Ending a session (or all of a user's)
//! revokes it in D1, then closes the websockets opened under it (`sockets`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use worker::{D1Database, Env};

use super::jwt::{self, AccessClaims, ACCESS_TOKEN_SECONDS};
use super::sockets::{self, Which};
use crate::clock;
use crate::crypto;
use crate::http::{ApiError, ApiResult};
use crate::users::User;

pub const REFRESH_TOKEN_MS: i64 = 30 * 24 * 60 * 60 * 1000;

#[derive(Serialize)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
}

pub fn hash_refresh_token(token: &str) -> String {
    crypto::hex(&Sha256::digest(token.as_bytes()))
}

pub async fn start_session(db: &D1Database, user_id: &str) -> ApiResult<String> {
    let id = crypto::random_id()?;
    db.prepare("INSERT INTO sessions (id, user_id, created_at) VALUES (?1, ?2, ?3)")
        .bind(&[id.as_str().into(), user_id.into(), clock::now_rfc3339().into()])?
        .run()
        .await?;
    Ok(id)
}

pub fn access_token(secret: &[u8], user: &User, session_id: &str) -> ApiResult<String> {
    let claims =
        AccessClaims { sub: user.id.clone(), role: user.role, sid: session_id.to_string(), jti: crypto::random_id()? };
    jwt::issue(secret, claims, clock::now_ms()).map_err(ApiError::internal)
}

pub async fn issue_pair(db: &D1Database, secret: &[u8], user: &User, session_id: &str) -> ApiResult<TokenPair> {
    let refresh_token = URL_SAFE_NO_PAD.encode(crypto::random_bytes::<32>()?);
    db.prepare(
        "INSERT INTO refresh_tokens (id, session_id, token_hash, expires_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .bind(&[
        crypto::random_id()?.into(),
        session_id.into(),
        hash_refresh_token(&refresh_token).into(),
        ((clock::now_ms() + REFRESH_TOKEN_MS) as f64).into(),
        clock::now_rfc3339().into(),
    ])?
    .run()
    .await?;
    Ok(TokenPair {
        access_token: access_token(secret, user, session_id)?,
        refresh_token,
        token_type: "bearer",
        expires_in: ACCESS_TOKEN_SECONDS,
    })
}

#[derive(Deserialize)]
struct Presented {
    id: String,
    session_id: String,
    user_id: String,
    expires_at: f64,
    used_at: Option<String>,
    revoked_at: Option<String>,
}

async fn find(db: &D1Database, refresh_token: &str) -> worker::Result<Option<Presented>> {
    db.prepare(
        "SELECT t.id, t.session_id, s.user_id, t.expires_at, t.used_at, s.revoked_at \
         FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE t.token_hash = ?1",
    )
    .bind(&[hash_refresh_token(refresh_token).into()])?
    .first::<Presented>(None)
    .await
}

fn invalid_refresh() -> ApiError {
    ApiError::unauthorized("refresh token is invalid, expired or already used")
}

/// Exchanges a refresh token for a new pair in the same session.
pub async fn rotate(env: &Env, secret: &[u8], refresh_token: &str) -> ApiResult<(User, TokenPair)> {
    let db = &env.d1("DB")?;
    let presented = find(db, refresh_token).await?.ok_or_else(invalid_refresh)?;
    if presented.revoked_at.is_some() {
        return Err(invalid_refresh());
    }
    if presented.used_at.is_some() {
        end_session(env, &presented.user_id, &presented.session_id, "refresh_token_reuse").await?;
        return Err(invalid_refresh());
    }
    if presented.expires_at < clock::now_ms() as f64 {
        return Err(invalid_refresh());
    }
    let claimed = db
        .prepare("UPDATE refresh_tokens SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL")
        .bind(&[presented.id.as_str().into(), clock::now_rfc3339().into()])?
        .run()
        .await?;
    if claimed.meta()?.and_then(|meta| meta.changes).unwrap_or(0) != 1 {
        // Another request used it at the same moment: that is reuse as well.
        end_session(env, &presented.user_id, &presented.session_id, "refresh_token_reuse").await?;
        return Err(invalid_refresh());
    }
    let user = crate::users::repo::find_by_session(db, &presented.user_id, &presented.session_id)
        .await?
        .filter(User::is_active)
        .ok_or_else(invalid_refresh)?;
    let pair = issue_pair(db, secret, &user, &presented.session_id).await?;
    Ok((user, pair))
}

/// Revokes one session, then closes its sockets. Sockets are closed even when the session was
/// already revoked (a retried logout finishes what a failed close left open).
pub async fn end_session(env: &Env, user_id: &str, session_id: &str, reason: &str) -> worker::Result<()> {
    env.d1("DB")?
        .prepare("UPDATE sessions SET revoked_at = ?2, revoke_reason = ?3 WHERE id = ?1 AND revoked_at IS NULL")
        .bind(&[session_id.into(), clock::now_rfc3339().into(), reason.into()])?
        .run()
        .await?;
    sockets::close(env, user_id, Which::One(session_id)).await;
    Ok(())
}

/// Revokes every session of the user, then closes all of the user's sockets.
pub async fn end_all_sessions(env: &Env, user_id: &str, reason: &str) -> worker::Result<()> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
    }
    let revoked = env
        .d1("DB")?
        .prepare(
            "UPDATE sessions SET revoked_at = ?2, revoke_reason = ?3 WHERE user_id = ?1 AND revoked_at IS NULL \
             RETURNING id",
        )
        .bind(&[user_id.into(), clock::now_rfc3339().into(), reason.into()])?
        .all()
        .await?
        .results::<Row>()?;
    let ids: Vec<String> = revoked.into_iter().map(|row| row.id).collect();
    sockets::close(env, user_id, Which::All(&ids)).await;
    Ok(())
}

/// Logout: ends the session the refresh token belongs to. Unknown tokens change nothing.
pub async fn end_by_refresh_token(env: &Env, refresh_token: &str) -> worker::Result<()> {
    if let Some(presented) = find(&env.d1("DB")?, refresh_token).await? {
        end_session(env, &presented.user_id, &presented.session_id, "logout").await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_are_stored_as_sha256_hex() {
        assert_eq!(hash_refresh_token("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
