-- Payments that cannot be half applied; refunds, chargebacks, and cancellation at period end.

-- Refunds and disputes are rows of their own (kinds `refund`, `dispute`), and a payment can end
-- `refunded`, `disputed` or `charged_back`. SQLite cannot change a CHECK in place, so the table
-- is rebuilt with the same rows (nothing references payments).
CREATE TABLE payments_new (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    provider     TEXT NOT NULL CHECK (provider IN ('stripe', 'mercadopago')),
    provider_ref TEXT NOT NULL,                        -- checkout session, invoice, charge, dispute or MP payment id
    kind         TEXT NOT NULL CHECK (kind IN ('checkout', 'invoice', 'pix', 'refund', 'dispute')),
    plan         TEXT NOT NULL CHECK (plan IN ('pro', 'premium')),
    amount       TEXT NOT NULL,
    currency     TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'failed', 'expired', 'canceled',
                                                 'refunded', 'disputed', 'charged_back')),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (provider, provider_ref)
);
INSERT INTO payments_new (id, user_id, provider, provider_ref, kind, plan, amount, currency, status, created_at, updated_at)
    SELECT id, user_id, provider, provider_ref, kind, plan, amount, currency, status, created_at, updated_at FROM payments;
DROP TABLE payments;
ALTER TABLE payments_new RENAME TO payments;
CREATE INDEX payments_user ON payments (user_id);
CREATE INDEX payments_created ON payments (created_at);

-- Card subscriptions: ending when the paid period closes, and when that is. Charges and
-- disputes name the Stripe customer only, so it is looked up.
ALTER TABLE subscriptions ADD COLUMN cancel_at_period_end INTEGER NOT NULL DEFAULT 0;
ALTER TABLE subscriptions ADD COLUMN current_period_end TEXT;
CREATE INDEX subscriptions_stripe_customer ON subscriptions (stripe_customer_id);

-- The user an event changed, so a replay of it can finish what a crash after its commit left
-- undone (stopping the bots over a lowered plan's limit).
ALTER TABLE webhook_events ADD COLUMN user_id TEXT;
