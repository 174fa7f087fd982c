//! `/api/auth/*`: register, login, refresh, logout, me and password changes.

use serde::{Deserialize, Serialize};
use worker::Response;

use crate::app::{json, Ctx};
use crate::auth::tokens::{self, TokenPair};
use crate::auth::{self, credentials, password};
use crate::clock;
use crate::config;
use crate::http::{body, ApiError, ApiResult};
use crate::users::{repo, validate, Plan, Role, UserView};

#[derive(Deserialize)]
struct RegisterRequest {
    email: String,
    password: String,
    first_name: Option<String>,
    last_name: Option<String>,
}

#[derive(Deserialize)]
struct LoginRequest {
    email: String,
    password: String,
}

#[derive(Deserialize)]
struct RefreshRequest {
    refresh_token: String,
}

#[derive(Deserialize)]
struct PasswordChange {
    current_password: String,
    new_password: String,
}

#[derive(Serialize)]
struct Session {
    user: UserView,
    #[serde(flatten)]
    tokens: TokenPair,
}

pub async fn register(mut ctx: Ctx) -> ApiResult<Response> {
    let input: RegisterRequest = body::json(&mut ctx.req).await?;
    let details = super::users::NewAccount {
        email: &input.email,
        password: &input.password,
        first_name: input.first_name.as_deref(),
        last_name: input.last_name.as_deref(),
        role: Role::Client,
        plan: Plan::Free,
    };
    let user = super::users::create_account(&ctx.env, details, super::users::Origin::Public(&ctx.req)).await?;
    let db = ctx.env.d1("DB")?;
    let session_id = tokens::start_session(&db, &user.id).await?;
    let tokens = tokens::issue_pair(&db, &config::jwt_secret(&ctx.env)?, &user, &session_id).await?;
    json(201, &Session { user: user.view(), tokens })
}

pub async fn login(mut ctx: Ctx) -> ApiResult<Response> {
    let input: LoginRequest = body::json(&mut ctx.req).await?;
    let user = credentials::login(&ctx.env, &ctx.req, &input.email, &input.password).await?;
    let db = ctx.env.d1("DB")?;
    let session_id = tokens::start_session(&db, &user.id).await?;
    let tokens = tokens::issue_pair(&db, &config::jwt_secret(&ctx.env)?, &user, &session_id).await?;
    json(200, &Session { user: user.view(), tokens })
}

pub async fn refresh(mut ctx: Ctx) -> ApiResult<Response> {
    let input: RefreshRequest = body::json(&mut ctx.req).await?;
    let (user, tokens) = tokens::rotate(&ctx.env, &config::jwt_secret(&ctx.env)?, input.refresh_token.trim()).await?;
    json(200, &Session { user: user.view(), tokens })
}

pub async fn logout(mut ctx: Ctx) -> ApiResult<Response> {
    let input: RefreshRequest = body::json(&mut ctx.req).await?;
    tokens::end_by_refresh_token(&ctx.env, input.refresh_token.trim()).await?;
    crate::app::no_content()
}

pub async fn me(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    json(200, &caller.user.view())
}

/// `POST /api/auth/password {current_password, new_password}`: the current password is checked
/// like a login (same throttle), the new one stored, and every session of the user ends, this
/// one included (their sockets close); the answer is a new session, as a login's.
pub async fn change_password(mut ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let input: PasswordChange = body::json(&mut ctx.req).await?;
    validate::password(&input.new_password).map_err(|error| error.with_field("new_password"))?;
    let checked = credentials::login(&ctx.env, &ctx.req, &caller.user.email, &input.current_password).await;
    let user = checked.map_err(|error| match error.status {
        401 => ApiError::forbidden("the current password is wrong")
            .with_code("wrong_password")
            .with_field("current_password"),
        _ => error,
    })?;
    if config::bootstrap_admin(&ctx.env).is_some_and(|admin| admin.email == user.email) {
        return Err(ApiError::conflict(
            "bootstrap_admin",
            "the bootstrap admin's password is the ADMIN_PASSWORD secret: rotate the secret instead",
        ));
    }
    let db = ctx.env.d1("DB")?;
    repo::set_password(&db, &user.id, &password::hash(&input.new_password).await?, &clock::now_rfc3339()).await?;
    tokens::end_all_sessions(&ctx.env, &user.id, "password_changed").await?;
    let session_id = tokens::start_session(&db, &user.id).await?;
    let tokens = tokens::issue_pair(&db, &config::jwt_secret(&ctx.env)?, &user, &session_id).await?;
    json(200, &Session { user: user.view(), tokens })
}
