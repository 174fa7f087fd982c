//! The equity curve as a light SVG line, one per currency (amounts of two currencies are never
//! put on one line): start balance, then the balance after each closed trade.

import type { EquitySeries } from '../api/types';

export interface EquityPoint {
  at: string;
  value: number;
}

export function EquityChart({ points, label }: { points: EquityPoint[]; label: string }) {
  const width = 600;
  const height = 180;
  const values = points.map((p) => p.value);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const x = (i: number) => (points.length === 1 ? width : (i / (points.length - 1)) * width);
  const y = (v: number) => height - 8 - ((v - min) / span) * (height - 16);
  const line = points.map((p, i) => `${x(i).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
  const up = values[values.length - 1] >= values[0];
  return (
    <svg className="equity" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" role="img" aria-label={label}>
      <polyline points={`0,${height} ${line} ${width},${height}`} className={up ? 'area up' : 'area down'} />
      <polyline points={line} className={up ? 'line up' : 'line down'} />
    </svg>
  );
}

/** One currency's curve as the chart draws it. */
export interface CurrencyCurve {
  currency: string;
  start: number;
  last: number;
  points: EquityPoint[];
}

const DOLLARS = new Set(['USD', 'USDT', 'USDC', 'FDUSD']);
const sameMoney = (a: string, b: string) => a === b || (DOLLARS.has(a) && DOLLARS.has(b));

/**
 * The curves worth drawing: each currency with at least one closed trade, its start balance
 * first; the display currency's own (dollar-like ones count as USD) before the others, which
 * keep the server's order.
 */
export function equityCurves(series: EquitySeries[], display?: string): CurrencyCurve[] {
  const curves = series
    .filter((s) => s.points.length > 0)
    .map((s) => ({
      currency: s.currency,
      start: s.start_balance,
      last: s.points[s.points.length - 1].equity,
      points: [{ at: '', value: s.start_balance }, ...s.points.map((p) => ({ at: p.time, value: p.equity }))],
    }));
  if (!display) return curves;
  const rank = (c: CurrencyCurve) => (sameMoney(c.currency, display) ? 0 : 1);
  return curves.map((c, i) => [c, i] as const).sort(([a, i], [b, j]) => rank(a) - rank(b) || i - j).map(([c]) => c);
}
