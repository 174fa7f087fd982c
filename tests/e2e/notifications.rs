//! `/api/notifications/telegram`: a chat id is validated, stored per user and removed; the test
//! endpoint sends a real `sendMessage` to the Telegram stand-in and reports a refusal in plain
//! words; the bot token never reaches a response or the log.

use std::time::Duration;

use auronex_e2e::standins::telegram::{BLOCKED_CHAT, BOT_TOKEN, UNKNOWN_CHAT};
use auronex_e2e::{standins, Account, Server};
use serde_json::json;

pub const TESTS: &[crate::Test] = &[
    ("notifications::telegram_chat_is_validated_stored_and_removed", telegram_chat_is_validated_stored_and_removed),
    ("notifications::the_test_message_reports_telegrams_answer", the_test_message_reports_telegrams_answer),
];

fn telegram_chat_is_validated_stored_and_removed(server: &Server) {
    assert_eq!(server.client().get("/api/notifications/telegram").status, 401);
    assert_eq!(server.client().put_json("/api/notifications/telegram", &json!({"chat_id": 1})).status, 401);
    let account = Account::register(&server.client(), "tgset");
    let client = server.client().with_token(&account.access_token);
    let empty = client.get("/api/notifications/telegram").json();
    assert_eq!(empty, json!({"chat_id": null, "updated_at": null, "available": true}));
    for bad in [json!({"chat_id": "twelve"}), json!({"chat_id": 1.5}), json!({"chat_id": "@ab"}), json!({})] {
        let reply = client.put_json("/api/notifications/telegram", &bad);
        assert!(reply.status == 422 || reply.status == 400, "{bad}: {}", reply.body);
        if bad["chat_id"].is_null() {
            continue;
        }
        assert_eq!(reply.json()["error"]["field"], "chat_id", "{bad}");
    }
    let set = client.put_json("/api/notifications/telegram", &json!({"chat_id": "-1001234567890"}));
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.json()["chat_id"], "-1001234567890");
    let other = server.client().with_token(&Account::register(&server.client(), "tgother").access_token);
    assert_eq!(other.get("/api/notifications/telegram").json()["chat_id"], json!(null), "per user");
    let read = client.get("/api/notifications/telegram/").json();
    assert_eq!(read["chat_id"], "-1001234567890");
    assert!(read["updated_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(client.delete("/api/notifications/telegram").status, 204);
    assert_eq!(client.get("/api/notifications/telegram").json()["chat_id"], json!(null));
    let unset = client.post_json("/api/notifications/telegram/test", &json!({}));
    assert_eq!((unset.status, unset.error_code()), (409, "telegram_not_set".to_string()), "{}", unset.body);
}

fn the_test_message_reports_telegrams_answer(server: &Server) {
    let account = Account::register(&server.client(), "tgtest");
    let client = server.client().with_token(&account.access_token);
    let chat = 2_000_000_000_i64 + i64::from(std::process::id());
    assert_eq!(client.put_json("/api/notifications/telegram", &json!({"chat_id": chat})).status, 200);
    let sent = client.post_json("/api/notifications/telegram/test", &json!({}));
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert_eq!(sent.json()["ok"], true, "{}", sent.body);
    assert!(sent.json()["message_id"].as_i64().unwrap() > 0);
    let request = standins()
        .wait_for("telegram", Duration::from_secs(10), |r| r.json()["chat_id"] == chat)
        .expect("the stand-in got the message");
    assert_eq!(request.path, format!("/bot{BOT_TOKEN}/sendMessage"));
    assert!(request.json()["text"].as_str().unwrap().contains("test message"));

    let cases = [(UNKNOWN_CHAT, "send /start to the bot"), (BLOCKED_CHAT, "blocked")];
    for (chat, words) in cases {
        assert_eq!(client.put_json("/api/notifications/telegram", &json!({"chat_id": chat})).status, 200);
        let refused = client.post_json("/api/notifications/telegram/test", &json!({}));
        assert_eq!(refused.status, 200, "{}", refused.body);
        assert_eq!(refused.json()["ok"], false);
        let message = refused.json()["message"].as_str().unwrap().to_string();
        assert!(message.contains(words), "{message}");
        assert!(!refused.body.contains(BOT_TOKEN));
    }
    assert!(!server.log().contains(BOT_TOKEN), "the Telegram bot token reached the log");
}
