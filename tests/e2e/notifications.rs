//! `/api/notifications/telegram`: a chat is linked only through the bot (a one-time code sent as
//! `/start CODE`, read back from the Bot API's getUpdates on the Telegram stand-in), so nobody
//! can point their notifications, or anyone else's, at a chat they do not control; guessed,
//! reused, expired and misaddressed codes link nothing; the test message is throttled and
//! reports Telegram's refusal in plain words; the bot token never reaches a response or the log.

use std::time::Duration;

use auronex_e2e::standins::telegram::{link_chat, BLOCKED_CHAT, BOT_TOKEN};
use auronex_e2e::{standins, Account, Client, Server};
use serde_json::{json, Value};

pub const TESTS: &[crate::Test] = &[
    ("notifications::a_chat_is_linked_only_through_the_bot", a_chat_is_linked_only_through_the_bot),
    ("notifications::codes_link_once_and_only_while_live", codes_link_once_and_only_while_live),
    (
        "notifications::the_test_message_is_throttled_and_reports_refusals",
        the_test_message_is_throttled_and_reports_refusals,
    ),
];

/// A chat id no other test uses.
fn fresh_chat(salt: i64) -> i64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    3_000_000_000 + i64::from(std::process::id()) * 1_000 + salt * 100_000_000 + i64::from(nanos % 1_000)
}

fn user(server: &Server, prefix: &str) -> (Client, Account) {
    let account = Account::register(&server.client(), prefix);
    (server.client().with_token(&account.access_token), account)
}

fn new_code(client: &Client) -> Value {
    let link = client.post_json("/api/notifications/telegram/link", &json!({}));
    assert_eq!(link.status, 201, "{}", link.body);
    link.json()
}

/// Verifies (waiting out the per-user poll interval) and answers the view.
fn verify(client: &Client) -> Value {
    std::thread::sleep(Duration::from_millis(2_100));
    let view = client.post_json("/api/notifications/telegram/verify", &json!({}));
    assert_eq!(view.status, 200, "{}", view.body);
    view.json()
}

fn sent_to(chat: i64, text_has: &str) -> Vec<Value> {
    standins()
        .received("telegram", |r| {
            r.path.ends_with("/sendMessage")
                && r.json()["chat_id"] == chat
                && r.json()["text"].as_str().is_some_and(|t| t.contains(text_has))
        })
        .into_iter()
        .map(|r| r.json())
        .collect()
}

fn a_chat_is_linked_only_through_the_bot(server: &Server) {
    for (method, path) in [
        ("GET", "/api/notifications/telegram"),
        ("POST", "/api/notifications/telegram/link"),
        ("POST", "/api/notifications/telegram/verify"),
        ("POST", "/api/notifications/telegram/test"),
        ("DELETE", "/api/notifications/telegram"),
    ] {
        assert_eq!(server.client().send(method, path, None, &[]).status, 401, "{method} {path}");
    }
    let (client, _) = user(server, "tglink");
    let typed = client.put_json("/api/notifications/telegram", &json!({"chat_id": 123456789}));
    assert_eq!(typed.status, 405, "a chat id can no longer be typed in: {}", typed.body);
    let empty = client.get("/api/notifications/telegram").json();
    assert_eq!(
        empty,
        json!({"chat_id": null, "verified": false, "verified_at": null, "updated_at": null,
               "link_expires_at": null, "available": true})
    );

    let link = new_code(&client);
    let code = link["code"].as_str().unwrap().to_string();
    assert!(code.len() == 10 && code.bytes().all(|b| b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789".contains(&b)), "{code}");
    assert_eq!(link["command"], format!("/start {code}"));
    assert_eq!(link["url"], format!("https://t.me/auronex_e2e_bot?start={code}"));
    assert_eq!(link["bot_username"], "auronex_e2e_bot");
    assert!(client.get("/api/notifications/telegram").json()["link_expires_at"].is_string());
    let stored = server.d1_rows("SELECT code_hash FROM telegram_link_codes");
    assert!(!stored.iter().any(|row| row["code_hash"].as_str().unwrap().contains(&code)), "the code is stored hashed");

    // Nothing links a chat but the code itself, sent to this bot: not a guess, not a bare
    // /start, not the right code addressed to another bot.
    let (mine, attacker) = (fresh_chat(1), fresh_chat(2));
    let telegram = &standins().telegram;
    telegram.user_sends(BOT_TOKEN, attacker, "/start ABCDEFGHJK");
    telegram.user_sends(BOT_TOKEN, attacker, "/start");
    telegram.user_sends(BOT_TOKEN, attacker, &format!("/start@some_other_bot {code}"));
    telegram.user_sends(BOT_TOKEN, attacker, &format!("hello /start {code}"));
    let view = verify(&client);
    assert_eq!((view["verified"].as_bool(), &view["chat_id"]), (Some(false), &json!(null)), "{view}");

    let last_update = telegram.user_sends(BOT_TOKEN, mine, &format!("/start {}", code.to_lowercase()));
    let view = verify(&client);
    assert_eq!(view["verified"], true, "{view}");
    assert_eq!(view["chat_id"], mine.to_string());
    assert!(view["verified_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(view["link_expires_at"], json!(null), "the code is used up");
    assert_eq!(sent_to(mine, "this chat is linked").len(), 1, "the chat is told");
    assert!(sent_to(attacker, "").is_empty(), "the attacker's chat got nothing");
    let cursor = server.d1_rows("SELECT next_offset FROM telegram_update_cursors WHERE bot_id = '7000000001'");
    assert!(cursor[0]["next_offset"].as_i64().unwrap() > last_update, "updates are confirmed: {cursor:?}");

    // Unlinking stops the messages; the test message says why.
    assert_eq!(client.delete("/api/notifications/telegram").status, 204);
    assert_eq!(client.get("/api/notifications/telegram").json()["chat_id"], json!(null));
    let unlinked = client.post_json("/api/notifications/telegram/test", &json!({}));
    assert_eq!((unlinked.status, unlinked.error_code()), (409, "telegram_not_linked".to_string()), "{}", unlinked.body);

    // A chat typed in before verification existed stays silent until linked through the bot.
    let (legacy, legacy_account) = user(server, "tglegacy");
    server.d1_execute(&format!(
        "INSERT INTO telegram_targets (user_id, chat_id, created_at, updated_at) \
         VALUES ('{}', '{}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
        legacy_account.id(),
        fresh_chat(3)
    ));
    let view = legacy.get("/api/notifications/telegram").json();
    assert_eq!((view["verified"].as_bool(), view["chat_id"].is_string()), (Some(false), true), "{view}");
    let refused = legacy.post_json("/api/notifications/telegram/test", &json!({}));
    assert_eq!((refused.status, refused.error_code()), (409, "telegram_not_linked".to_string()), "{}", refused.body);
}

fn codes_link_once_and_only_while_live(server: &Server) {
    let (victim, _) = user(server, "tgvictim");
    let (attacker, attacker_account) = user(server, "tgthief");
    let victim_chat = fresh_chat(4);
    let code = new_code(&victim)["code"].as_str().unwrap().to_string();
    let telegram = &standins().telegram;
    telegram.user_sends(BOT_TOKEN, victim_chat, &format!("/start {code}"));
    // Anyone's verify reads the bot's updates for everyone: the attacker's call links the victim's chat.
    new_code(&attacker);
    assert_eq!(verify(&attacker)["verified"], false);
    assert_eq!(victim.get("/api/notifications/telegram").json()["chat_id"], victim_chat.to_string());

    // The same code from another chat, later, changes nothing.
    let thief_chat = fresh_chat(5);
    telegram.user_sends(BOT_TOKEN, thief_chat, &format!("/start {code}"));
    assert_eq!(verify(&attacker)["verified"], false);
    let view = victim.get("/api/notifications/telegram").json();
    assert_eq!(
        (view["chat_id"].as_str(), view["verified"].as_bool()),
        (Some(victim_chat.to_string().as_str()), Some(true))
    );

    // A new code replaces the old one, and an expired code links nothing.
    let first = new_code(&attacker)["code"].as_str().unwrap().to_string();
    let second = new_code(&attacker)["code"].as_str().unwrap().to_string();
    telegram.user_sends(BOT_TOKEN, thief_chat, &format!("/start {first}"));
    assert_eq!(verify(&attacker)["verified"], false, "the replaced code is dead");
    server.d1_execute(&format!(
        "UPDATE telegram_link_codes SET expires_at_ms = 1 WHERE user_id = '{}'",
        attacker_account.id()
    ));
    telegram.user_sends(BOT_TOKEN, thief_chat, &format!("/start {second}"));
    // Someone else's verify reads that update; the expired code links nothing.
    new_code(&victim);
    verify(&victim);
    let view = attacker.get("/api/notifications/telegram").json();
    assert_eq!((view["verified"].as_bool(), &view["link_expires_at"]), (Some(false), &json!(null)), "{view}");
    assert_eq!(victim.get("/api/notifications/telegram").json()["chat_id"], victim_chat.to_string());
    assert!(sent_to(thief_chat, "").is_empty(), "the thief's chat got nothing");
}

fn the_test_message_is_throttled_and_reports_refusals(server: &Server) {
    let (client, _) = user(server, "tgtest");
    let chat = fresh_chat(6);
    link_chat(&client, BOT_TOKEN, chat);
    let burst: Vec<(u16, Value, Option<String>)> = std::thread::scope(|scope| {
        let calls: Vec<_> = (0..5)
            .map(|_| {
                scope.spawn(|| {
                    let reply = client.post_json("/api/notifications/telegram/test", &json!({}));
                    (reply.status, reply.json(), reply.header("retry-after").map(str::to_string))
                })
            })
            .collect();
        calls.into_iter().map(|call| call.join().unwrap()).collect()
    });
    let sent: Vec<_> = burst.iter().filter(|(status, _, _)| *status == 200).collect();
    assert_eq!(sent.len(), 1, "one test message per 30 s: {burst:?}");
    assert_eq!(sent[0].1["ok"], true, "{burst:?}");
    for (status, body, retry_after) in burst.iter().filter(|(status, _, _)| *status != 200) {
        assert_eq!((*status, body["error"]["code"].as_str()), (429, Some("rate_limited")), "{body}");
        let wait: u64 = retry_after.as_deref().unwrap().parse().unwrap();
        assert!((1..=30).contains(&wait), "{wait}");
    }
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(sent_to(chat, "test message").len(), 1, "the stand-in got one test message");

    let (blocked, _) = user(server, "tgblocked");
    link_chat(&blocked, BOT_TOKEN, BLOCKED_CHAT);
    let refused = blocked.post_json("/api/notifications/telegram/test", &json!({}));
    assert_eq!(refused.status, 200, "{}", refused.body);
    assert_eq!(refused.json()["ok"], false);
    assert!(refused.json()["message"].as_str().unwrap().contains("blocked"), "{}", refused.body);
    assert!(!refused.body.contains(BOT_TOKEN));
    assert!(!server.log().contains(BOT_TOKEN), "the Telegram bot token reached the log");
}
