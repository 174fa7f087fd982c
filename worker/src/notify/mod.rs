//! Telling users what their bots did, after it is in D1: every notice goes to the user's
//! `/api/stream` sockets (their `UserStream` object) and trades and errors to their Telegram
//! chat when they linked one through the bot. Nothing here can fail the caller: failures are logged, and a
//! Telegram refusal is also written to the bot's activity.

pub mod events;
pub mod stream;
pub mod telegram;
pub mod telegram_chats;
pub mod telegram_link;

use std::collections::BTreeMap;

use futures_util::future::join_all;
use worker::Env;

pub use events::Notice;

pub async fn dispatch(env: &Env, notices: Vec<Notice>) {
    if notices.is_empty() {
        return;
    }
    let mut by_user: BTreeMap<String, Vec<Notice>> = BTreeMap::new();
    for notice in notices {
        by_user.entry(notice.user_id.clone()).or_default().push(notice);
    }
    let pushes = by_user.iter().map(|(user_id, notices)| stream::push(env, user_id, notices));
    join_all(pushes).await;
    telegram::notify(env, &by_user).await;
}
