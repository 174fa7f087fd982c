//! Sockets end with the right to hold them: once sessions are revoked in D1, their `/api/stream`
//! sockets (the user's `UserStream` object, by session) and the user's copier `/ws` sockets
//! (every shard of every channel the user publishes or follows, by user: a copier socket does
//! not record its session) are closed with code 4401. Called after the revocation committed,
//! so a socket that reconnects at once finds its session gone. Each call is tried twice; a
//! failure is logged and never fails the request that ended the session (its D1 revocation
//! already holds: no new request is accepted with it).

use auronex_durable_objects::copier::protocol::{close_code, EndSockets};
use auronex_durable_objects::internal::call;
use auronex_durable_objects::stream::{End, Ended};
use futures_util::future::{join, join_all};
use serde::Deserialize;
use worker::{Env, Method};

use crate::copier::room;
use crate::log;
use crate::notify::stream::object;

/// Which of a user's sessions ended.
pub enum Which<'a> {
    One(&'a str),
    /// Every session (password change, deactivation): the ids revoked now.
    All(&'a [String]),
}

pub async fn close(env: &Env, user_id: &str, which: Which<'_>) {
    let end = match which {
        Which::One(session_id) => End { sessions: vec![session_id.to_string()], all: false },
        Which::All(sessions) => End { sessions: sessions.to_vec(), all: true },
    };
    let (stream, copier) = join(twice(|| close_stream(env, user_id, &end)), close_copier(env, user_id)).await;
    for (what, outcome) in [("stream", stream), ("copier", copier)] {
        if let Err(error) = outcome {
            log::error("sockets_not_closed", &format!("{what} sockets of user {user_id}: {error}"));
        }
    }
}

async fn twice<F, Fut>(attempt: F) -> worker::Result<()>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = worker::Result<()>>,
{
    match attempt().await {
        Ok(()) => Ok(()),
        Err(_) => attempt().await,
    }
}

async fn close_stream(env: &Env, user_id: &str, end: &End) -> worker::Result<()> {
    call::<_, Ended>(&object(env, user_id)?, Method::Post, "/end", Some(end)).await.map(|_| ())
}

/// The channels whose rooms may hold the user's sockets: published or followed.
async fn channels(env: &Env, user_id: &str) -> worker::Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Row {
        id: String,
    }
    let rows = env
        .d1("DB")?
        .prepare(
            "SELECT id FROM copier_channels WHERE owner_id = ?1 \
             UNION SELECT channel_id AS id FROM copier_subscriptions WHERE user_id = ?1",
        )
        .bind(&[user_id.into()])?
        .all()
        .await?
        .results::<Row>()?;
    Ok(rows.into_iter().map(|row| row.id).collect())
}

async fn close_copier(env: &Env, user_id: &str) -> worker::Result<()> {
    let channels = channels(env, user_id).await?;
    let end = EndSockets {
        user_id: Some(user_id.to_string()),
        code: close_code::SESSION_ENDED,
        reason: "session ended; log in again".into(),
    };
    let closing = channels.iter().map(|channel_id| {
        let end = &end;
        twice(move || room::end_sockets(env, channel_id, end))
    });
    join_all(closing).await.into_iter().collect::<worker::Result<Vec<_>>>().map(|_| ())
}
