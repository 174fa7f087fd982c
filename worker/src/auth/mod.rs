//! Authentication for every endpoint: the bearer token is checked here, once, and yields the
//! current user or the 401 body; role checks live here too.

pub mod credentials;
pub mod jwt;
pub mod password;
pub mod sockets;
pub mod throttle;
pub mod tokens;

use worker::Request;

use crate::app::Ctx;
use crate::clock;
use crate::config;
use crate::http::{ApiError, ApiResult};
use crate::users::{repo, Role, User};

/// The authenticated caller of a request.
pub struct Caller {
    pub user: User,
    /// The login session the access token was issued from.
    pub session_id: String,
}

impl Caller {
    pub fn require_role(&self, allowed: &[Role]) -> ApiResult<()> {
        if allowed.contains(&self.user.role) {
            Ok(())
        } else {
            Err(ApiError::forbidden("your role does not allow this"))
        }
    }

    pub fn require_admin(&self) -> ApiResult<()> {
        self.require_role(&[Role::Admin])
    }
}

/// The token from `Authorization: Bearer <token>`.
pub fn bearer_token(req: &Request) -> Option<String> {
    let header = req.headers().get("authorization").ok().flatten()?;
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_string())
}

/// Checks the access token (signature, algorithm, expiry), then that its session is live and
/// its user active. Role and plan come from the database, so changes apply at once.
pub async fn authenticate_token(ctx: &Ctx, token: Option<String>) -> ApiResult<Caller> {
    let token = token.ok_or_else(|| ApiError::unauthorized("missing bearer token"))?;
    let secret = config::jwt_secret(&ctx.env)?;
    let claims = jwt::verify(&secret, &token, clock::now_ms()).map_err(|error| match error {
        jwt::TokenError::Expired => ApiError::unauthorized("access token expired"),
        _ => ApiError::unauthorized("invalid access token"),
    })?;
    let db = ctx.env.d1("DB")?;
    let user = repo::find_by_session(&db, &claims.sub, &claims.sid)
        .await?
        .filter(User::is_active)
        .ok_or_else(|| ApiError::unauthorized("session ended; log in again"))?;
    Ok(Caller { user, session_id: claims.sid })
}

pub async fn authenticate(ctx: &Ctx) -> ApiResult<Caller> {
    authenticate_token(ctx, bearer_token(&ctx.req)).await
}
