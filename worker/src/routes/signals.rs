//! `POST /signal/broadcast`, `/signal/close`, `/signal/modify`: a channel's publisher sends
//! orders; the room sequences them (a retried POST gets the first `seq`) and relays them.

use auronex_core::copier::signal::{validate_ticket, validate_volume};
use auronex_core::copier::{Action, OpenSignal, SignalError};
use auronex_core::num;
use auronex_durable_objects::copier::protocol::Kind;
use futures_util::future::join;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use worker::Response;

use crate::app::{json, Ctx};
use crate::auth::{self, Caller};
use crate::copier;
use crate::copier::repo::{self, Channel};
use crate::http::{body, ApiError, ApiResult};

#[derive(Deserialize)]
struct Broadcast {
    channel_id: Option<String>,
    ticket: Value,
    symbol: String,
    action: Action,
    #[serde(with = "num")]
    volume: Decimal,
    #[serde(with = "num")]
    price: Decimal,
    #[serde(default, with = "num::option")]
    sl: Option<Decimal>,
    #[serde(default, with = "num::option")]
    tp: Option<Decimal>,
    request_id: Option<String>,
}

#[derive(Deserialize)]
struct Close {
    channel_id: Option<String>,
    ticket: Value,
    #[serde(default, with = "num::option")]
    volume: Option<Decimal>,
    request_id: Option<String>,
}

#[derive(Deserialize)]
struct Modify {
    channel_id: Option<String>,
    ticket: Value,
    #[serde(default, with = "num::option")]
    sl: Option<Decimal>,
    #[serde(default, with = "num::option")]
    tp: Option<Decimal>,
    request_id: Option<String>,
}

#[derive(Serialize)]
struct Accepted {
    signal_id: String,
    seq: i64,
    duplicate: bool,
}

fn invalid(error: SignalError) -> ApiError {
    ApiError::validation(error.field, error.message)
}

/// Platform tickets arrive as numbers (MetaTrader) or strings; they travel as strings.
fn ticket_text(ticket: &Value) -> ApiResult<String> {
    let text = match ticket {
        Value::String(text) => text.trim().to_string(),
        Value::Number(number) if number.is_u64() || number.is_i64() => number.to_string(),
        _ => return Err(ApiError::validation("ticket", "ticket must be a string or an integer")),
    };
    validate_ticket(&text).map_err(invalid)?;
    Ok(text)
}

/// A signal body, which may name its channel.
trait NamesChannel: DeserializeOwned {
    fn channel_id(&self) -> Option<&str>;
}

macro_rules! names_channel {
    ($($body:ty),*) => {$(
        impl NamesChannel for $body {
            fn channel_id(&self) -> Option<&str> {
                self.channel_id.as_deref()
            }
        }
    )*};
}
names_channel!(Broadcast, Close, Modify);

/// The caller, the body, and the channel the body names: the caller's session check and the
/// channel lookup are each a D1 round trip and run at the same time (the fixed cost of every
/// signal, bench/fanout.sh). Precedence is unchanged: a caller without a valid token gets its 401
/// before anything about the body.
async fn caller_and_body<T: NamesChannel>(ctx: &mut Ctx) -> ApiResult<(Caller, T, Option<Channel>)> {
    let input = body::json_bytes(&mut ctx.req).await.and_then(|bytes| body::decode::<T>(&bytes));
    let named = input.as_ref().ok().and_then(|input| input.channel_id().map(str::to_string));
    let db = ctx.env.d1("DB")?;
    let lookup = async {
        match &named {
            Some(id) => repo::find_channel(&db, id).await,
            None => Ok(None),
        }
    };
    let (caller, named_channel) = join(auth::authenticate(ctx), lookup).await;
    let caller = caller?;
    let input = input?;
    Ok((caller, input, named_channel?))
}

/// The channel the caller publishes to: the one the body named (looked up already), or their
/// first. Only its owner may send.
async fn publisher_channel(
    ctx: &Ctx,
    caller: &Caller,
    named: Option<&str>,
    found: Option<Channel>,
) -> ApiResult<Channel> {
    let channel = match named {
        Some(_) => found.ok_or_else(ApiError::not_found)?,
        None => repo::first_owned(&ctx.env.d1("DB")?, &caller.user.id)
            .await?
            .ok_or_else(|| ApiError::validation("channel_id", "you publish no channel yet: create one first"))?,
    };
    if channel.owner_id != caller.user.id {
        return Err(ApiError::forbidden("only the channel's publisher can send signals"));
    }
    Ok(channel)
}

fn idempotency_key(request_id: Option<String>, natural: String) -> ApiResult<String> {
    match request_id {
        Some(id) if (1..=128).contains(&id.len()) => Ok(format!("request:{id}")),
        Some(_) => Err(ApiError::validation("request_id", "request_id must be 1 to 128 characters")),
        None => Ok(natural),
    }
}

async fn publish(
    ctx: &Ctx,
    channel: &Channel,
    kind: Kind,
    ticket: String,
    key: String,
    data: Value,
) -> ApiResult<Response> {
    let published = copier::publish::publish(&ctx.env, &channel.id, kind, ticket, key, data).await?;
    json(201, &Accepted { signal_id: published.signal_id, seq: published.seq, duplicate: published.duplicate })
}

pub async fn broadcast(mut ctx: Ctx) -> ApiResult<Response> {
    let (caller, input, found) = caller_and_body::<Broadcast>(&mut ctx).await?;
    let ticket = ticket_text(&input.ticket)?;
    let signal = OpenSignal {
        ticket: ticket.clone(),
        symbol: input.symbol.trim().to_string(),
        action: input.action,
        volume: input.volume,
        price: input.price,
        sl: input.sl,
        tp: input.tp,
    };
    signal.validate().map_err(invalid)?;
    let channel = publisher_channel(&ctx, &caller, input.channel_id.as_deref(), found).await?;
    let key = idempotency_key(input.request_id, format!("open:{ticket}:{}", signal.action.as_str()))?;
    let data = serde_json::to_value(&signal).map_err(ApiError::internal)?;
    publish(&ctx, &channel, Kind::Signal, ticket, key, data).await
}

pub async fn close(mut ctx: Ctx) -> ApiResult<Response> {
    let (caller, input, found) = caller_and_body::<Close>(&mut ctx).await?;
    let ticket = ticket_text(&input.ticket)?;
    if let Some(volume) = input.volume {
        validate_volume("volume", volume).map_err(invalid)?;
    }
    let channel = publisher_channel(&ctx, &caller, input.channel_id.as_deref(), found).await?;
    let volume_key = input.volume.map(|v| v.normalize().to_string()).unwrap_or_else(|| "all".into());
    let key = idempotency_key(input.request_id, format!("close:{ticket}:{volume_key}"))?;
    let mut data = json!({"ticket": ticket});
    if let Some(volume) = input.volume {
        data["volume"] = serde_json::to_value(NumberOf(volume)).map_err(ApiError::internal)?;
    }
    publish(&ctx, &channel, Kind::Close, ticket, key, data).await
}

pub async fn modify(mut ctx: Ctx) -> ApiResult<Response> {
    let (caller, input, found) = caller_and_body::<Modify>(&mut ctx).await?;
    let ticket = ticket_text(&input.ticket)?;
    if input.sl.is_none() && input.tp.is_none() {
        return Err(ApiError::validation("sl", "a modify needs sl, tp or both"));
    }
    for (field, level) in [("sl", input.sl), ("tp", input.tp)] {
        if level.is_some_and(|level| level <= Decimal::ZERO) {
            return Err(ApiError::validation(field, format!("{field} must be positive")));
        }
    }
    let channel = publisher_channel(&ctx, &caller, input.channel_id.as_deref(), found).await?;
    let text = |level: Option<Decimal>| level.map(|l| l.normalize().to_string()).unwrap_or_else(|| "-".into());
    let key = idempotency_key(input.request_id, format!("modify:{ticket}:{}:{}", text(input.sl), text(input.tp)))?;
    let data = json!({
        "ticket": ticket,
        "sl": input.sl.map(NumberOf),
        "tp": input.tp.map(NumberOf),
    });
    publish(&ctx, &channel, Kind::Modify, ticket, key, data).await
}

/// A decimal written as a JSON number.
#[derive(Serialize)]
struct NumberOf(#[serde(with = "num")] Decimal);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_accept_strings_and_integers_only() {
        assert_eq!(ticket_text(&json!(123456)).unwrap(), "123456");
        assert_eq!(ticket_text(&json!(" A-1 ")).unwrap(), "A-1");
        for bad in [json!(1.5), json!(null), json!(""), json!([1]), json!("has space")] {
            assert_eq!(ticket_text(&bad).unwrap_err().field.as_deref(), Some("ticket"), "{bad}");
        }
    }

    #[test]
    fn request_ids_override_the_natural_key() {
        assert_eq!(idempotency_key(None, "open:1:BUY".into()).unwrap(), "open:1:BUY");
        assert_eq!(idempotency_key(Some("r-9".into()), "open:1:BUY".into()).unwrap(), "request:r-9");
        assert!(idempotency_key(Some(String::new()), "x".into()).is_err());
    }
}
