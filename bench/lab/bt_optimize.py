"""backtesting.py's side of the lab sweep benchmark: Backtest.optimize over the grid of
grid.json (RSI period x oversold, 400 sets) on the year of hourly candles, with the lab's rule
(buy while Wilder's RSI, seeded like TA-Lib, is below `oversold` at a candle's close; sell
above `overbought`; take-profit and stop-loss set from the entry) and fees (0.1 % commission
per side, half of a 0.1 % spread on each fill). Prints {"sets", "seconds", "best"} as JSON.
Usage: .venv/bin/python bt_optimize.py year_1h.csv grid.json"""
import json
import sys
import time

import numpy as np
import pandas as pd
from backtesting import Backtest, Strategy


def wilder_rsi(close, period):
    close = np.asarray(close, dtype=float)
    out = np.full(len(close), np.nan)
    change = np.diff(close)
    if len(change) < period:
        return out
    gain = np.where(change > 0, change, 0.0)
    loss = np.where(change < 0, -change, 0.0)
    avg_gain, avg_loss = gain[:period].mean(), loss[:period].mean()
    for i in range(period, len(close)):
        if i > period:
            avg_gain = (avg_gain * (period - 1) + gain[i - 1]) / period
            avg_loss = (avg_loss * (period - 1) + loss[i - 1]) / period
        total = avg_gain + avg_loss
        out[i] = 0.0 if total == 0 else 100.0 * avg_gain / total
    return out


class RsiBot(Strategy):
    period = 14
    oversold = 30
    overbought = 70
    take_profit_pct = 3
    stop_loss_pct = 2

    def init(self):
        self.rsi = self.I(wilder_rsi, self.data.Close, self.period)

    def next(self):
        rsi = self.rsi[-1]
        if np.isnan(rsi):
            return
        price = self.data.Close[-1]
        if not self.position:
            if 0 < rsi < self.oversold:
                self.buy(sl=price * (1 - self.stop_loss_pct / 100), tp=price * (1 + self.take_profit_pct / 100))
        elif rsi > self.overbought:
            self.position.close()


def main(candles_path, grid_path):
    grid = json.load(open(grid_path))
    frame = pd.read_csv(candles_path)
    frame.index = pd.to_datetime(frame.pop("open_time_ms"), unit="ms")
    frame.columns = ["Open", "High", "Low", "Close", "Volume"]
    for key, value in grid["base"].items():
        setattr(RsiBot, key, value)
    # Whole units only in backtesting.py: a cash large enough to buy BTC in units.
    bt = Backtest(frame, RsiBot, cash=10_000_000, commission=grid["fee_pct"] / 100,
                  spread=grid["spread_pct"] / 200, trade_on_close=True, finalize_trades=True)
    started = time.perf_counter()
    stats, heatmap = bt.optimize(**{grid["x"]["key"]: grid["x"]["values"], grid["y"]["key"]: grid["y"]["values"]},
                                 maximize="Return [%]", return_heatmap=True)
    seconds = time.perf_counter() - started
    best = {grid["x"]["key"]: int(getattr(stats._strategy, grid["x"]["key"])),
            grid["y"]["key"]: int(getattr(stats._strategy, grid["y"]["key"])),
            "return_pct": float(stats["Return [%]"]), "trades": int(stats["# Trades"])}
    print(json.dumps({"sets": int(heatmap.size), "seconds": seconds, "best": best}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
