-- Copy trading of bots: a bot whose owner publishes a copier channel can publish its paper
-- trades there (each open and close becomes a signal whose ticket is the trade id).

CREATE TABLE bot_channels (
    bot_id      TEXT PRIMARY KEY REFERENCES bots (id) ON DELETE CASCADE,
    channel_id  TEXT NOT NULL REFERENCES copier_channels (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL
);
CREATE INDEX bot_channels_channel ON bot_channels (channel_id);

-- The tick reads a linked bot's recent trades by bot and time.
CREATE INDEX trades_bot_entry ON trades (bot_id, entry_ms);
