"""Writes one year of candles from the real hourly Coinbase BTC/USD candles in bench/data/
(stitched forwards, backwards, ... like bench/make_candles.py, so prices stay real and
unbroken): 525,600 one-minute candles (the hourly prices relabelled one minute apart) and
8,760 hourly ones. Plain Python, no packages.
Usage: python3 make_year.py SOURCE.csv OUT_DIR"""
import csv
import sys

YEAR_MINUTES = 525_600
YEAR_HOURS = 8_760


def rows(source):
    with open(source) as f:
        reader = csv.DictReader(f)
        return [(r["open"], r["high"], r["low"], r["close"], r["volume"]) for r in reader]


def stitched(forward, count):
    # Played backwards, a candle opens at its close and closes at its open.
    backward = [(c, h, l, o, v) for (o, h, l, c, v) in reversed(forward)]
    out = []
    turn = 0
    while len(out) < count:
        out.extend(forward if turn % 2 == 0 else backward)
        turn += 1
    return out[:count]


def write(path, candles, start_ms, step_ms):
    with open(path, "w") as out:
        out.write("open_time_ms,open,high,low,close,volume\n")
        for i, (o, h, l, c, v) in enumerate(candles):
            out.write(f"{start_ms + i * step_ms},{o},{h},{l},{c},{v}\n")


def main(source, out_dir):
    forward = rows(source)
    start = 1_672_531_200_000  # 2023-01-01T00:00:00Z
    write(f"{out_dir}/year_1m.csv", stitched(forward, YEAR_MINUTES), start, 60_000)
    write(f"{out_dir}/year_1h.csv", stitched(forward, YEAR_HOURS), start, 3_600_000)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
