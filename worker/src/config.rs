//! Typed access to vars and secrets. A missing or weak required secret is a logged server
//! misconfiguration (500), never a panic and never a silent default.

use worker::Env;

use crate::http::{ApiError, ApiResult};

const JWT_SECRET_MIN_BYTES: usize = 32;

/// A secret or var by name (`wrangler secret put` in production, `.dev.vars` or `--var` locally).
pub fn optional(env: &Env, name: &str) -> Option<String> {
    env.secret(name)
        .map(|value| value.to_string())
        .or_else(|_| env.var(name).map(|value| value.to_string()))
        .ok()
        .filter(|value| !value.trim().is_empty())
}

pub fn jwt_secret(env: &Env) -> ApiResult<Vec<u8>> {
    match optional(env, "JWT_SECRET") {
        Some(secret) if secret.len() >= JWT_SECRET_MIN_BYTES => Ok(secret.into_bytes()),
        Some(_) => Err(ApiError::internal(format!("JWT_SECRET is shorter than {JWT_SECRET_MIN_BYTES} bytes"))),
        None => Err(ApiError::internal("JWT_SECRET is not configured")),
    }
}

pub struct BootstrapAdmin {
    pub email: String,
    pub password: String,
}

/// The admin account that must exist when both `ADMIN_EMAIL` and `ADMIN_PASSWORD` are set.
pub fn bootstrap_admin(env: &Env) -> Option<BootstrapAdmin> {
    let email = optional(env, "ADMIN_EMAIL")?.trim().to_lowercase();
    let password = optional(env, "ADMIN_PASSWORD")?;
    Some(BootstrapAdmin { email, password })
}
