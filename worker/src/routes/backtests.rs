//! `POST /api/backtests` (signed in): validate, run over the cached candle history, answer
//! the report (`backtests`).

use worker::Response;

use crate::app::{json, Ctx};
use crate::auth;
use crate::backtests::{self, BacktestInput};
use crate::http::{body, ApiResult};

pub async fn create(mut ctx: Ctx) -> ApiResult<Response> {
    auth::authenticate(&ctx).await?;
    let input: BacktestInput = body::json(&mut ctx.req).await?;
    let test = backtests::check(input, crate::clock::now_ms())?;
    match backtests::run(&ctx.env, &test).await {
        Ok(report) => json(200, &report),
        Err(error) => Ok(error.to_response()),
    }
}
