//! Currency and number formatting for en and pt-BR, and USD <-> BRL conversion.
import { describe, expect, it } from 'vitest';
import { convert, displayMoney, formatMoney, formatPercent } from '../src/format/money';
import { messages, translate } from '../src/i18n/messages';

const nbsp = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

describe('formatMoney', () => {
  it('writes BRL and USD the way each locale does', () => {
    expect(nbsp(formatMoney(1234.5, 'BRL', 'pt-BR'))).toBe('R$ 1.234,50');
    expect(formatMoney(1234.5, 'USD', 'en')).toBe('$1,234.50');
    expect(nbsp(formatMoney(1234.5, 'USD', 'pt-BR'))).toBe('US$ 1.234,50');
    expect(formatMoney(-12, 'BRL', 'en')).toBe('-R$12.00');
  });
  it('treats dollar stablecoins as dollars and keeps small amounts readable', () => {
    expect(formatMoney(10, 'USDT', 'en')).toBe('$10.00');
    expect(formatMoney(0.01234, 'USDT', 'en')).toBe('$0.0123');
  });
  it('falls back to the code for currencies Intl does not know', () => {
    expect(formatMoney(2, 'BTC!', 'en')).toBe('2 BTC!');
  });
});

describe('convert', () => {
  it('converts at BRL per USD both ways and refuses without a rate', () => {
    expect(convert(10, 'USDT', 'BRL', 5.4)).toBeCloseTo(54);
    expect(convert(54, 'BRL', 'USD', 5.4)).toBeCloseTo(10);
    expect(convert(10, 'USD', 'USD', null)).toBe(10);
    expect(convert(10, 'USD', 'BRL', null)).toBeNull();
    expect(convert(10, 'EUR', 'BRL', 5.4)).toBeNull();
  });
  it('shows the original currency when it cannot convert', () => {
    expect(nbsp(displayMoney(100, 'USDT', 'BRL', 5, 'pt-BR'))).toBe('R$ 500,00');
    expect(displayMoney(100, 'USDT', 'BRL', null, 'en')).toBe('$100.00');
  });
});

describe('percent and messages', () => {
  it('formats percentages per locale, signed on request', () => {
    expect(formatPercent(12.5, 'pt-BR')).toBe('12,5%');
    expect(formatPercent(1.234, 'en', true)).toBe('+1.23%');
  });
  it('has every message in both languages with the same placeholders', () => {
    for (const key of Object.keys(messages.en) as (keyof typeof messages.en)[]) {
      const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(names(messages['pt-BR'][key]), key).toEqual(names(messages.en[key]));
    }
    expect(translate('pt-BR', 'trades.total', { count: 2, amount: 'R$ 1,00' })).toBe('2 operações, líquido R$ 1,00');
  });
});
