//! The ledger's figures as text, on answers shaped like the API's (docs: /work/ledger-spec.md,
//! worker/openapi.json Conversion / CurrencyStats): the rate lines beside a converted total,
//! what is said when a total could not be converted, and one currency's figures.
import { describe, expect, it } from 'vitest';
import type { Conversion, CurrencyStats, CurrencySummary } from '../src/api/types';
import { conversionLines, missingNote, quotedAt, rateLine, statsFigures, summaryFigures } from '../src/format/ledger';

const nbsp = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');
const clock = { now: new Date('2026-12-02T18:30:00Z'), timeZone: 'UTC' };

const conversion: Conversion = {
  currency: 'USD',
  rates: [
    { pair: 'USDT/USD', rate: 1, source: 'peg', as_of: null },
    { pair: 'USD/BRL', rate: 5.1, source: 'awesomeapi', as_of: '2026-12-02T14:02:09.000Z' },
  ],
  missing: [],
};

describe('rate lines', () => {
  it('writes a market rate with its source and time, and a peg as a peg, market rates first', () => {
    expect(conversionLines(conversion, 'en', clock)).toEqual(['1 USD = 5.10 BRL · AwesomeAPI · 14:02', 'USDT = USD (1:1 peg)']);
    expect(conversionLines(conversion, 'pt-BR', clock)).toEqual([
      '1 USD = 5,10 BRL · AwesomeAPI · 14:02',
      'USDT = USD (paridade 1:1)',
    ]);
  });
  it('keeps four decimals of a rate and names the day of a quote that is not from today', () => {
    const rate = { pair: 'USD/BRL', rate: 5.43219, source: 'awesomeapi', as_of: '2026-12-01T09:05:00Z' };
    expect(rateLine(rate, 'en', clock)).toBe('1 USD = 5.4322 BRL · AwesomeAPI · 12/01, 09:05');
    expect(rateLine(rate, 'pt-BR', clock)).toBe('1 USD = 5,4322 BRL · AwesomeAPI · 01/12, 09:05');
  });
  it('writes the time on a 24-hour clock in the given time zone', () => {
    expect(quotedAt('2026-12-02T14:02:00Z', 'en', { now: clock.now, timeZone: 'America/Sao_Paulo' })).toBe('11:02');
    expect(quotedAt('not a time', 'en', clock)).toBe('not a time');
  });
  it('lists nothing when no rate was needed', () => {
    expect(conversionLines({ currency: 'BRL', rates: [], missing: [] }, 'en')).toEqual([]);
  });
});

describe('missingNote', () => {
  it('is null when the total can be shown', () => {
    expect(missingNote(123.4, conversion, 'en')).toBeNull();
    expect(missingNote(0, conversion, 'en')).toBeNull();
  });
  it('names the currencies without a rate, even beside a total that did add up', () => {
    const missing = { ...conversion, missing: ['BRL', 'EUR'] };
    expect(missingNote(null, missing, 'en')).toBe('No rate for BRL, EUR to USD: no combined total.');
    expect(missingNote(10, missing, 'pt-BR')).toBe('Sem cotação de BRL, EUR para USD: sem total combinado.');
  });
  it('says so when a total is null for another reason', () => {
    expect(missingNote(null, conversion, 'en')).toBe('No combined total in USD right now.');
  });
});

const summary: CurrencySummary = {
  currency: 'BRL',
  total_balance: 5012.5,
  capital_invested: 500,
  in_positions: 250,
  available: 4512.5,
  net_profit: 12.5,
  profit_today: -2.25,
  trades_today: 3,
  closed_trades: 4,
  win_rate: 75,
  profit_factor: 3.5,
  expectancy: 3.125,
  max_drawdown: 2.25,
  fees: 1.1,
};

describe('summaryFigures', () => {
  it("gives the overview's nine figures, every amount in the currency's own money, P&L signed and toned", () => {
    const figures = summaryFigures(summary, 'pt-BR');
    expect(figures.map((f) => [f.label, nbsp(f.value), f.tone])).toEqual([
      ['Saldo', 'R$ 5.012,50', undefined],
      ['Disponível', 'R$ 4.512,50', undefined],
      ['Em posições', 'R$ 250,00', undefined],
      ['Lucro líquido', '+R$ 12,50', 'up'],
      ['Hoje', '-R$ 2,25', 'down'],
      ['Taxa de acerto', '75%', undefined],
      ['Fator de lucro', '3,50', undefined],
      ['Expectativa', '+R$ 3,13', 'up'],
      ['Drawdown máximo', 'R$ 2,25', undefined],
    ]);
  });
  it('writes a stablecoin as itself and a missing ratio or an empty history as a dash', () => {
    const usdt = { ...summary, currency: 'USDT', closed_trades: 0, win_rate: 0, profit_factor: null, expectancy: null };
    const byKey = Object.fromEntries(summaryFigures(usdt, 'en').map((f) => [f.key, f.value]));
    expect(byKey.balance).toBe('5,012.50 USDT');
    expect([byKey.win_rate, byKey.profit_factor, byKey.expectancy]).toEqual(['—', '—', '—']);
  });
});

describe('statsFigures', () => {
  it("gives a bot's figures over its whole history in the currency it traded in", () => {
    const stats: CurrencyStats = {
      currency: 'USDT',
      total_trades: 5,
      open_trades: 1,
      closed_trades: 4,
      wins: 2,
      losses: 2,
      win_rate: 50,
      gross_profit: 20,
      gross_loss: 8,
      net_profit: 12,
      profit_factor: 2.5,
      expectancy: 3,
      max_drawdown: 5,
      fees: 0.4,
      open_cost: 100,
    };
    expect(statsFigures(stats, 'en').map((f) => `${f.label}: ${f.value}`)).toEqual([
      'Net profit: +12.00 USDT',
      'Win rate: 50%',
      'Profit factor: 2.50',
      'Expectancy: +3.00 USDT',
      'Max drawdown: 5.00 USDT',
      'Gross profit: 20.00 USDT',
      'Gross loss: 8.00 USDT',
      'Fees: 0.40 USDT',
      'In positions: 100.00 USDT',
    ]);
  });
});
