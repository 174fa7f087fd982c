-- A partial take-profit reduces an open trade row (quantity, cost, fees) and books the sold
-- part as a new closed row: the open cost in the running totals follows the reduction.
CREATE TRIGGER trades_reduce AFTER UPDATE OF cost_units ON trades
    WHEN OLD.status = 'open' AND NEW.status = 'open' AND OLD.cost_units <> NEW.cost_units
BEGIN
    UPDATE ledger_totals SET open_cost_units = open_cost_units - OLD.cost_units + NEW.cost_units
        WHERE user_id = NEW.user_id AND bot_id IN ('', NEW.bot_id) AND currency = NEW.quote_currency;
END;
