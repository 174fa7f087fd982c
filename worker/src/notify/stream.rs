//! Pushes notices to a user's `UserStream` object, which sends them to that user's sockets.

use auronex_durable_objects::internal::call;
use auronex_durable_objects::stream::{Publish, Published};
use worker::{Env, Method, Stub};

use super::Notice;
use crate::log;

pub fn object(env: &Env, user_id: &str) -> worker::Result<Stub> {
    env.durable_object("USER_STREAM")?.id_from_name(user_id)?.get_stub()
}

pub async fn push(env: &Env, user_id: &str, notices: &[Notice]) {
    let publish = Publish { events: notices.iter().map(|n| n.event.clone()).collect() };
    let outcome =
        async { call::<_, Published>(&object(env, user_id)?, Method::Post, "/publish", Some(&publish)).await };
    if let Err(error) = outcome.await {
        log::error("stream_push_failed", &error.to_string());
    }
}
