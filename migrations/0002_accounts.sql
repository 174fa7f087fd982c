-- Accounts: users, login sessions with their rotating refresh tokens, and login throttling.

CREATE TABLE users (
    id                  TEXT    PRIMARY KEY,
    email               TEXT    NOT NULL UNIQUE,       -- trimmed, lower-cased
    password_hash       TEXT    NOT NULL,              -- base64 PBKDF2-HMAC-SHA256 output
    password_salt       TEXT    NOT NULL,              -- base64, 16 random bytes per user
    password_iterations INTEGER NOT NULL,              -- kept per hash so it can be raised later
    first_name          TEXT    NOT NULL DEFAULT '',
    last_name           TEXT    NOT NULL DEFAULT '',
    role                TEXT    NOT NULL DEFAULT 'client' CHECK (role IN ('admin', 'staff', 'client')),
    plan                TEXT    NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'pro', 'premium')),
    is_active           INTEGER NOT NULL DEFAULT 1,
    created_at          TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL
);

-- One row per login. Every refresh token descends from one session; revoking the session
-- (logout, refresh-token reuse) ends the access tokens issued from it as well.
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT,
    revoke_reason TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE refresh_tokens (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,                  -- hex SHA-256 of the token; the token is never stored
    expires_at  INTEGER NOT NULL,                      -- Unix milliseconds
    used_at     TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Failed logins per key: `email:<normalised email>` or `ip:<client address>`.
CREATE TABLE login_failures (
    key             TEXT    PRIMARY KEY,
    failures        INTEGER NOT NULL,
    window_start_ms INTEGER NOT NULL,
    locked_until_ms INTEGER NOT NULL DEFAULT 0
);
