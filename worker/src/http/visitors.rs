//! Per-address limits on the public market routes, so anonymous callers cannot flood them:
//! the Workers Rate Limiting binding `PUBLIC_MARKET_LIMITER` (wrangler.toml; `wrangler dev`
//! simulates it locally), keyed by the client's address. Signed-in callers are not counted
//! here: their requests are tied to an account.

use worker::RateLimiter;

use crate::app::Ctx;
use crate::auth;
use crate::http::{ApiError, ApiResult};

const BINDING: &str = "PUBLIC_MARKET_LIMITER";

/// The binding's period (wrangler.toml `simple.period`): how long a refused caller waits at most.
const PERIOD_SECS: u64 = 60;

/// The caller's address as Cloudflare reports it.
fn client_address(ctx: &Ctx) -> String {
    let header = ctx.req.headers().get("cf-connecting-ip").ok().flatten();
    header.filter(|address| !address.is_empty()).unwrap_or_else(|| "unknown".to_string())
}

/// Admits the request, or 429 with `Retry-After` when its address is over the limit. A missing
/// binding (a misconfigured deployment) is logged and lets the request through: public market
/// data stays up, and the venue budgets still hold (`market::throttle`).
pub async fn admit(ctx: &Ctx) -> ApiResult<()> {
    if auth::bearer_token(&ctx.req).is_some() && auth::authenticate(ctx).await.is_ok() {
        return Ok(());
    }
    let limiter: RateLimiter = match ctx.env.rate_limiter(BINDING) {
        Ok(limiter) => limiter,
        Err(error) => {
            crate::log::error("rate_limiter_missing", &error.to_string());
            return Ok(());
        }
    };
    let outcome = limiter.limit(format!("market:{}", client_address(ctx))).await?;
    if outcome.success {
        return Ok(());
    }
    Err(ApiError::new(429, "rate_limited", "too many market requests from this address; try again in a minute")
        .with_header("retry-after", PERIOD_SECS.to_string()))
}
