//! A sweep's heatmap: one cell per parameter set (x: the first parameter, y: the second),
//! coloured from red (worst) to green (best) by the chosen metric; a click picks a cell and
//! shows its in-sample and held-out results with "use these parameters".

import { useState } from 'react';
import type { Params } from '../../api/types';
import { usePrefs } from '../../app/prefs';
import { metricValue, type MetricKey } from '../../lab/grid';
import type { LabMetrics, SweepRow } from '../../lab/types';

interface Props {
  rows: SweepRow[];
  params: Params[];
  axes: { key: string; values: number[] }[];
  metric: MetricKey;
  show(metrics: LabMetrics | null | undefined): string;
  shadeOf(value: number, values: number[]): number;
  onUse(params: Params): void;
}

const colour = (share: number) => `hsl(${Math.round(share * 120)} 65% 32%)`;

export function SweepHeatmap({ rows, params, axes, metric, show, shadeOf, onUse }: Props) {
  const { t, number } = usePrefs();
  const [picked, setPicked] = useState<number | null>(null);
  const [xs, ys = { key: '', values: [NaN] }] = axes;
  const values = rows.flatMap((row) => {
    const value = 'in_sample' in row ? metricValue(row.in_sample, metric) : null;
    return value == null ? [] : [value];
  });
  const chosen = picked == null ? null : rows[picked];

  return (
    <div className="heatmap-box">
      <div className="table-wrap">
        <table className="heatmap" data-testid="sweep-heatmap">
          <thead>
            <tr>
              <th className="corner">
                {ys.key && <span>{ys.key} ↓</span>} <span>{xs.key} →</span>
              </th>
              {xs.values.map((x) => (
                <th key={x}>{number(x)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {ys.values.map((y, j) => (
              <tr key={j}>
                <th>{ys.key ? number(y) : ''}</th>
                {xs.values.map((x, i) => {
                  const index = j * xs.values.length + i;
                  const row = rows[index];
                  const value = row && 'in_sample' in row ? metricValue(row.in_sample, metric) : null;
                  return (
                    <td key={i}>
                      <button
                        type="button"
                        className={picked === index ? 'cell picked' : 'cell'}
                        style={value == null ? undefined : { background: colour(shadeOf(value, values)) }}
                        title={row && 'error' in row ? t('lab.cellRefused', { error: row.error }) : undefined}
                        data-testid="sweep-cell"
                        onClick={() => setPicked(index)}
                      >
                        {row && 'in_sample' in row ? show(row.in_sample) : '×'}
                      </button>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {chosen && picked != null && (
        <div className="heatmap-pick" data-testid="sweep-pick">
          <span>
            {axes.map((a) => `${a.key} = ${number(Number(params[picked][a.key]))}`).join(' · ')}
          </span>
          {'error' in chosen ? (
            <span className="down">{t('lab.cellRefused', { error: chosen.error })}</span>
          ) : (
            <>
              <span>
                {t('lab.inSample')}: <strong>{show(chosen.in_sample)}</strong>
              </span>
              <span>
                {t('lab.heldOutResult')}: <strong>{show(chosen.held_out)}</strong>
              </span>
              <button type="button" className="primary" onClick={() => onUse(params[picked])}>
                {t('lab.use')}
              </button>
            </>
          )}
        </div>
      )}
    </div>
  );
}
