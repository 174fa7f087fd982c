//! A backtest report as a PDF, drawn in the browser with jsPDF (loaded on demand): title and
//! settings, the figures, the table by month and every trade, over as many A4 pages as needed.

import type { Figure } from '../format/ledger';
import type { MonthRow } from './report';
import type { LabTrade } from './types';

export interface PdfContent {
  title: string;
  /** Label and value lines under the title (period, market, strategy, parameters, capital). */
  settings: [string, string][];
  figuresTitle: string;
  figures: Figure[];
  monthlyTitle: string;
  monthlyHeader: string[];
  monthly: MonthRow[];
  tradesTitle: string;
  tradesHeader: string[];
  trades: LabTrade[];
  /** How money (signed for P&L, plain for fees), prices, counts and times are written. */
  money(value: number): string;
  amount(value: number): string;
  price(value: number): string;
  number(value: number): string;
  time(ms: number): string;
}

const PAGE_BOTTOM = 285;
const LEFT = 14;

export async function reportPdf(content: PdfContent): Promise<Blob> {
  const { jsPDF } = await import('jspdf');
  const doc = new jsPDF({ unit: 'mm', format: 'a4' });
  let y = 18;
  const room = (height: number) => {
    if (y + height > PAGE_BOTTOM) {
      doc.addPage();
      y = 16;
    }
  };
  const heading = (text: string) => {
    room(12);
    y += 4;
    doc.setFont('helvetica', 'bold').setFontSize(12).text(text, LEFT, y);
    y += 6;
    doc.setFont('helvetica', 'normal').setFontSize(9);
  };
  /** One row of cells at the given x positions (right-aligned where `right`). */
  const row = (cells: string[], xs: number[], right: boolean[] = []) => {
    room(5);
    cells.forEach((text, i) => doc.text(text, xs[i], y, right[i] ? { align: 'right' } : undefined));
    y += 4.6;
  };

  doc.setFont('helvetica', 'bold').setFontSize(15).text(content.title, LEFT, y);
  y += 8;
  doc.setFont('helvetica', 'normal').setFontSize(9);
  for (const [label, value] of content.settings) {
    const lines: string[] = doc.splitTextToSize(value, 142);
    lines.forEach((text, i) => row([i === 0 ? label : '', text], [LEFT, 52]));
  }

  heading(content.figuresTitle);
  for (let i = 0; i < content.figures.length; i += 2) {
    const pair = content.figures.slice(i, i + 2);
    row(pair.flatMap((f) => [f.label, f.value]), [LEFT, 95, 108, 195], [false, true, false, true]);
  }

  heading(content.monthlyTitle);
  const monthXs = [LEFT, 70, 95, 150, 195];
  const monthRight = [false, true, true, true, true];
  doc.setFont('helvetica', 'bold');
  row(content.monthlyHeader, monthXs, monthRight);
  doc.setFont('helvetica', 'normal');
  for (const m of content.monthly) {
    row([m.month, content.number(m.trades), content.number(m.wins), content.money(m.netProfit), content.amount(m.fees)], monthXs, monthRight);
  }

  heading(content.tradesTitle);
  doc.setFontSize(8);
  const tradeXs = [LEFT, 22, 48, 94, 120, 150, 168, 172];
  const tradeRight = [false, false, false, true, true, true, true, false];
  const header = () => {
    doc.setFont('helvetica', 'bold');
    row(content.tradesHeader, tradeXs, tradeRight);
    doc.setFont('helvetica', 'normal');
  };
  header();
  for (const t of content.trades) {
    if (y + 5 > PAGE_BOTTOM) {
      room(10);
      header();
    }
    row(
      [
        String(t.trade_id),
        content.time(t.entry_time_ms),
        content.time(t.exit_time_ms),
        content.price(Number(t.entry_price)),
        content.price(Number(t.exit_price)),
        content.money(Number(t.profit_loss)),
        `${content.number(Number(Number(t.profit_pct).toFixed(2)))}%`,
        t.exit_reason,
      ],
      tradeXs,
      tradeRight,
    );
  }
  return doc.output('blob');
}
