-- Trade copier: channels a master publishes to, followers' subscriptions with their sizing,
-- each user's default sizing, and a history copy of every signal (the channel's Durable Object
-- holds the authoritative sequence and the recent log for resume).

CREATE TABLE copier_channels (
    id          TEXT PRIMARY KEY,
    owner_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    invite_code TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);
CREATE INDEX copier_channels_owner ON copier_channels (owner_id, created_at);

CREATE TABLE copier_subscriptions (
    channel_id  TEXT NOT NULL REFERENCES copier_channels (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    trade_copy  TEXT NOT NULL,                         -- JSON, see core::copier::TradeCopy
    created_at  TEXT NOT NULL,
    PRIMARY KEY (channel_id, user_id)
);
CREATE INDEX copier_subscriptions_user ON copier_subscriptions (user_id);

CREATE TABLE copier_defaults (
    user_id     TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    trade_copy  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE copier_signals (
    channel_id  TEXT    NOT NULL REFERENCES copier_channels (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    signal_id   TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('signal', 'close', 'modify')),
    ticket      TEXT    NOT NULL,
    data        TEXT    NOT NULL,                      -- the message data as broadcast (master volume)
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (channel_id, seq)
);
