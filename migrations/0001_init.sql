-- Foundation schema. Decimals are stored as TEXT (D1 integers lose precision above 2^53);
-- timestamps as RFC 3339 UTC TEXT.

-- One row per scheduled tick run, so operators (and /health) can see that ticks fire.
CREATE TABLE tick_runs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    cron           TEXT    NOT NULL,
    started_at     TEXT    NOT NULL,
    finished_at    TEXT    NOT NULL,
    bots_evaluated INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX tick_runs_finished_at ON tick_runs (finished_at);
