-- Books a trader can trust. Ledger amounts are kept to 8 decimal places and stored a second
-- time as scaled integers (amount * 10^8), which SQLite sums exactly; `ledger_totals` holds the
-- running figures per (user, bot, currency) and per (user, currency) (bot_id ''), kept by
-- triggers in the same transaction as the trade write, so they cannot drift from the trades.
-- A closed trade is immutable, and a bot's trade numbers are never reused (`last_trade_no`).
-- Trigger bodies avoid CASE (wrangler's statement splitter) and end with an upper-case END.

ALTER TABLE trades ADD COLUMN cost_units INTEGER NOT NULL DEFAULT 0;
ALTER TABLE trades ADD COLUMN fees_units INTEGER NOT NULL DEFAULT 0;
ALTER TABLE trades ADD COLUMN pnl_units INTEGER;

UPDATE trades SET
    cost_units = CAST(round(CAST(cost AS REAL) * 100000000) AS INTEGER),
    fees_units = CAST(round(CAST(fees AS REAL) * 100000000) AS INTEGER),
    pnl_units = iif(profit_loss IS NULL, NULL, CAST(round(CAST(profit_loss AS REAL) * 100000000) AS INTEGER));

-- The decimal text of every amount becomes exactly its units (integer arithmetic only).
UPDATE trades SET
    cost = iif(cost_units < 0, '-', '') || (abs(cost_units) / 100000000)
        || rtrim(rtrim('.' || substr('00000000' || (abs(cost_units) % 100000000), -8), '0'), '.'),
    fees = iif(fees_units < 0, '-', '') || (abs(fees_units) / 100000000)
        || rtrim(rtrim('.' || substr('00000000' || (abs(fees_units) % 100000000), -8), '0'), '.'),
    profit_loss = iif(pnl_units IS NULL, NULL, iif(pnl_units < 0, '-', '') || (abs(pnl_units) / 100000000)
        || rtrim(rtrim('.' || substr('00000000' || (abs(pnl_units) % 100000000), -8), '0'), '.'));

ALTER TABLE bots ADD COLUMN last_trade_no INTEGER NOT NULL DEFAULT 0;
UPDATE bots SET last_trade_no = coalesce((SELECT MAX(CAST(substr(t.id, length(t.bot_id) + 2) AS INTEGER))
    FROM trades t WHERE t.bot_id = bots.id), 0);

CREATE TABLE ledger_totals (
    user_id            TEXT    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    bot_id             TEXT    NOT NULL,                -- '' for the user's books in `currency`
    currency           TEXT    NOT NULL,
    trades             INTEGER NOT NULL DEFAULT 0,
    open_trades        INTEGER NOT NULL DEFAULT 0,
    open_cost_units    INTEGER NOT NULL DEFAULT 0,
    closed_trades      INTEGER NOT NULL DEFAULT 0,
    wins               INTEGER NOT NULL DEFAULT 0,
    losses             INTEGER NOT NULL DEFAULT 0,
    gross_profit_units INTEGER NOT NULL DEFAULT 0,
    gross_loss_units   INTEGER NOT NULL DEFAULT 0,
    fees_units         INTEGER NOT NULL DEFAULT 0,  -- of closed trades
    cum_units          INTEGER NOT NULL DEFAULT 0,  -- realised P&L so far
    peak_units         INTEGER NOT NULL DEFAULT 0,
    max_drawdown_units INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, bot_id, currency)
);

-- Backfill from the trades already stored, closed ones in exit order.
WITH scopes AS (
    SELECT user_id, '' AS bot_id, quote_currency, status, cost_units, fees_units, pnl_units, exit_ms, id FROM trades
    UNION ALL
    SELECT user_id, bot_id, quote_currency, status, cost_units, fees_units, pnl_units, exit_ms, id FROM trades
),
running AS (
    SELECT user_id, bot_id, quote_currency, exit_ms, id,
        SUM(pnl_units) OVER (PARTITION BY user_id, bot_id, quote_currency ORDER BY exit_ms, id) AS cum
    FROM scopes WHERE status = 'closed'
),
peaks AS (
    SELECT user_id, bot_id, quote_currency, cum,
        max(0, MAX(cum) OVER (PARTITION BY user_id, bot_id, quote_currency ORDER BY exit_ms, id)) AS peak
    FROM running
),
drawdowns AS (
    SELECT user_id, bot_id, quote_currency, MAX(peak - cum) AS max_dd, MAX(peak) AS peak FROM peaks
    GROUP BY user_id, bot_id, quote_currency
)
INSERT INTO ledger_totals (user_id, bot_id, currency, trades, open_trades, open_cost_units, closed_trades, wins,
    losses, gross_profit_units, gross_loss_units, fees_units, cum_units, peak_units, max_drawdown_units)
SELECT s.user_id, s.bot_id, s.quote_currency, COUNT(*), SUM(s.status = 'open'),
    SUM(iif(s.status = 'open', s.cost_units, 0)), SUM(s.status = 'closed'),
    SUM(s.status = 'closed' AND s.pnl_units > 0), SUM(s.status = 'closed' AND coalesce(s.pnl_units, 0) <= 0),
    SUM(iif(s.status = 'closed', max(coalesce(s.pnl_units, 0), 0), 0)),
    SUM(iif(s.status = 'closed', max(-coalesce(s.pnl_units, 0), 0), 0)),
    SUM(iif(s.status = 'closed', s.fees_units, 0)), SUM(coalesce(s.pnl_units, 0)),
    coalesce(d.peak, 0), coalesce(d.max_dd, 0)
FROM scopes s LEFT JOIN drawdowns d
    ON d.user_id = s.user_id AND d.bot_id = s.bot_id AND d.quote_currency = s.quote_currency
GROUP BY s.user_id, s.bot_id, s.quote_currency;

CREATE INDEX trades_user_open ON trades (user_id, bot_id) WHERE status = 'open';
CREATE INDEX trades_bot_exit ON trades (bot_id, exit_ms);

CREATE TRIGGER trades_closed_are_final BEFORE UPDATE ON trades WHEN OLD.status = 'closed'
BEGIN
    SELECT RAISE(ABORT, 'trade_closed: a closed trade cannot change');
END;

CREATE TRIGGER trades_close_has_pnl BEFORE UPDATE OF status ON trades WHEN NEW.status = 'closed' AND NEW.pnl_units IS NULL
BEGIN
    SELECT RAISE(ABORT, 'trade_pnl: a closed trade needs pnl_units');
END;

CREATE TRIGGER trades_insert_has_pnl BEFORE INSERT ON trades WHEN NEW.status = 'closed' AND NEW.pnl_units IS NULL
BEGIN
    SELECT RAISE(ABORT, 'trade_pnl: a closed trade needs pnl_units');
END;

-- One trigger per event, so the order SQLite fires them in cannot matter. A trade inserted
-- closed (a close whose open row never landed) counts as opened and realised at once.
CREATE TRIGGER trades_insert AFTER INSERT ON trades
BEGIN
    INSERT OR IGNORE INTO ledger_totals (user_id, bot_id, currency)
        VALUES (NEW.user_id, '', NEW.quote_currency), (NEW.user_id, NEW.bot_id, NEW.quote_currency);
    UPDATE ledger_totals SET trades = trades + 1, open_trades = open_trades + (NEW.status = 'open'),
        open_cost_units = open_cost_units + iif(NEW.status = 'open', NEW.cost_units, 0)
        WHERE user_id = NEW.user_id AND bot_id IN ('', NEW.bot_id) AND currency = NEW.quote_currency;
    UPDATE ledger_totals SET closed_trades = closed_trades + 1, wins = wins + (NEW.pnl_units > 0),
        losses = losses + (NEW.pnl_units <= 0), gross_profit_units = gross_profit_units + max(NEW.pnl_units, 0),
        gross_loss_units = gross_loss_units + max(-NEW.pnl_units, 0), fees_units = fees_units + NEW.fees_units,
        cum_units = cum_units + NEW.pnl_units, peak_units = max(peak_units, cum_units + NEW.pnl_units),
        max_drawdown_units = max(max_drawdown_units, max(peak_units, cum_units + NEW.pnl_units) - cum_units - NEW.pnl_units)
        WHERE user_id = NEW.user_id AND bot_id IN ('', NEW.bot_id) AND currency = NEW.quote_currency
        AND NEW.status = 'closed';
    UPDATE bots SET last_trade_no = max(last_trade_no, CAST(substr(NEW.id, length(NEW.bot_id) + 2) AS INTEGER))
        WHERE id = NEW.bot_id;
END;

-- SET expressions read the row before the update: peak and drawdown spell the new cumulative out.
CREATE TRIGGER trades_close AFTER UPDATE OF status ON trades WHEN OLD.status = 'open' AND NEW.status = 'closed'
BEGIN
    UPDATE ledger_totals SET open_trades = open_trades - 1, open_cost_units = open_cost_units - OLD.cost_units,
        closed_trades = closed_trades + 1, wins = wins + (NEW.pnl_units > 0),
        losses = losses + (NEW.pnl_units <= 0), gross_profit_units = gross_profit_units + max(NEW.pnl_units, 0),
        gross_loss_units = gross_loss_units + max(-NEW.pnl_units, 0), fees_units = fees_units + NEW.fees_units,
        cum_units = cum_units + NEW.pnl_units, peak_units = max(peak_units, cum_units + NEW.pnl_units),
        max_drawdown_units = max(max_drawdown_units, max(peak_units, cum_units + NEW.pnl_units) - cum_units - NEW.pnl_units)
        WHERE user_id = NEW.user_id AND bot_id IN ('', NEW.bot_id) AND currency = NEW.quote_currency;
END;
