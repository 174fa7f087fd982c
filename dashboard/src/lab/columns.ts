//! Candles as the lab's wasm takes them: one Float64Array of six columns (open times in ms,
//! opens, highs, lows, closes, volumes), cheap to copy into a Web Worker and into wasm.

import type { Candle } from '../api/types';

/** A candle's open time in ms, whether the API gave ms, seconds or ISO text. */
export const openTimeMs = (time: number | string) =>
  typeof time === 'number' ? (time > 1e12 ? time : time * 1000) : Date.parse(time);

export function toColumns(candles: Candle[]): Float64Array {
  const n = candles.length;
  const columns = new Float64Array(n * 6);
  candles.forEach((c, i) => {
    columns[i] = openTimeMs(c.time);
    columns[n + i] = Number(c.open);
    columns[2 * n + i] = Number(c.high);
    columns[3 * n + i] = Number(c.low);
    columns[4 * n + i] = Number(c.close);
    columns[5 * n + i] = Number(c.volume);
  });
  return columns;
}
