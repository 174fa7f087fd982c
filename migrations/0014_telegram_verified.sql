-- Telegram chats are verified through the bot: the user sends `/start CODE` (a one-time code
-- from POST /api/notifications/telegram/link) and the Worker reads it from the Bot API's
-- getUpdates. Only a chat with `verified_at` receives messages; chats typed in before this
-- (PUT chat_id, now gone) keep their row but stay silent until linked through the bot.
ALTER TABLE telegram_targets ADD COLUMN verified_at TEXT;
ALTER TABLE telegram_targets ADD COLUMN last_test_at_ms INTEGER NOT NULL DEFAULT 0;

-- One pending code per user (a new one replaces it); only its SHA-256 is kept.
CREATE TABLE telegram_link_codes (
    user_id       TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    code_hash     TEXT NOT NULL UNIQUE,
    expires_at_ms INTEGER NOT NULL,
    polled_at_ms  INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);

-- Where the next getUpdates starts, per bot (the numeric id before the token's colon): a new
-- bot token for another bot starts over instead of skipping that bot's updates.
CREATE TABLE telegram_update_cursors (
    bot_id      TEXT PRIMARY KEY,
    next_offset INTEGER NOT NULL
);
