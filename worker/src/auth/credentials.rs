//! Checking an email and password at login, behind the throttle, with the same answer and the
//! same work for an unknown email as for a wrong password; and the bootstrap admin account.

use subtle::ConstantTimeEq;
use worker::{D1Database, Env, Request};

use super::{password, throttle, tokens};
use crate::clock;
use crate::config::{self, BootstrapAdmin};
use crate::crypto;
use crate::http::{ApiError, ApiResult};
use crate::users::repo::{self, NewUser};
use crate::users::{Plan, Role, User};

fn wrong_credentials() -> ApiError {
    ApiError::unauthorized("invalid email or password")
}

/// The client's address as Cloudflare gives it (`CF-Connecting-IP`; `wrangler dev` sets it to
/// the peer's address when a request lacks it).
pub fn client_address(req: &Request) -> Option<String> {
    req.headers().get("cf-connecting-ip").ok().flatten().filter(|address| !address.is_empty())
}

/// The user with this email and password, or 401 / 429 / 403 (disabled account). The attempt
/// is counted before any password work (see `throttle`).
pub async fn login(env: &Env, req: &Request, raw_email: &str, password: &str) -> ApiResult<User> {
    let email = raw_email.trim().to_lowercase();
    if email.is_empty() {
        return Err(ApiError::validation("email", "email is required"));
    }
    let db = env.d1("DB")?;
    let attempt = throttle::Login::new(&email, client_address(req).as_deref());
    let found = attempt.count(&db, clock::now_ms()).await?;
    if let Some(wait) = throttle::decide(&found, clock::now_ms()) {
        return Err(ApiError::too_many_requests(wait));
    }
    let user = check(&db, env, &email, password).await?.ok_or_else(wrong_credentials)?;
    attempt.succeeded(&db, clock::now_ms()).await?;
    if !user.is_active() {
        return Err(ApiError::forbidden("this account is disabled").with_code("account_disabled"));
    }
    Ok(user)
}

async fn check(db: &D1Database, env: &Env, email: &str, supplied: &str) -> ApiResult<Option<User>> {
    if let Some(admin) = config::bootstrap_admin(env).filter(|admin| admin.email == email) {
        // The bootstrap admin's password is the ADMIN_PASSWORD secret: rotating the secret
        // rotates the password.
        if bool::from(supplied.as_bytes().ct_eq(admin.password.as_bytes())) {
            return Ok(Some(ensure_admin(db, env, &admin).await?));
        }
        password::waste_equal_time(supplied).await?;
        return Ok(None);
    }
    let Some(user) = repo::find_by_email(db, email).await? else {
        password::waste_equal_time(supplied).await?;
        return Ok(None);
    };
    let stored = user.stored_password();
    if !password::verify(supplied, &stored).await? {
        return Ok(None);
    }
    if password::needs_rehash(&stored) {
        repo::set_password(db, &user.id, &password::hash(supplied).await?, &clock::now_rfc3339()).await?;
    }
    Ok(Some(user))
}

/// Creates the bootstrap admin, or brings an existing account with that email up to date
/// (admin role, active, password hash matching `ADMIN_PASSWORD`).
async fn ensure_admin(db: &D1Database, env: &Env, admin: &BootstrapAdmin) -> ApiResult<User> {
    let now = clock::now_rfc3339();
    if let Some(user) = repo::find_by_email(db, &admin.email).await? {
        if !password::verify(&admin.password, &user.stored_password()).await? {
            repo::set_password(db, &user.id, &password::hash(&admin.password).await?, &now).await?;
        }
        if user.role != Role::Admin || !user.is_active() {
            // Sessions opened before the promotion must not become admin sessions.
            tokens::end_all_sessions(env, &user.id, "promoted_to_bootstrap_admin").await?;
            repo::make_active_admin(db, &user.id, &now).await?;
        }
    } else {
        let stored = password::hash(&admin.password).await?;
        let id = crypto::random_id()?;
        let new_user = NewUser {
            id: &id,
            email: &admin.email,
            password: &stored,
            first_name: "Admin",
            last_name: "",
            role: Role::Admin,
            plan: Plan::Premium,
            now: &now,
        };
        repo::insert(db, new_user).await?;
    }
    repo::find_by_email(db, &admin.email)
        .await?
        .ok_or_else(|| ApiError::internal("bootstrap admin vanished after upsert"))
}
