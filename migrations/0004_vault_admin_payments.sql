-- The API key vault, the admin back office (settings, audit log) and paid plans (payments,
-- subscriptions, processed webhook events).

-- Exchange API keys. The key, secret and passphrase exist only inside `sealed`:
-- base64(nonce || AES-256-GCM ciphertext || tag) of their JSON, sealed under the master key
-- named by `key_id`, with (user_id, id, key_id) as associated data, so a value copied to
-- another row or user does not decrypt. `key_hint` is `abcd...wxyz`.
CREATE TABLE api_keys (
    id             TEXT    PRIMARY KEY,
    user_id        TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    exchange       TEXT    NOT NULL,
    label          TEXT    NOT NULL DEFAULT '',
    key_hint       TEXT    NOT NULL,
    is_testnet     INTEGER NOT NULL DEFAULT 0,
    is_active      INTEGER NOT NULL DEFAULT 1,
    key_id         TEXT    NOT NULL,
    sealed         TEXT    NOT NULL,
    last_tested_at TEXT,
    last_test_ok   INTEGER,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);
CREATE INDEX api_keys_user ON api_keys (user_id);
CREATE INDEX api_keys_key_id ON api_keys (key_id);

-- Every admin change: who, what, when, with the values before and after (JSON, no secrets).
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_email TEXT NOT NULL,
    action      TEXT NOT NULL,                         -- user.update, settings.update, vault.rotate
    target_type TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);

-- Back-office settings, one JSON document per key (`app`: plan prices, starting paper
-- balances, default fees). Absent rows mean the built-in defaults.
CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT
);

-- Payments through Stripe (checkout sessions, invoices) and Mercado Pago (PIX). Amounts are
-- decimal TEXT in the currency's main unit.
CREATE TABLE payments (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider     TEXT NOT NULL CHECK (provider IN ('stripe', 'mercadopago')),
    provider_ref TEXT NOT NULL,                        -- checkout session, invoice or MP payment id
    kind         TEXT NOT NULL CHECK (kind IN ('checkout', 'invoice', 'pix')),
    plan         TEXT NOT NULL CHECK (plan IN ('pro', 'premium')),
    amount       TEXT NOT NULL,
    currency     TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'failed', 'expired', 'canceled')),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (provider, provider_ref)
);
CREATE INDEX payments_user ON payments (user_id);
CREATE INDEX payments_created ON payments (created_at);

-- What a user has paid for. `users.plan` stays the effective plan read on every request; this
-- row says where it came from and until when. Stripe plans end by webhook (expires_at NULL);
-- PIX plans end at expires_at (the scheduled tick downgrades them).
CREATE TABLE subscriptions (
    user_id                TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    plan                   TEXT NOT NULL CHECK (plan IN ('free', 'pro', 'premium')),
    provider               TEXT NOT NULL CHECK (provider IN ('stripe', 'mercadopago', 'admin')),
    status                 TEXT NOT NULL,              -- active, past_due, canceled, expired
    stripe_customer_id     TEXT,
    stripe_subscription_id TEXT UNIQUE,
    expires_at             TEXT,
    updated_at             TEXT NOT NULL
);
CREATE INDEX subscriptions_expiry ON subscriptions (expires_at);

-- Webhook events already handled, so a replay has no second effect.
CREATE TABLE webhook_events (
    provider    TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    type        TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (provider, event_id)
);
