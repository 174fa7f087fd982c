"""Stitches the real hourly candles into 1,000,000 continuous ones (see data/README.md):
the series played forwards, then backwards, and so on, so prices stay real and unbroken."""
import sys

import numpy as np

TARGET = 1_000_000


def main(source, destination):
    data = np.genfromtxt(source, delimiter=",", names=True)
    forward = np.column_stack([data[k] for k in ("open", "high", "low", "close", "volume")])
    # Played backwards, a candle opens at its close and closes at its open.
    backward = forward[::-1][:, [3, 1, 2, 0, 4]]
    repeats = -(-TARGET // len(forward))
    rows = np.concatenate([forward if i % 2 == 0 else backward for i in range(repeats)])[:TARGET]
    start = int(data["open_time_ms"][0])
    times = start + 3_600_000 * np.arange(TARGET, dtype=np.int64)
    with open(destination, "w") as out:
        out.write("open_time_ms,open,high,low,close,volume\n")
        for t, (o, h, l, c, v) in zip(times, rows):
            out.write(f"{t},{o:.2f},{h:.2f},{l:.2f},{c:.2f},{v:.8f}\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
