//! A parameter sweep's grid (up to two parameters, each a from/to/step range), the metric a
//! heatmap colours by, and the best cells: pure, so the page and its tests share it.

import type { Params } from '../api/types';
import type { LabMetrics, SweepRow } from './types';

export interface Range {
  key: string;
  from: number;
  to: number;
  step: number;
}

/** Most parameter sets one sweep runs. */
export const MAX_SETS = 2_500;

export type MetricKey = 'net_profit' | 'profit_factor' | 'sharpe' | 'max_drawdown_pct';
export const METRICS: MetricKey[] = ['net_profit', 'profit_factor', 'sharpe', 'max_drawdown_pct'];

/** `from`, `from + step`, ... up to `to` (inclusive), without float drift; [] when invalid. */
export function rangeValues({ from, to, step }: Range): number[] {
  if (![from, to, step].every(Number.isFinite) || step <= 0 || to < from) return [];
  const decimals = Math.max(...[from, step].map((x) => (String(x).split('.')[1] ?? '').length));
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > MAX_SETS) return [];
  return Array.from({ length: count }, (_, i) => Number((from + i * step).toFixed(decimals)));
}

export interface Cell {
  /** Index of each swept parameter's value: [x] or [x, y]. */
  at: number[];
  params: Params;
}

/** Every combination of the ranges' values over `base` (x varies fastest). */
export function gridCells(base: Params, ranges: Range[]): Cell[] {
  const axes = ranges.map(rangeValues);
  if (axes.length === 0 || axes.some((values) => values.length === 0)) return [];
  const [xs, ys = [undefined]] = axes;
  if (xs.length * ys.length > MAX_SETS) return [];
  return ys.flatMap((y, j) =>
    xs.map((x, i) => ({
      at: ranges.length > 1 ? [i, j] : [i],
      params: { ...base, [ranges[0].key]: x, ...(ranges.length > 1 ? { [ranges[1].key]: y as number } : {}) },
    })),
  );
}

/** The figure a cell shows; null when there is none (no losing trade: no profit factor). */
export function metricValue(metrics: LabMetrics | null | undefined, key: MetricKey): number | null {
  const value = metrics?.[key];
  return value == null ? null : Number(value);
}

/** Higher is better, except for the drawdown. */
export const isBetter = (key: MetricKey, a: number, b: number) => (key === 'max_drawdown_pct' ? a < b : a > b);

/** Indexes of the `count` best rows that ran and traded, best first. */
export function bestRows(rows: SweepRow[], key: MetricKey, count: number): number[] {
  const scored = rows.flatMap((row, index) => {
    if (!('in_sample' in row) || row.in_sample.trades === 0) return [];
    const value = metricValue(row.in_sample, key);
    return value == null ? [] : [{ index, value }];
  });
  scored.sort((a, b) => (isBetter(key, a.value, b.value) ? -1 : isBetter(key, b.value, a.value) ? 1 : a.index - b.index));
  return scored.slice(0, count).map((s) => s.index);
}

/** `items` in consecutive runs of `size` (the last one shorter). */
export function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += Math.max(1, size)) out.push(items.slice(i, i + Math.max(1, size)));
  return out;
}

/** A starting range around a parameter's current value, within its bounds: about 11 values. */
export function defaultRange(key: string, current: number, bounds: { whole: boolean; min: number; max: number }): Range {
  const clamp = (x: number) => Math.min(bounds.max, Math.max(bounds.min, x));
  if (bounds.whole) {
    const step = Math.max(1, Math.round(current / 10));
    return { key, from: clamp(current - 5 * step), to: clamp(current + 5 * step), step };
  }
  const step = niceStep(Math.max(current / 10, 0.01));
  return { key, from: clamp(Number((current - 5 * step).toFixed(4))), to: clamp(Number((current + 5 * step).toFixed(4))), step };
}

/** The 1, 2 or 5 times a power of ten nearest to `x` (steps a person would type). */
export function niceStep(x: number): number {
  const power = 10 ** Math.floor(Math.log10(x));
  const [best] = [1, 2, 5, 10].map((m) => m * power).sort((a, b) => Math.abs(Math.log(a / x)) - Math.abs(Math.log(b / x)));
  return Number(best.toPrecision(1));
}

/** 0 (worst) to 1 (best) of `value` among `values`, for a cell's colour. */
export function shade(key: MetricKey, value: number, values: number[]): number {
  const low = Math.min(...values);
  const high = Math.max(...values);
  if (high === low) return 0.5;
  const share = (value - low) / (high - low);
  return key === 'max_drawdown_pct' ? 1 - share : share;
}
