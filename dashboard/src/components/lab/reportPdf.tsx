//! The report's PDF in the viewer's language: the texts and formats of the page handed to
//! lab/pdf.ts (loaded, with jsPDF, only when asked for).

import type { Prefs } from '../../app/prefs';
import type { Figure } from '../../format/ledger';
import { saveFile } from '../../lab/download';
import type { MonthRow, ReportMeta } from '../../lab/report';
import type { LabReport } from '../../lab/types';

export async function downloadPdf(
  prefs: Prefs,
  meta: ReportMeta,
  report: LabReport,
  figures: Figure[],
  monthly: MonthRow[],
  filename: string,
) {
  const { t, amount, number } = prefs;
  const quote = meta.symbol.split('/')[1] ?? '';
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const { reportPdf } = await import('../../lab/pdf');
  const blob = await reportPdf({
    title: t('lab.reportTitle', { name: meta.name }),
    settings: [
      [t('lab.period'), `${day(meta.fromMs)} – ${day(meta.toMs - 1)} · ${meta.timeframe}`],
      [t('lab.symbol'), `${meta.exchange} · ${meta.symbol}`],
      [t('lab.strategy'), meta.strategy],
      [t('bots.params'), JSON.stringify(meta.params)],
      [t('lab.capital'), amount(meta.capital, quote)],
      [t('lab.assumptions'), t('lab.assumptionsLine', { ...report.assumptions })],
    ],
    figuresTitle: t('lab.figures'),
    figures,
    monthlyTitle: t('lab.monthly'),
    monthlyHeader: [t('lab.month'), t('lab.fig.trades'), t('lab.wins'), t('fig.netProfit'), t('fig.fees')],
    monthly,
    tradesTitle: t('lab.trades', { count: number(report.trades.length) }),
    tradesHeader: ['#', t('lab.entryTime'), t('lab.exitTime'), t('trades.entry'), t('trades.exit'), t('trades.pnl'), '%', t('trades.reason')],
    trades: report.trades,
    money: (value) => amount(value, quote, true),
    amount: (value) => amount(value, quote),
    price: (value) => number(value, Math.abs(value) >= 100 ? 2 : Math.abs(value) >= 1 ? 4 : 8),
    number: (value) => number(value),
    // UTC, to the minute: narrow enough for the trade table in either language.
    time: (ms) => new Date(ms).toISOString().slice(0, 16).replace('T', ' '),
  });
  saveFile(blob, filename);
}
