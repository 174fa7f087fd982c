//! The parameter sweep: up to two of the strategy's numeric parameters over from/to/step
//! ranges, run in parallel Web Workers on the earlier part of the candles and checked on the
//! held-out later part; a heatmap of the chosen metric, the best cells with their held-out
//! result beside them, and "use these parameters" for any cell.

import { useMemo, useState } from 'react';
import type { Params, Strategy } from '../../api/types';
import { usePrefs } from '../../app/prefs';
import type { MessageKey } from '../../i18n/messages';
import { DEFAULTS, paramsOf } from '../../forms/strategyParams';
import {
  bestRows,
  defaultRange,
  gridCells,
  MAX_SETS,
  metricValue,
  METRICS,
  rangeValues,
  shade,
  type MetricKey,
  type Range,
} from '../../lab/grid';
import { runSweep, workerCount } from '../../lab/runner';
import type { LabMetrics, LabSettings, SweepRow } from '../../lab/types';
import { ErrorNote } from '../Notice';
import { SweepHeatmap } from './SweepHeatmap';

interface Props {
  settings: LabSettings;
  columns: Float64Array;
  quote: string;
  onUse(params: Params): Promise<unknown>;
  usedNote: MessageKey;
}

const NONE = '';

export function SweepPanel({ settings, columns, quote, onUse, usedNote }: Props) {
  const { t, amount, number, percent } = usePrefs();
  const strategy = settings.strategy as Strategy;
  const specs = paramsOf(strategy);
  const current = (key: string) => Number(settings.params[key] ?? DEFAULTS[strategy]?.[key] ?? 0);
  const rangeFor = (key: string) => {
    const spec = specs.find((s) => s.key === key);
    return spec ? defaultRange(key, current(key), spec) : null;
  };
  const [ranges, setRanges] = useState<(Range | null)[]>(() => [rangeFor(specs[0]?.key), rangeFor(specs[1]?.key)]);
  const [heldOutPct, setHeldOutPct] = useState(30);
  const [metric, setMetric] = useState<MetricKey>('net_profit');
  const [progress, setProgress] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [result, setResult] = useState<{ rows: SweepRow[]; params: Params[]; ranges: Range[] } | null>(null);
  const [note, setNote] = useState('');
  const [running, setRunning] = useState<AbortController | null>(null);

  const chosen = ranges.filter((r): r is Range => r !== null);
  const cells = useMemo(() => gridCells(settings.params, chosen), [settings.params, JSON.stringify(chosen)]);
  const setRange = (axis: number, patch: Partial<Range> | null, key?: string) =>
    setRanges((old) => old.map((r, i) => (i !== axis ? r : key !== undefined ? (key === NONE ? null : rangeFor(key)) : r && { ...r, ...patch })));

  const run = async () => {
    setError(null);
    setNote('');
    const started = performance.now();
    const workers = workerCount(cells.length);
    const control = new AbortController();
    setRunning(control);
    try {
      const params = cells.map((c) => c.params);
      const rows = await runSweep(
        settings,
        params,
        columns,
        heldOutPct / 100,
        (done, total) => setProgress(t('lab.sweeping', { done: number(done), total: number(total), workers })),
        control.signal,
      );
      setResult({ rows, params, ranges: chosen });
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      setProgress(t('lab.sweepDone', { total: number(rows.length), seconds, workers }));
    } catch (failure) {
      setProgress(control.signal.aborted ? t('lab.sweepCancelled') : '');
      if (!control.signal.aborted) setError(failure instanceof Error ? failure : new Error(String(failure)));
    } finally {
      setRunning(null);
    }
  };
  const use = (params: Params) => {
    setError(null);
    onUse(params).then(() => setNote(t(usedNote)), setError);
  };
  const show = (m: LabMetrics | null | undefined) => {
    const value = metricValue(m, metric);
    if (value == null) return '—';
    if (metric === 'net_profit') return amount(value, quote, true);
    if (metric === 'max_drawdown_pct') return percent(value);
    return number(value, 2);
  };
  const best = result ? bestRows(result.rows, metric, 5) : [];
  const numeric = specs.map((s) => s.key);

  return (
    <div className="lab-sweep" data-testid="sweep-panel">
      <h3>{t('lab.sweep')}</h3>
      <p className="muted">{t('lab.sweepIntro', { inSample: 100 - heldOutPct, heldOut: heldOutPct })}</p>
      {[0, 1].map((axis) => (
        <div className="lab-controls" key={axis} data-testid={`sweep-axis-${axis}`}>
          <label className="field">
            <span className="label">{t('lab.sweepParam', { n: axis + 1 })}</span>
            <select value={ranges[axis]?.key ?? NONE} onChange={(e) => setRange(axis, null, e.target.value)}>
              <option value={NONE}>{t('lab.none')}</option>
              {numeric.map((key) => (
                <option key={key} value={key} disabled={ranges[1 - axis]?.key === key}>
                  {key}
                </option>
              ))}
            </select>
          </label>
          {ranges[axis] &&
            (['from', 'to', 'step'] as const).map((part) => (
              <label className="field narrow" key={part}>
                <span className="label">{t(part === 'from' ? 'lab.rangeFrom' : part === 'to' ? 'lab.rangeTo' : 'lab.rangeStep')}</span>
                <input
                  inputMode="decimal"
                  name={`sweep-${axis}-${part}`}
                  value={String(ranges[axis]![part])}
                  onChange={(e) => setRange(axis, { [part]: Number(e.target.value.replace(',', '.')) })}
                />
              </label>
            ))}
        </div>
      ))}
      <div className="lab-controls">
        <label className="field narrow">
          <span className="label">{t('lab.heldOut')}</span>
          <input inputMode="numeric" name="sweep-held-out" value={heldOutPct} onChange={(e) => setHeldOutPct(Math.min(90, Math.max(0, Number(e.target.value) || 0)))} />
        </label>
        <label className="field">
          <span className="label">{t('lab.metric')}</span>
          <select name="sweep-metric" value={metric} onChange={(e) => setMetric(e.target.value as MetricKey)}>
            {METRICS.map((key) => (
              <option key={key} value={key}>
                {t(`lab.metric.${key}`)}
              </option>
            ))}
          </select>
        </label>
        {running ? (
          <button type="button" data-testid="sweep-cancel" onClick={() => running.abort()}>
            {t('common.cancel')}
          </button>
        ) : (
          <button type="button" className="primary" data-testid="sweep-run" disabled={cells.length === 0} onClick={run}>
            {t('lab.runSweep', { count: number(cells.length) })}
          </button>
        )}
      </div>
      {cells.length === 0 && <p className="error-note">{t('lab.sweepTooBig', { max: number(MAX_SETS) })}</p>}
      {progress && <p className="muted" data-testid="sweep-status" role="status">{progress}</p>}
      {note && <p className="ok-note" role="status">{note}</p>}
      <ErrorNote error={error} />
      {result && (
        <>
          <SweepHeatmap
            rows={result.rows}
            params={result.params}
            axes={result.ranges.map((r) => ({ key: r.key, values: rangeValues(r) }))}
            metric={metric}
            show={show}
            shadeOf={(value, values) => shade(metric, value, values)}
            onUse={use}
          />
          <h4>{t('lab.best')}</h4>
          <div className="table-wrap">
            <table className="trades" data-testid="sweep-best">
              <thead>
                <tr>
                  {result.ranges.map((r) => (
                    <th key={r.key}>{r.key}</th>
                  ))}
                  <th>{t('lab.inSample')}</th>
                  <th>{t('lab.heldOutResult')}</th>
                  <th>{t('lab.fig.trades')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {best.map((index) => {
                  const row = result.rows[index] as Extract<SweepRow, { in_sample: LabMetrics }>;
                  return (
                    <tr key={index} data-testid="sweep-best-row">
                      {result.ranges.map((r) => (
                        <td key={r.key}>{number(Number(result.params[index][r.key]))}</td>
                      ))}
                      <td>{show(row.in_sample)}</td>
                      <td data-testid="sweep-held-out">{show(row.held_out)}</td>
                      <td>
                        {number(row.in_sample.trades)} / {row.held_out ? number(row.held_out.trades) : '—'}
                      </td>
                      <td>
                        <button type="button" onClick={() => use(result.params[index])}>
                          {t('lab.use')}
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
