//! A backtest's report on the page: the figures (with what they mean), equity and drawdown,
//! every trade marked on the candle chart, the table by month, the trade list, "use these
//! parameters" and the CSV and PDF downloads.

import { useMemo, useState } from 'react';
import type { Candle, Params } from '../../api/types';
import { usePrefs } from '../../app/prefs';
import type { MessageKey } from '../../i18n/messages';
import { reportCsv, asTrade, monthlyRows, reportFigures, type ReportMeta } from '../../lab/report';
import { saveFile } from '../../lab/download';
import type { LabReport } from '../../lab/types';
import { CandleChart } from '../CandleChart';
import { CurrencyFigures } from '../Figures';
import { ErrorNote } from '../Notice';
import { TradeTable } from '../TradeTable';
import { LabCurves } from './LabCurves';
import { downloadPdf } from './reportPdf';

export interface ReportViewProps {
  report: LabReport;
  meta: ReportMeta;
  candles: Candle[];
  quote: string;
  onUse(params: Params): Promise<unknown>;
  usedNote: MessageKey;
}

const fileName = (meta: ReportMeta, ext: string) =>
  `auronex-backtest-${meta.name.replace(/[^\w-]+/g, '_')}-${meta.symbol.replace('/', '')}-${new Date(meta.fromMs).toISOString().slice(0, 10)}.${ext}`;

export function LabReportView({ report, meta, candles, quote, onUse, usedNote }: ReportViewProps) {
  const prefs = usePrefs();
  const { t, amount, number, locale } = prefs;
  const [error, setError] = useState<Error | null>(null);
  const [note, setNote] = useState('');
  const trades = useMemo(() => report.trades.map((trade) => asTrade(trade, meta, quote)), [report, meta, quote]);
  const months = useMemo(() => monthlyRows(report.trades), [report]);
  const figures = reportFigures(report, quote, locale);
  const act = (work: () => Promise<unknown>) => {
    setError(null);
    work().catch(setError);
  };

  return (
    <div className="lab-report" data-testid="lab-report">
      <div className="page-head">
        <h3>{t('lab.figures')}</h3>
        <button type="button" className="primary" data-testid="lab-use" onClick={() => act(() => onUse(meta.params).then(() => setNote(t(usedNote))))}>
          {t('lab.use')}
        </button>
      </div>
      <p className="muted lab-params">
        {t('lab.params', { params: JSON.stringify(meta.params) })} · {t('lab.assumptionsLine', { ...report.assumptions })}
      </p>
      {note && <p className="ok-note" role="status">{note}</p>}
      <ErrorNote error={error} />
      <div className="currency-group" data-testid="lab-figures">
        <CurrencyFigures currency={quote} figures={figures} />
      </div>
      <details className="hint lab-help">
        <summary>{t('lab.helpTitle')}</summary>
        {t('lab.help')}
      </details>
      {report.refused_entries > 0 && <p className="muted">{t('lab.refused', { count: number(report.refused_entries) })}</p>}
      <h3>{t('lab.equity')}</h3>
      <LabCurves equity={report.equity} drawdown={report.drawdown_pct} />
      <h3>{t('lab.tradesOnChart')}</h3>
      <CandleChart candles={candles} trades={trades} symbol={meta.symbol} />
      <div className="page-head lab-downloads">
        <h3>{t('lab.monthly')}</h3>
        <button type="button" data-testid="lab-csv" onClick={() => saveFile(new Blob([reportCsv(meta, report)], { type: 'text/csv' }), fileName(meta, 'csv'))}>
          {t('lab.csv')}
        </button>
        <button type="button" data-testid="lab-pdf" onClick={() => act(() => downloadPdf(prefs, meta, report, figures, months, fileName(meta, 'pdf')))}>
          {t('lab.pdf')}
        </button>
      </div>
      <div className="table-wrap">
        <table className="trades" data-testid="lab-monthly">
          <thead>
            <tr>
              <th>{t('lab.month')}</th>
              <th>{t('lab.fig.trades')}</th>
              <th>{t('lab.wins')}</th>
              <th>{t('fig.netProfit')}</th>
              <th>{t('fig.fees')}</th>
            </tr>
          </thead>
          <tbody>
            {months.map((m) => (
              <tr key={m.month}>
                <td>{m.month}</td>
                <td>{number(m.trades)}</td>
                <td>{number(m.wins)}</td>
                <td className={m.netProfit >= 0 ? 'up' : 'down'}>{amount(m.netProfit, quote, true)}</td>
                <td>{amount(m.fees, quote)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>{t('lab.trades', { count: number(trades.length) })}</h3>
      <TradeTable trades={trades} />
    </div>
  );
}
