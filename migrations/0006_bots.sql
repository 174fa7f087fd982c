-- Bots and the paper-trading ledger. Decimals are TEXT (exact); times are RFC 3339 UTC text
-- beside integer milliseconds for ordering and range queries.

CREATE TABLE bots (
    id                TEXT    PRIMARY KEY,
    user_id           TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name              TEXT    NOT NULL,
    exchange          TEXT    NOT NULL,
    symbols           TEXT    NOT NULL,                 -- JSON array of BASE/QUOTE
    quote_currency    TEXT    NOT NULL,
    capital           TEXT    NOT NULL,
    strategy          TEXT    NOT NULL,
    params            TEXT    NOT NULL,                 -- JSON object as the user gave it
    analysis_interval INTEGER NOT NULL,
    is_testnet        INTEGER NOT NULL DEFAULT 0,
    is_active         INTEGER NOT NULL DEFAULT 0,
    config            TEXT    NOT NULL,                 -- core BotConfig JSON (venue rules resolved)
    state             TEXT,                             -- core BotState JSON once it has run
    version           INTEGER NOT NULL DEFAULT 0,       -- optimistic concurrency on `state`
    tick_token        TEXT,                             -- set by the write that won `version`
    last_run_ms       INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL
);
CREATE INDEX bots_user ON bots (user_id, created_at);
CREATE INDEX bots_due ON bots (is_active, last_run_ms);

-- One row per round trip; the id is `{bot_id}:{trade number}` so a retried write is a no-op.
-- Rows outlive their bot: the paper wallet is derived from them.
CREATE TABLE trades (
    id             TEXT    PRIMARY KEY,
    bot_id         TEXT    NOT NULL,
    user_id        TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    exchange       TEXT    NOT NULL,
    symbol         TEXT    NOT NULL,
    quote_currency TEXT    NOT NULL,
    side           TEXT    NOT NULL DEFAULT 'buy',
    status         TEXT    NOT NULL CHECK (status IN ('open', 'closed')),
    entry_price    TEXT    NOT NULL,
    exit_price     TEXT,
    quantity       TEXT    NOT NULL,
    cost           TEXT    NOT NULL,
    fees           TEXT    NOT NULL,
    profit_loss    TEXT,
    profit_pct     TEXT,
    entry_ms       INTEGER NOT NULL,
    exit_ms        INTEGER,
    exit_reason    TEXT
);
-- The database, not only the code, keeps a bot to one open position per symbol.
CREATE UNIQUE INDEX trades_one_open ON trades (bot_id, symbol) WHERE status = 'open';
CREATE INDEX trades_user ON trades (user_id, entry_ms DESC, id DESC);
CREATE INDEX trades_user_exit ON trades (user_id, exit_ms);

CREATE TABLE bot_activity (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id  TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    bot_id   TEXT    NOT NULL,
    bot_name TEXT    NOT NULL,
    action   TEXT    NOT NULL,
    message  TEXT    NOT NULL,
    at_ms    INTEGER NOT NULL
);
CREATE INDEX bot_activity_user ON bot_activity (user_id, id DESC);
