//! The ledger's figures as text: the rates a converted total used ("1 USD = 5.10 BRL ·
//! AwesomeAPI · 14:02", "USDT = USD (1:1 peg)"), what to say when a total could not be
//! converted, and one currency's figures (balance, P&L, stats), each in that currency.

import type { Conversion, CurrencyStats, CurrencySummary, Rate } from '../api/types';
import { translate, type MessageKey } from '../i18n/messages';
import { formatIn, formatPercent, type Locale } from './money';

const SOURCES: Record<string, string> = { awesomeapi: 'AwesomeAPI' };

/** When "now" is and which time zone to write times in (the viewer's unless given). */
export interface Clock {
  now?: Date;
  timeZone?: string;
}

/** "14:02" when quoted today, "02/12, 14:02" on another day (24-hour clock in both languages). */
export function quotedAt(iso: string, locale: Locale, { now = new Date(), timeZone }: Clock = {}): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const day = (date: Date) => new Intl.DateTimeFormat('en-CA', { timeZone, dateStyle: 'short' }).format(date);
  const sameDay = day(at) === day(now);
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(sameDay ? {} : { day: '2-digit', month: '2-digit' }),
  }).format(at);
}

/** One rate as a line: a market rate with its source and time, a peg as what it is. */
export function rateLine(rate: Rate, locale: Locale, clock: Clock = {}): string {
  const [base, quote] = rate.pair.split('/');
  if (rate.source === 'peg' && rate.rate === 1) return translate(locale, 'rate.peg', { base, quote });
  const value = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(rate.rate);
  const parts = [translate(locale, 'rate.market', { base, quote, rate: value }), SOURCES[rate.source] ?? rate.source];
  if (rate.as_of) parts.push(quotedAt(rate.as_of, locale, clock));
  return parts.join(' · ');
}

/** The rates a conversion used, market rates before pegs. */
export function conversionLines(conversion: Conversion, locale: Locale, clock: Clock = {}): string[] {
  const pegsLast = [...conversion.rates].sort((a, b) => Number(a.source === 'peg') - Number(b.source === 'peg'));
  return pegsLast.map((rate) => rateLine(rate, locale, clock));
}

/**
 * Why a converted total is not shown, or null when it can be: a currency without a rate makes
 * every combined total of the answer incomplete, so none is shown then.
 */
export function missingNote(total: number | null | undefined, conversion: Conversion, locale: Locale): string | null {
  if (conversion.missing.length) {
    return translate(locale, 'conv.missing', { currencies: conversion.missing.join(', '), target: conversion.currency });
  }
  return total == null ? translate(locale, 'conv.unavailable', { target: conversion.currency }) : null;
}

/** One labelled figure of a currency's books. */
export interface Figure {
  key: string;
  label: string;
  value: string;
  tone?: 'up' | 'down';
}

const toneOf = (amount: number | null): Figure['tone'] =>
  amount == null || amount === 0 ? undefined : amount > 0 ? 'up' : 'down';

export function figures(
  locale: Locale,
  currency: string,
  rows: [key: string, label: MessageKey, value: number | null, kind: 'amount' | 'pnl' | 'percent' | 'ratio' | 'count'][],
): Figure[] {
  return rows.map(([key, label, value, kind]) => {
    let text = '—';
    if (value != null) {
      if (kind === 'amount') text = formatIn(value, currency, locale);
      else if (kind === 'pnl') text = formatIn(value, currency, locale, true);
      else if (kind === 'percent') text = formatPercent(value, locale);
      else if (kind === 'count') text = new Intl.NumberFormat(locale).format(value);
      else text = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
    }
    return { key, label: translate(locale, label), value: text, tone: kind === 'pnl' ? toneOf(value) : undefined };
  });
}

/** The overview's figures for one currency (a summary's `by_currency` entry). */
export function summaryFigures(c: CurrencySummary, locale: Locale): Figure[] {
  return figures(locale, c.currency, [
    ['balance', 'fig.balance', c.total_balance, 'amount'],
    ['available', 'fig.available', c.available, 'amount'],
    ['in_positions', 'fig.inPositions', c.in_positions, 'amount'],
    ['net_profit', 'fig.netProfit', c.net_profit, 'pnl'],
    ['today', 'fig.today', c.profit_today, 'pnl'],
    ['win_rate', 'fig.winRate', c.closed_trades ? c.win_rate : null, 'percent'],
    ['profit_factor', 'fig.profitFactor', c.profit_factor, 'ratio'],
    ['expectancy', 'fig.expectancy', c.expectancy, 'pnl'],
    ['max_drawdown', 'fig.maxDrawdown', c.max_drawdown, 'amount'],
  ]);
}

/** A bot's (or the user's) stats in one currency, over the whole history. */
export function statsFigures(c: CurrencyStats, locale: Locale): Figure[] {
  return figures(locale, c.currency, [
    ['net_profit', 'fig.netProfit', c.net_profit, 'pnl'],
    ['win_rate', 'fig.winRate', c.closed_trades ? c.win_rate : null, 'percent'],
    ['profit_factor', 'fig.profitFactor', c.profit_factor, 'ratio'],
    ['expectancy', 'fig.expectancy', c.expectancy, 'pnl'],
    ['max_drawdown', 'fig.maxDrawdown', c.max_drawdown, 'amount'],
    ['gross_profit', 'fig.grossProfit', c.gross_profit, 'amount'],
    ['gross_loss', 'fig.grossLoss', c.gross_loss, 'amount'],
    ['fees', 'fig.fees', c.fees, 'amount'],
    ['open_cost', 'fig.inPositions', c.open_cost, 'amount'],
  ]);
}
