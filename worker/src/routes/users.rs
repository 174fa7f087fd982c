//! Account creation shared by registration and the copier-compatible endpoints: `POST /token`,
//! `POST /users/public` and the admin-only `POST /users/`.

use serde::{Deserialize, Serialize};
use worker::{D1Database, Env, Request, Response};

use crate::app::{json, Ctx};
use crate::auth::{self, credentials, password, throttle, tokens};
use crate::clock;
use crate::config;
use crate::crypto;
use crate::http::{body, ApiError, ApiResult};
use crate::users::repo::{self, Inserted, NewUser};
use crate::users::{validate, Plan, Role, User};

pub struct NewAccount<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub first_name: Option<&'a str>,
    pub last_name: Option<&'a str>,
    pub role: Role,
    pub plan: Plan,
}

/// Who asks for the account.
pub enum Origin<'a> {
    /// Self-service signup: throttled per client address, since its answer tells whether an
    /// email has an account.
    Public(&'a Request),
    Admin,
}

/// Validates, hashes and stores a new account: 422 for bad input, 409 for a taken email, 429
/// for a public caller's address past its signups (`throttle::SIGNUP_LIMIT` an hour, a taken
/// email counting `throttle::TAKEN_WEIGHT`). The password is hashed before the email is looked
/// up, so a taken email costs the same work as a new one.
pub async fn create_account(env: &Env, account: NewAccount<'_>, origin: Origin<'_>) -> ApiResult<User> {
    let email = validate::email(account.email)?;
    validate::password(account.password)?;
    let first_name = validate::name("first_name", account.first_name)?;
    let last_name = validate::name("last_name", account.last_name)?;
    let db = env.d1("DB")?;
    let address = match origin {
        Origin::Public(req) => credentials::client_address(req),
        Origin::Admin => None,
    };
    if let Some(address) = &address {
        if let Some(wait) = throttle::count_signup(&db, address, 1, clock::now_ms()).await? {
            return Err(ApiError::too_many_requests(wait));
        }
    }
    let stored = password::hash(account.password).await?;
    let reserved = config::bootstrap_admin(env).is_some_and(|admin| admin.email == email);
    if reserved || repo::email_exists(&db, &email).await? {
        return taken(&db, address.as_deref()).await;
    }
    let id = crypto::random_id()?;
    let now = clock::now_rfc3339();
    let new_user = NewUser {
        id: &id,
        email: &email,
        password: &stored,
        first_name: &first_name,
        last_name: &last_name,
        role: account.role,
        plan: account.plan,
        now: &now,
    };
    match repo::insert(&db, new_user).await? {
        Inserted::Created => {
            repo::find_by_id(&db, &id).await?.ok_or_else(|| ApiError::internal("account vanished after insert"))
        }
        Inserted::EmailTaken => taken(&db, address.as_deref()).await,
    }
}

/// 409 for a taken email, counted at its full weight against a public caller's address.
async fn taken(db: &D1Database, address: Option<&str>) -> ApiResult<User> {
    if let Some(address) = address {
        throttle::count_signup(db, address, throttle::TAKEN_WEIGHT - 1, clock::now_ms()).await?;
    }
    Err(ApiError::conflict("email_taken", "an account with this email already exists").with_field("email"))
}

#[derive(Deserialize)]
struct TokenRequest {
    username: String,
    password: String,
}

#[derive(Serialize)]
struct AccessOnly {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
}

/// `POST /token`: OAuth2 password-style login for copier programs (form or JSON).
pub async fn token(mut ctx: Ctx) -> ApiResult<Response> {
    let input: TokenRequest = body::json_or_form(&mut ctx.req).await?;
    let user = credentials::login(&ctx.env, &ctx.req, &input.username, &input.password).await?;
    let db = ctx.env.d1("DB")?;
    let session_id = tokens::start_session(&db, &user.id).await?;
    let access_token = tokens::access_token(&config::jwt_secret(&ctx.env)?, &user, &session_id)?;
    json(200, &AccessOnly { access_token, token_type: "bearer", expires_in: auth::jwt::ACCESS_TOKEN_SECONDS })
}

#[derive(Deserialize)]
struct PublicSignup {
    username: Option<String>,
    email: Option<String>,
    password: String,
}

/// `POST /users/public`: self-service signup for copier programs (`username` is the email).
pub async fn create_public(mut ctx: Ctx) -> ApiResult<Response> {
    let input: PublicSignup = body::json(&mut ctx.req).await?;
    let email = input
        .email
        .or(input.username)
        .ok_or_else(|| ApiError::validation("email", "email (or username) is required"))?;
    let account = NewAccount {
        email: &email,
        password: &input.password,
        first_name: None,
        last_name: None,
        role: Role::Client,
        plan: Plan::Free,
    };
    let user = create_account(&ctx.env, account, Origin::Public(&ctx.req)).await?;
    json(201, &user.view())
}

#[derive(Deserialize)]
struct AdminCreate {
    email: String,
    password: String,
    role: Option<Role>,
    first_name: Option<String>,
    last_name: Option<String>,
}

/// `POST /users/`: an admin creates an account with any role.
pub async fn create_by_admin(mut ctx: Ctx) -> ApiResult<Response> {
    auth::authenticate(&ctx).await?.require_admin()?;
    let input: AdminCreate = body::json(&mut ctx.req).await?;
    let account = NewAccount {
        email: &input.email,
        password: &input.password,
        first_name: input.first_name.as_deref(),
        last_name: input.last_name.as_deref(),
        role: input.role.unwrap_or(Role::Client),
        plan: Plan::Free,
    };
    let user = create_account(&ctx.env, account, Origin::Admin).await?;
    json(201, &user.view())
}
