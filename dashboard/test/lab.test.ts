//! The strategy lab's pure parts: sweep grids and best cells, candle columns, the report's
//! table by month, its CSV, and the "use these parameters" body.
import { describe, expect, it } from 'vitest';
import type { Bot } from '../src/api/types';
import { withParams } from '../src/forms/botForm';
import { toColumns } from '../src/lab/columns';
import { bestRows, defaultRange, gridCells, niceStep, rangeValues, shade } from '../src/lab/grid';
import { monthlyRows, reportCsv, type ReportMeta } from '../src/lab/report';
import type { LabMetrics, LabReport, LabTrade, SweepRow } from '../src/lab/types';

const metrics = (net: number, trades = 3, drawdown = 5): LabMetrics => ({
  trades, wins: 1, losses: 1, win_rate_pct: '50', net_profit: String(net), gross_profit: '0', gross_loss: '0',
  fees_paid: '0.5', profit_factor: null, expectancy: '0', max_drawdown: '0', max_drawdown_pct: String(drawdown),
  sharpe: 1.25, sortino: null, exposure_pct: '10', start_capital: '1000', final_equity: String(1000 + net), return_pct: '0',
});

const trade = (id: number, exitIso: string, pnl: string): LabTrade => ({
  trade_id: id, symbol: 'BTC/USDT', entry_price: '100.5', exit_price: '101', quantity: '0.1', fees: '0.02',
  profit_loss: pnl, profit_pct: '0.5', entry_time_ms: Date.parse(exitIso) - 3_600_000, exit_time_ms: Date.parse(exitIso),
  exit_reason: 'take_profit',
});

describe('sweep grid', () => {
  it('steps through a range without float drift and refuses a bad one', () => {
    expect(rangeValues({ key: 'x', from: 0.1, to: 0.5, step: 0.1 })).toEqual([0.1, 0.2, 0.3, 0.4, 0.5]);
    expect(rangeValues({ key: 'x', from: 10, to: 14, step: 2 })).toEqual([10, 12, 14]);
    expect(rangeValues({ key: 'x', from: 5, to: 1, step: 1 })).toEqual([]);
    expect(rangeValues({ key: 'x', from: 1, to: 5, step: 0 })).toEqual([]);
    expect(rangeValues({ key: 'x', from: 0, to: 1e6, step: 1 })).toEqual([]);
  });

  it('crosses two ranges over the base parameters, the first varying fastest', () => {
    const cells = gridCells({ period: 14, entry: 'below' }, [
      { key: 'period', from: 10, to: 12, step: 1 },
      { key: 'oversold', from: 20, to: 30, step: 10 },
    ]);
    expect(cells.map((c) => c.params)).toEqual([
      { period: 10, entry: 'below', oversold: 20 },
      { period: 11, entry: 'below', oversold: 20 },
      { period: 12, entry: 'below', oversold: 20 },
      { period: 10, entry: 'below', oversold: 30 },
      { period: 11, entry: 'below', oversold: 30 },
      { period: 12, entry: 'below', oversold: 30 },
    ]);
    expect(cells[4].at).toEqual([1, 1]);
    expect(gridCells({}, [{ key: 'a', from: 1, to: 100, step: 1 }, { key: 'b', from: 1, to: 100, step: 1 }])).toEqual([]);
  });

  it('starts near the current value, within bounds', () => {
    expect(defaultRange('period', 14, { whole: true, min: 2, max: 100 })).toEqual({ key: 'period', from: 9, to: 19, step: 1 });
    expect(defaultRange('period', 3, { whole: true, min: 2, max: 100 }).from).toBe(2);
    const std = defaultRange('std_dev', 2, { whole: false, min: 0.1, max: 10 });
    expect(std).toEqual({ key: 'std_dev', from: 1, to: 3, step: 0.2 });
    expect(rangeValues(std)).toHaveLength(11);
    expect(defaultRange('oversold', 35, { whole: false, min: 0, max: 100 })).toEqual({ key: 'oversold', from: 10, to: 60, step: 5 });
    expect([0.34, 3.5, 14, 0.07].map(niceStep)).toEqual([0.5, 5, 10, 0.05]);
  });

  it('ranks rows that traded, lower drawdown first for the drawdown', () => {
    const rows: SweepRow[] = [
      { in_sample: metrics(10, 3, 9), held_out: null },
      { error: 'bad' },
      { in_sample: metrics(50, 0, 1), held_out: null },
      { in_sample: metrics(30, 2, 2), held_out: metrics(-5) },
    ];
    expect(bestRows(rows, 'net_profit', 5)).toEqual([3, 0]);
    expect(bestRows(rows, 'max_drawdown_pct', 1)).toEqual([3]);
    expect(shade('net_profit', 30, [10, 30])).toBe(1);
    expect(shade('max_drawdown_pct', 9, [2, 9])).toBe(0);
  });
});

describe('report', () => {
  const report: LabReport = {
    assumptions: { fee_pct: '0.1', spread_pct: '0.1', slippage_pct: '0', lot_step: '0.00000001', min_notional: '1', stake: '1000' },
    trades: [trade(1, '2026-01-31T23:00:00Z', '2.5'), trade(2, '2026-02-01T01:00:00Z', '-1'), trade(3, '2026-02-10T00:00:00Z', '4')],
    metrics: metrics(5.5),
    refused_entries: 0,
    buy_and_hold_pct: '12.5',
    equity: [],
    drawdown_pct: [],
  };
  const meta: ReportMeta = {
    name: 'My, "bot"', exchange: 'binance', symbol: 'BTC/USDT', strategy: 'rsi', params: { period: 7 }, capital: 1000,
    timeframe: '1h', fromMs: Date.parse('2026-01-01T00:00:00Z'), toMs: Date.parse('2026-03-01T00:00:00Z'),
  };

  it('totals trades by the UTC month of their exit', () => {
    expect(monthlyRows(report.trades)).toEqual([
      { month: '2026-01', trades: 1, wins: 1, netProfit: 2.5, fees: 0.02 },
      { month: '2026-02', trades: 2, wins: 1, netProfit: 3, fees: 0.04 },
    ]);
  });

  it('writes settings, metrics, months and every trade with exact decimals as CSV', () => {
    const csv = reportCsv(meta, report).split('\n');
    expect(csv[0]).toBe('bot,"My, ""bot"""');
    expect(csv).toContain('params,"{""period"":7}"');
    expect(csv).toContain('net_profit,5.5');
    expect(csv).toContain('fee_pct,0.1');
    expect(csv).toContain('buy_and_hold_pct,12.5');
    expect(csv).toContain('2026-02,2,1,3.00000000,0.04000000');
    expect(csv).toContain('2,BTC/USDT,2026-02-01T00:00:00.000Z,2026-02-01T01:00:00.000Z,100.5,101,0.1,0.02,-1,0.5,take_profit');
  });
});

describe('columns and bot updates', () => {
  it('lays candles out as six columns, times in ms', () => {
    const columns = toColumns([
      { time: 1_700_000_000_000, open: 1, high: 2, low: 0.5, close: 1.5, volume: 10 },
      { time: '2023-11-14T22:14:20Z', open: 1.5, high: 2.5, low: 1, close: 2, volume: 11 },
    ]);
    expect([...columns]).toEqual([1_700_000_000_000, 1_700_000_060_000, 1, 1.5, 2, 2.5, 0.5, 1, 1.5, 2, 10, 11]);
  });

  it('keeps everything of the bot but the parameters it is given', () => {
    const bot = {
      id: 'b1', name: 'Bot one', exchange: 'binance', symbols: ['BTC/USDT'], capital: 500, strategy: 'rsi',
      analysis_interval: 60, params: { period: 14, take_profit_pct: 3 }, quote_currency: 'USDT', is_active: false,
      created_at: '', updated_at: '',
    } as Bot;
    expect(withParams(bot, { period: 9, oversold: 25 })).toEqual({
      name: 'Bot one', exchange: 'binance', symbols: ['BTC/USDT'], capital: 500, strategy: 'rsi', analysis_interval: 60,
      params: { period: 9, oversold: 25 },
    });
  });
});
