-- The paper runtime's extras: each user's starting paper balance per currency (fixed when the
-- wallet is first used, from the admin settings of that moment), Telegram notification
-- targets, and repeat counting on bot activity lines.

-- A wallet's starting balance. Later changes of the admin setting apply to new wallets only.
CREATE TABLE paper_wallets (
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    currency      TEXT NOT NULL,
    start_balance TEXT NOT NULL,                       -- decimal
    created_at    TEXT NOT NULL,
    PRIMARY KEY (user_id, currency)
);

-- Where a user's trade and bot-error notifications go (a Telegram chat the bot may write to).
CREATE TABLE telegram_targets (
    user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    chat_id    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- An error (or refused entry, or failed notification) the bot already reported since its last
-- trade bumps that line's `repeats` and `last_at_ms` instead of adding a line.
ALTER TABLE bot_activity ADD COLUMN repeats INTEGER NOT NULL DEFAULT 1;
ALTER TABLE bot_activity ADD COLUMN last_at_ms INTEGER;
CREATE INDEX bot_activity_bot ON bot_activity (bot_id, id DESC);
