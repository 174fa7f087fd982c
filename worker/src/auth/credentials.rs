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

fn client_address(req: &Request) -> Option<String> {
    req.headers().get("cf-connecting-ip").ok().flatten().filter(|address| !address.is_empty())
}

/// The user with this email and password, or 401 / 429 / 403 (disabled account).
pub async fn login(env: &Env, req: &Request, raw_email: &str, password: &str) -> ApiResult<User> {
    let email = raw_email.trim().to_lowercase();
    if email.is_empty() {
        return Err(ApiError::validation("email", "email is required"));
    }
    let db = env.d1("DB")?;
    let email_key = throttle::email_key(&email);
    let address_key = client_address(req).map(|address| throttle::address_key(&address));
    let keys: Vec<String> = std::iter::once(email_key.clone()).chain(address_key.clone()).collect();
    let counters = throttle::load(&db, &keys).await?;
    let now = clock::now_ms();
    if let Some(wait) = counters.iter().filter_map(|(_, counter)| throttle::retry_after(Some(counter), now)).max() {
        return Err(ApiError::too_many_requests(wait));
    }

    match check(&db, env, &email, password).await? {
        Some(user) => {
            throttle::clear(&db, &email_key).await?;
            if !user.is_active() {
                return Err(ApiError::forbidden("this account is disabled").with_code("account_disabled"));
            }
            Ok(user)
        }
        None => {
            for (key, limit) in [(Some(email_key), throttle::PER_EMAIL), (address_key, throttle::PER_ADDRESS)] {
                let Some(key) = key else { continue };
                let previous = counters.iter().find(|(k, _)| *k == key).map(|(_, counter)| counter);
                throttle::store(&db, &key, throttle::after_failure(previous, limit, now)).await?;
            }
            Err(wrong_credentials())
        }
    }
}

async fn check(db: &D1Database, env: &Env, email: &str, supplied: &str) -> ApiResult<Option<User>> {
    if let Some(admin) = config::bootstrap_admin(env).filter(|admin| admin.email == email) {
        // The bootstrap admin's password is the ADMIN_PASSWORD secret: rotating the secret
        // rotates the password.
        if bool::from(supplied.as_bytes().ct_eq(admin.password.as_bytes())) {
            return Ok(Some(ensure_admin(db, &admin).await?));
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
async fn ensure_admin(db: &D1Database, admin: &BootstrapAdmin) -> ApiResult<User> {
    let now = clock::now_rfc3339();
    if let Some(user) = repo::find_by_email(db, &admin.email).await? {
        if !password::verify(&admin.password, &user.stored_password()).await? {
            repo::set_password(db, &user.id, &password::hash(&admin.password).await?, &now).await?;
        }
        if user.role != Role::Admin || !user.is_active() {
            // Sessions opened before the promotion must not become admin sessions.
            tokens::revoke_all_sessions(db, &user.id, "promoted_to_bootstrap_admin").await?;
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
