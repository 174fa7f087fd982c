-- Login and signup throttling (worker/src/auth/throttle.rs): every attempt is counted before the
-- password is hashed, in one INSERT ... ON CONFLICT DO UPDATE ... RETURNING, under
-- `ip:<address>`, `email:<email>`, `pair:<address length>:<address>:<email>` and
-- `signup:<address>`. Replaces login_failures (its lockouts let anyone lock an email's owner out).

DROP TABLE IF EXISTS login_failures;

CREATE TABLE login_attempts (
    key            TEXT    PRIMARY KEY,
    attempts       INTEGER NOT NULL,             -- counted and not yet forgotten (a success gives its own back)
    last_at_ms     INTEGER NOT NULL,             -- Unix milliseconds of the latest attempt
    previous_at_ms INTEGER NOT NULL DEFAULT 0,   -- the one before it (0: none since forgotten)
    forget_ms      INTEGER NOT NULL              -- the count starts over this long after last_at_ms
);
CREATE INDEX login_attempts_last ON login_attempts (last_at_ms);
