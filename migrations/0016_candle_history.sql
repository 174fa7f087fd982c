-- Complete candles never change: candle history is cached for good, one row per chunk of
-- 1000 candles aligned to the epoch (exchanges/src/history.rs). `covered_until_ms` is the end
-- of what the row holds: every candle the venue has opening before it (a chunk fetched while
-- its last candles were still forming ends early and is refetched when a request needs more).
CREATE TABLE candle_history (
    exchange         TEXT    NOT NULL,
    venue_symbol     TEXT    NOT NULL,
    timeframe        TEXT    NOT NULL,
    chunk_start_ms   INTEGER NOT NULL,
    covered_until_ms INTEGER NOT NULL,
    body             TEXT    NOT NULL,
    fetched_at_ms    INTEGER NOT NULL,
    PRIMARY KEY (exchange, venue_symbol, timeframe, chunk_start_ms)
) WITHOUT ROWID;
