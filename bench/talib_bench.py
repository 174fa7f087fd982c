"""Times TA-Lib's RSI(14), MACD(12,26,9) and BBANDS(20,2) on the benchmark candles.

Prints JSON: best-of-N seconds per indicator (this thread's CPU time, the clock the Rust side
reads too) and the sum of each output (NaNs skipped), which the Rust side compares with its
own to prove both computed the same thing.
"""
import json
import sys
import time

import numpy as np
import talib

RUNS = 30


def best(fn):
    times = []
    for _ in range(RUNS):
        start = time.thread_time()
        out = fn()
        times.append(time.thread_time() - start)
    return min(times), out


def checksum(*arrays):
    return [float(np.nansum(a)) for a in arrays]


def main(path):
    close = np.ascontiguousarray(np.genfromtxt(path, delimiter=",", skip_header=1, usecols=4))
    rsi_s, rsi = best(lambda: talib.RSI(close, 14))
    macd_s, macd = best(lambda: talib.MACD(close, 12, 26, 9))
    bb_s, bb = best(lambda: talib.BBANDS(close, 20, 2.0, 2.0, 0))
    print(json.dumps({
        "talib_version": talib.__version__,
        "candles": len(close),
        "rsi": {"seconds": rsi_s, "sums": checksum(rsi)},
        "macd": {"seconds": macd_s, "sums": checksum(*macd)},
        "bbands": {"seconds": bb_s, "sums": checksum(*bb)},
    }))


if __name__ == "__main__":
    main(sys.argv[1])
