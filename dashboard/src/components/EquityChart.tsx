//! The equity curve as a light SVG line: balance after each closed trade.

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

/** Cumulative balance from a starting amount through closed trades, oldest first. */
export function equityPoints(
  start: number,
  trades: { exit_time: string | null; profit_loss: number | null; status: string }[],
): EquityPoint[] {
  const closed = trades
    .filter((t) => t.status === 'closed' && t.exit_time)
    .sort((a, b) => (a.exit_time! < b.exit_time! ? -1 : 1));
  let value = start;
  const points: EquityPoint[] = [];
  for (const trade of closed) {
    value += trade.profit_loss ?? 0;
    points.push({ at: trade.exit_time!, value });
  }
  return points.length ? [{ at: '', value: start }, ...points] : [];
}
