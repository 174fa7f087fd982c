//! The Backtest panel of the bot page and the bot form: a period, a timeframe and one of the
//! bot's markets; fetches the candles, runs the bot's strategy and parameters over them in a
//! Web Worker (the page stays responsive), shows the report and offers the parameter sweep.

import { useState } from 'react';
import type { Candle, Params } from '../../api/types';
import { usePrefs } from '../../app/prefs';
import type { MessageKey } from '../../i18n/messages';
import { useApi } from '../../auth/session';
import { periodCandles, TIMEFRAME_MS, TIMEFRAMES, type Timeframe } from '../../lab/candles';
import { toColumns } from '../../lab/columns';
import type { ReportMeta } from '../../lab/report';
import { runBacktest } from '../../lab/runner';
import type { LabReport, LabSettings } from '../../lab/types';
import { ErrorNote } from '../Notice';
import { LabReportView } from './LabReportView';
import { SweepPanel } from './SweepPanel';
import './lab.css';

/** What the panel needs of a bot (a saved one, or the form's values). */
export interface LabBot {
  name: string;
  exchange: string;
  symbols: string[];
  strategy: string;
  params: Params;
  capital: number;
}

interface Ran {
  report: LabReport;
  meta: ReportMeta;
  candles: Candle[];
  columns: Float64Array;
  settings: LabSettings;
}

const DAY_MS = 86_400_000;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (text: string) => Date.parse(`${text}T00:00:00Z`);

export function BacktestPanel({ bot, onUse, usedNote }: { bot: LabBot; onUse(params: Params): Promise<unknown>; usedNote: MessageKey }) {
  const api = useApi();
  const { t, number } = usePrefs();
  const today = dayMs(day(Date.now()));
  const [symbol, setSymbol] = useState(bot.symbols[0] ?? '');
  const [timeframe, setTimeframe] = useState<Timeframe>('1h');
  const [from, setFrom] = useState(day(today - 30 * DAY_MS));
  const [to, setTo] = useState(day(today));
  const [status, setStatus] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [ran, setRan] = useState<Ran | null>(null);
  const market = bot.symbols.includes(symbol) ? symbol : (bot.symbols[0] ?? '');
  const quote = market.split('/')[1] ?? '';

  const run = async () => {
    setError(null);
    const fromMs = dayMs(from);
    const toMs = dayMs(to) + DAY_MS;
    try {
      setStatus(t('lab.loadingCandles'));
      const candles = await periodCandles(api, { exchange: bot.exchange, symbol: market, timeframe, fromMs, toMs });
      if (candles.length === 0) throw new Error(t('lab.noCandles'));
      setStatus(t('lab.running', { count: number(candles.length) }));
      const settings: LabSettings = {
        exchange: bot.exchange,
        symbol: market,
        strategy: bot.strategy,
        params: bot.params,
        capital: bot.capital,
        markets: bot.symbols.length,
      };
      const columns = toColumns(candles);
      const report = await runBacktest(settings, columns);
      const first = columns[0];
      const last = columns[candles.length - 1] + TIMEFRAME_MS[timeframe];
      const meta: ReportMeta = { ...settings, name: bot.name, timeframe, fromMs: first, toMs: last };
      setRan({ report, meta, candles, columns, settings });
      setStatus(t('lab.candles', { count: number(candles.length), from: day(first), to: day(last - 1) }));
    } catch (failure) {
      setStatus('');
      setError(failure instanceof Error ? failure : new Error(String(failure)));
    }
  };

  return (
    <div className="panel lab" data-testid="backtest-panel">
      <h2>{t('lab.title')}</h2>
      <p className="muted">{t('lab.intro', { symbol: market, exchange: bot.exchange })}</p>
      <div className="lab-controls">
        {bot.symbols.length > 1 && (
          <label className="field">
            <span className="label">{t('lab.symbol')}</span>
            <select value={market} onChange={(e) => setSymbol(e.target.value)}>
              {bot.symbols.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </label>
        )}
        <label className="field">
          <span className="label">{t('lab.timeframe')}</span>
          <select name="lab-timeframe" value={timeframe} onChange={(e) => setTimeframe(e.target.value as Timeframe)}>
            {TIMEFRAMES.map((tf) => (
              <option key={tf}>{tf}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span className="label">{t('lab.from')}</span>
          <input type="date" name="lab-from" value={from} max={to} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label className="field">
          <span className="label">{t('lab.to')}</span>
          <input type="date" name="lab-to" value={to} min={from} onChange={(e) => setTo(e.target.value)} />
        </label>
        <button type="button" className="primary" data-testid="lab-run" disabled={!market || !from || !to} onClick={run}>
          {t('lab.run')}
        </button>
      </div>
      {status && <p className="muted" data-testid="lab-status" role="status">{status}</p>}
      <ErrorNote error={error} />
      {ran && <LabReportView report={ran.report} meta={ran.meta} candles={ran.candles} quote={quote} onUse={onUse} usedNote={usedNote} />}
      {ran && <SweepPanel settings={ran.settings} columns={ran.columns} quote={quote} onUse={onUse} usedNote={usedNote} />}
    </div>
  );
}
