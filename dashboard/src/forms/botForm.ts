//! The bot form's values, their checks (the server's rules, bots/validate.rs, plus the symbol
//! listing and the available balance it checks afterwards) and the request body they make.

import type { Bot, BotInput, Params, Strategy } from '../api/types';
import { english, parseDecimal, type FieldErrors, type Translate } from './errors';
import { CHOICE_PARAMS, DEFAULTS, INTERVALS, STRATEGIES, paramsOf } from './strategyParams';

export interface BotFormValues {
  name: string;
  exchange: string;
  symbols: string[];
  capital: string;
  strategy: Strategy;
  analysis_interval: number;
  /** Typed texts; a blank one means the strategy's default. */
  params: Record<string, string>;
}

export interface BotFormContext {
  /** Markets the chosen exchange lists (null while loading: not checked then). */
  listed: string[] | null;
  /** Available paper balance per quote currency. */
  available: Record<string, number>;
  format: (amount: number, currency: string) => string;
}

export const emptyBot = (): BotFormValues => ({
  name: '',
  exchange: 'binance',
  symbols: [],
  capital: '100',
  strategy: 'rsi',
  analysis_interval: 60,
  params: {},
});

/** Parameters as the form's texts. */
export function paramTexts(params: Params | undefined): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const [key, value] of Object.entries(params ?? {})) texts[key] = String(value);
  return texts;
}

export function valuesFromBot(bot: Bot): BotFormValues {
  const params = paramTexts(bot.params);
  return {
    name: bot.name,
    exchange: bot.exchange,
    symbols: [...bot.symbols],
    capital: String(bot.capital),
    strategy: bot.strategy,
    analysis_interval: bot.analysis_interval,
    params,
  };
}

const SYMBOL = /^[A-Z0-9]{1,20}\/[A-Z0-9]{1,20}$/;
export const quoteOf = (symbol: string) => symbol.split('/')[1] ?? '';

export function validateBot(values: BotFormValues, context: BotFormContext, t: Translate = english): FieldErrors {
  const errors: FieldErrors = {};
  const name = values.name.trim();
  if ([...name].length < 3 || [...name].length > 50 || /[\u0000-\u001f\u007f]/.test(name)) errors.name = t('v.name');
  if (!values.exchange) errors.exchange = t('v.exchange');
  const symbolError = checkSymbols(values.symbols, context.listed, t);
  if (symbolError) errors.symbols = symbolError;
  const capital = parseDecimal(values.capital);
  if (capital === null || capital < 2 || capital > 10_000) {
    errors.capital = t('v.capitalRange');
  } else if (values.symbols.length > 0) {
    const quote = quoteOf(values.symbols[0]);
    const available = context.available[quote];
    if (available !== undefined && capital > available) {
      errors.capital = t('v.capitalBalance', { amount: context.format(available, quote) });
    }
  }
  if (!STRATEGIES.includes(values.strategy)) errors.strategy = t('v.strategy');
  if (!INTERVALS.includes(values.analysis_interval)) errors.analysis_interval = t('v.interval');
  Object.assign(errors, checkParams(values));
  return errors;

  function checkParams(form: BotFormValues): FieldErrors {
    if (!STRATEGIES.includes(form.strategy)) return {};
    const found: FieldErrors = {};
    const effective = (key: string) => parseDecimal(form.params[key]) ?? DEFAULTS[form.strategy][key] ?? 0;
    for (const spec of paramsOf(form.strategy)) {
      const text = form.params[spec.key]?.trim() ?? '';
      if (text === '') continue;
      const value = parseDecimal(text);
      const min = spec.after ? effective(spec.after.key) + spec.after.plus : spec.min;
      if (value === null) found[`params.${spec.key}`] = t('v.number');
      else if (spec.whole && (!Number.isInteger(value) || value < min || value > spec.max)) {
        found[`params.${spec.key}`] = t('v.whole', { min, max: spec.max });
      } else if (value < min || value > spec.max) found[`params.${spec.key}`] = t('v.range', { min, max: spec.max });
    }
    for (const choice of CHOICE_PARAMS[form.strategy] ?? []) {
      const word = form.params[choice.key]?.trim() ?? '';
      if (word !== '' && !choice.choices.includes(word)) {
        found[`params.${choice.key}`] = t('v.choice', { choices: choice.choices.join(', ') });
      }
    }
    return found;
  }
}

function checkSymbols(symbols: string[], listed: string[] | null, t: Translate): string | null {
  if (symbols.length < 1 || symbols.length > 5) return t('v.symbolsCount');
  const seen = new Set<string>();
  for (const symbol of symbols) {
    if (!SYMBOL.test(symbol)) return t('v.symbolFormat', { symbol });
    if (seen.has(symbol)) return t('v.symbolTwice', { symbol });
    seen.add(symbol);
    if (quoteOf(symbol) !== quoteOf(symbols[0])) return t('v.symbolQuote');
    if (listed && !listed.includes(symbol)) return t('v.symbolUnlisted', { symbol });
  }
  return null;
}

/** The request body: blank parameters left out (the server's defaults apply). */
export function botInput(values: BotFormValues): BotInput {
  const params: Params = {};
  for (const spec of paramsOf(values.strategy)) {
    const value = parseDecimal(values.params[spec.key]);
    if (value !== null) params[spec.key] = value;
  }
  for (const choice of CHOICE_PARAMS[values.strategy] ?? []) {
    const word = values.params[choice.key]?.trim() ?? '';
    if (choice.choices.includes(word)) params[choice.key] = word;
  }
  return {
    name: values.name.trim(),
    exchange: values.exchange,
    symbols: values.symbols,
    capital: parseDecimal(values.capital) ?? 0,
    strategy: values.strategy,
    analysis_interval: values.analysis_interval,
    params,
  };
}

/** The update body that keeps everything of `bot` but its parameters ("use these parameters"). */
export const withParams = (bot: Bot, params: Params): BotInput => botInput({ ...valuesFromBot(bot), params: paramTexts(params) });
