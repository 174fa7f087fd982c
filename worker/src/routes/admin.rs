//! `/api/admin/*` (role admin only: anyone else 403, anonymous 401): users, payments, settings,
//! the audit log and key rotation. Every change is written to the audit log.

use serde_json::json as detail;
use worker::Response;

use crate::admin::{audit, settings, users, Query};
use crate::api_keys::rotation;
use crate::app::{json, Ctx};
use crate::auth::{self, tokens, Caller};
use crate::clock;
use crate::config;
use crate::http::{body, ApiError, ApiResult};
use crate::payments::{plans, repo as payments};
use crate::users::repo as user_repo;
use crate::vault;

async fn admin(ctx: &Ctx) -> ApiResult<Caller> {
    let caller = auth::authenticate(ctx).await?;
    caller.require_admin()?;
    Ok(caller)
}

fn query(ctx: &Ctx) -> ApiResult<Query> {
    Ok(Query::from_url(&ctx.req.url()?))
}

/// `GET /api/admin/users?q&role&plan&is_active&limit&offset`.
pub async fn list_users(ctx: Ctx) -> ApiResult<Response> {
    admin(&ctx).await?;
    let query = query(&ctx)?;
    let (limit, offset) = query.page()?;
    let filter = users::Filter {
        search: query.text("q")?,
        role: query.choice("role", &["admin", "staff", "client"])?,
        plan: query.choice("plan", &["free", "pro", "premium"])?,
        is_active: query.boolean("is_active")?,
        limit,
        offset,
    };
    let (items, total) = users::list(&ctx.env.d1("DB")?, filter).await?;
    let items: Vec<_> = items.iter().map(|user| user.view()).collect();
    json(200, &detail!({"items": items, "total": total, "limit": limit, "offset": offset}))
}

/// `PATCH /api/admin/users/{id}` `{role?, is_active?, plan?}`.
pub async fn update_user(mut ctx: Ctx) -> ApiResult<Response> {
    let caller = admin(&ctx).await?;
    let patch: users::Patch = body::json(&mut ctx.req).await?;
    let plan = match patch.plan.as_deref() {
        Some(text) => {
            Some(plans::parse(text).ok_or_else(|| ApiError::validation("plan", "plan must be free, pro or premium"))?)
        }
        None => None,
    };
    if patch.role.is_none() && patch.is_active.is_none() && plan.is_none() {
        return Err(ApiError::validation("role", "give at least one of role, is_active, plan"));
    }
    let id = ctx.params.get("id").cloned().unwrap_or_default();
    let db = ctx.env.d1("DB")?;
    let target = user_repo::find_by_id(&db, &id).await?.ok_or_else(ApiError::not_found)?;
    let role = patch.role.unwrap_or(target.role);
    let active = patch.is_active.unwrap_or(target.is_active());
    let demoting = role != crate::users::Role::Admin || !active;
    if demoting && target.id == caller.user.id {
        return Err(ApiError::conflict("cannot_demote_self", "admins cannot demote or deactivate themselves"));
    }
    if demoting && config::bootstrap_admin(&ctx.env).is_some_and(|boot| boot.email == target.email) {
        return Err(ApiError::conflict(
            "bootstrap_admin",
            "the bootstrap admin is managed by ADMIN_EMAIL and ADMIN_PASSWORD",
        ));
    }
    let now = clock::now_rfc3339();
    users::set_role_and_active(&db, &target.id, role, active, &now).await?;
    if let Some(plan) = plan {
        plans::set_plan(&ctx.env, &target.id, plan, &now).await?;
    }
    if target.is_active() && !active {
        tokens::end_all_sessions(&ctx.env, &target.id, "deactivated_by_admin").await?;
    }
    let updated = user_repo::find_by_id(&db, &target.id).await?.ok_or_else(ApiError::not_found)?;
    let before = detail!({"role": target.role, "plan": target.plan, "is_active": target.is_active()});
    let after = detail!({"role": updated.role, "plan": updated.plan, "is_active": updated.is_active()});
    let entry = audit::Entry {
        action: "user.update",
        target_type: "user",
        target_id: &updated.id,
        detail: detail!({"email": updated.email, "before": before, "after": after}),
    };
    audit::record(&db, &caller, entry).await?;
    json(200, &updated.view())
}

/// `GET /api/admin/payments?status&provider&user_id&limit&offset`.
pub async fn list_payments(ctx: Ctx) -> ApiResult<Response> {
    admin(&ctx).await?;
    let query = query(&ctx)?;
    let (limit, offset) = query.page()?;
    let filter = payments::PaymentFilter {
        status: query.choice(
            "status",
            &["pending", "paid", "failed", "expired", "canceled", "refunded", "disputed", "charged_back"],
        )?,
        provider: query.choice("provider", &["stripe", "mercadopago"])?,
        user_id: query.text("user_id")?,
        limit,
        offset,
    };
    let (items, total) = payments::list_payments(&ctx.env.d1("DB")?, &filter).await?;
    json(200, &detail!({"items": items, "total": total, "limit": limit, "offset": offset}))
}

/// `GET /api/admin/settings`.
pub async fn get_settings(ctx: Ctx) -> ApiResult<Response> {
    admin(&ctx).await?;
    json(200, &settings::load(&ctx.env.d1("DB")?).await?)
}

/// `PUT /api/admin/settings`: each section given replaces the stored one.
pub async fn put_settings(mut ctx: Ctx) -> ApiResult<Response> {
    let caller = admin(&ctx).await?;
    let patch: settings::SettingsPatch = body::json(&mut ctx.req).await?;
    let db = ctx.env.d1("DB")?;
    let before = settings::load(&db).await?;
    let after = before.apply(patch);
    after.validate()?;
    settings::store(&db, &after, &caller.user.id, &clock::now_rfc3339()).await?;
    let entry = audit::Entry {
        action: "settings.update",
        target_type: "settings",
        target_id: "app",
        detail: detail!({"before": before, "after": after}),
    };
    audit::record(&db, &caller, entry).await?;
    json(200, &after)
}

/// `GET /api/admin/audit?action&target_id&limit&offset`.
pub async fn list_audit(ctx: Ctx) -> ApiResult<Response> {
    admin(&ctx).await?;
    let query = query(&ctx)?;
    let (limit, offset) = query.page()?;
    let filter = audit::Filter { action: query.text("action")?, target_id: query.text("target_id")?, limit, offset };
    let (items, total) = audit::list(&ctx.env.d1("DB")?, &filter).await?;
    json(200, &detail!({"items": items, "total": total, "limit": limit, "offset": offset}))
}

#[derive(serde::Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RotateRequest {
    #[serde(default)]
    cursor: Option<String>,
}

/// `POST /api/admin/vault/rotate` `{cursor?}`: re-seals API keys under the current
/// ENCRYPTION_KEY, up to 400 per call; `complete: false` means call again with `next_cursor`.
pub async fn rotate_vault(mut ctx: Ctx) -> ApiResult<Response> {
    let caller = admin(&ctx).await?;
    let has_body = ctx.req.headers().get("content-length")?.is_some_and(|length| length.trim() != "0");
    let input: RotateRequest = if has_body { body::json(&mut ctx.req).await? } else { RotateRequest::default() };
    let cursor = input.cursor.unwrap_or_default();
    // Cursors are the row ids this endpoint returns: hex.
    if cursor.len() > 64 || !cursor.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(ApiError::validation("cursor", "cursor is not one this endpoint returned"));
    }
    let ring = vault::keyring(&ctx.env)?;
    let db = ctx.env.d1("DB")?;
    let report = rotation::run(&db, &ring, &cursor).await?;
    let entry = audit::Entry {
        action: "vault.rotate",
        target_type: "api_keys",
        target_id: &report.current_key_id,
        detail: detail!({"resealed": report.resealed, "failed": report.failed, "failed_ids": report.failed_ids,
                         "complete": report.complete}),
    };
    audit::record(&db, &caller, entry).await?;
    json(200, &report)
}
