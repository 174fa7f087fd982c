-- A bot's trades are published to its channel exactly once, ever: each link keeps a durable
-- watermark instead of re-reading the bot's history since its last run (which a start resets).
--   published_no  the highest trade number whose open is published (or predates the link);
--   open_tickets  JSON array of the trade ids whose open is published and whose close is not yet;
--   scan_from_ms  where the search for new trades starts (entry_ms or exit_ms at or after it),
--                 kept a margin behind the newest trade seen.
ALTER TABLE bot_channels ADD COLUMN published_no INTEGER NOT NULL DEFAULT 0;
ALTER TABLE bot_channels ADD COLUMN open_tickets TEXT NOT NULL DEFAULT '[]';
ALTER TABLE bot_channels ADD COLUMN scan_from_ms INTEGER NOT NULL DEFAULT 0;

-- Links made before this: the trades stored so far count as published (the old hook published
-- them at their run), and the ones still open wait for their close.
UPDATE bot_channels SET
    published_no = coalesce((SELECT b.last_trade_no FROM bots b WHERE b.id = bot_channels.bot_id), 0),
    open_tickets = coalesce((SELECT json_group_array(t.id) FROM trades t
                             WHERE t.bot_id = bot_channels.bot_id AND t.status = 'open'), '[]'),
    scan_from_ms = CAST(strftime('%s', 'now') AS INTEGER) * 1000 - 600000;
