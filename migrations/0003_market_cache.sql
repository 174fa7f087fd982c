-- Market data shared by every bot and endpoint: one row per (venue, endpoint, market) holding
-- the parsed value as JSON and when it was fetched; freshness is decided when reading.
CREATE TABLE market_cache (
    key           TEXT    PRIMARY KEY,
    body          TEXT    NOT NULL,
    fetched_at_ms INTEGER NOT NULL
);

-- Each venue's request budget in the current rate-limit window, and any back-off it asked for.
CREATE TABLE market_throttle (
    venue            TEXT    PRIMARY KEY,
    window_start_ms  INTEGER NOT NULL,
    used_weight      INTEGER NOT NULL,
    blocked_until_ms INTEGER NOT NULL DEFAULT 0
);
