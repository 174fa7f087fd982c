//! `/api/auth/*`: register, login, refresh, logout and me.

use serde::{Deserialize, Serialize};
use worker::Response;

use crate::app::{json, Ctx};
use crate::auth::tokens::{self, TokenPair};
use crate::auth::{self, credentials};
use crate::config;
use crate::http::{body, ApiError, ApiResult};
use crate::users::{Plan, Role, UserView};

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
    let user = super::users::create_account(&ctx.env, details).await?;
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
    let db = ctx.env.d1("DB")?;
    let (user, tokens) = tokens::rotate(&db, &config::jwt_secret(&ctx.env)?, input.refresh_token.trim()).await?;
    json(200, &Session { user: user.view(), tokens })
}

pub async fn logout(mut ctx: Ctx) -> ApiResult<Response> {
    let input: RefreshRequest = body::json(&mut ctx.req).await?;
    let db = ctx.env.d1("DB")?;
    tokens::revoke_by_refresh_token(&db, input.refresh_token.trim()).await?;
    Ok(Response::empty().map_err(ApiError::from)?.with_status(204))
}

pub async fn me(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    json(200, &caller.user.view())
}
