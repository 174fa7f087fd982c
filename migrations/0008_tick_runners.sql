-- Tick bookkeeping for split ticks and sub-minute runners: what each cron tick cost, and an
-- index for selecting the due bots of one speed.

ALTER TABLE tick_runs ADD COLUMN markets INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tick_runs ADD COLUMN partitions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tick_runs ADD COLUMN failed_partitions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tick_runs ADD COLUMN d1_statements INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tick_runs ADD COLUMN duration_ms INTEGER NOT NULL DEFAULT 0;

CREATE INDEX bots_speed_due ON bots (is_active, analysis_interval, last_run_ms);
