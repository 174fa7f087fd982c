//! `/api/api-keys/*`: the caller's exchange API keys. Keys are sealed on arrival and only a
//! hint ever leaves; another user's key id answers 404.

use worker::Response;

use crate::api_keys::model::{self, NewApiKey, MAX_KEYS_PER_USER};
use crate::api_keys::repo;
use crate::app::{json, Ctx};
use crate::auth;
use crate::clock;
use crate::crypto;
use crate::http::{body, ApiError, ApiResult};
use crate::vault::{self, Binding, Sealed};
use crate::venues;

pub async fn list(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let db = ctx.env.d1("DB")?;
    let rows = repo::list_for_user(&db, &caller.user.id).await?;
    json(200, &rows.iter().map(|row| row.view()).collect::<Vec<_>>())
}

pub async fn create(mut ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let input: NewApiKey = body::json(&mut ctx.req).await?;
    let valid = model::validate(input)?;
    let db = ctx.env.d1("DB")?;
    if repo::count_for_user(&db, &caller.user.id).await? >= MAX_KEYS_PER_USER {
        return Err(ApiError::new(403, "limit_reached", format!("at most {MAX_KEYS_PER_USER} API keys per account")));
    }
    let ring = vault::keyring(&ctx.env)?;
    let id = crypto::random_id()?;
    let binding = Binding { user_id: &caller.user.id, row_id: &id };
    let sealed = vault::seal(&ring, binding, &valid.credentials).map_err(ApiError::internal)?;
    let now = clock::now_rfc3339();
    let row = repo::NewRow {
        id: &id,
        user_id: &caller.user.id,
        exchange: valid.exchange,
        label: &valid.label,
        hint: &valid.hint,
        is_testnet: valid.is_testnet,
        sealed: &sealed,
        now: &now,
    };
    repo::insert(&db, row).await?;
    let stored = repo::find_for_user(&db, &caller.user.id, &id)
        .await?
        .ok_or_else(|| ApiError::internal("api key vanished after insert"))?;
    json(201, &stored.view())
}

pub async fn delete(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let id = ctx.params.get("id").cloned().unwrap_or_default();
    let db = ctx.env.d1("DB")?;
    if !repo::delete_for_user(&db, &caller.user.id, &id).await? {
        return Err(ApiError::not_found());
    }
    crate::app::no_content()
}

/// Opens the key and makes one signed, read-only request to its venue.
pub async fn test(ctx: Ctx) -> ApiResult<Response> {
    let caller = auth::authenticate(&ctx).await?;
    let id = ctx.params.get("id").cloned().unwrap_or_default();
    let db = ctx.env.d1("DB")?;
    let row = repo::find_for_user(&db, &caller.user.id, &id).await?.ok_or_else(ApiError::not_found)?;
    if let Some(wait) = model::test_cooldown(row.last_tested_at.as_deref(), clock::now_ms()) {
        // Each test costs request weight at the venue against this server's address.
        return Err(ApiError::too_many_requests(wait));
    }
    let ring = vault::keyring(&ctx.env)?;
    let sealed = Sealed { key_id: row.key_id.clone(), blob: row.sealed.clone() };
    let binding = Binding { user_id: &row.user_id, row_id: &row.id };
    let credentials = match vault::open(&ring, binding, &sealed) {
        Ok(credentials) => credentials,
        Err(error) => {
            worker::console_error!(
                "{}",
                serde_json::json!({"level": "error", "event": "vault_open_failed", "api_key_id": row.id, "detail": error.to_string()})
            );
            return Err(ApiError::new(
                409,
                "key_unreadable",
                "this stored key cannot be decrypted; delete it and add it again",
            ));
        }
    };
    let result = venues::test_key(&ctx.env, &row.exchange, row.is_testnet != 0, &credentials).await;
    repo::record_test(&db, &row.id, result.ok, &clock::now_rfc3339()).await?;
    json(200, &result)
}
