//! Language and display currency (remembered in localStorage), the live USD/BRL rate, and the
//! translate / money helpers every page uses.

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { translate, type MessageKey } from '../i18n/messages';
import { displayMoney, formatDateTime, formatIn, formatNumber, formatPercent, type DisplayCurrency, type Locale } from '../format/money';
import type { UsdBrl } from '../api/types';

export interface Prefs {
  locale: Locale;
  currency: DisplayCurrency;
  usdBrl: number | null;
  setLocale(locale: Locale): void;
  setCurrency(currency: DisplayCurrency): void;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  /** `amount` of `from` (a quote currency) in the display currency. */
  money(amount: number | null | undefined, from?: string): string;
  /** `amount` in its own `currency`, never converted; `signed` for P&L ("+1.20 USDT"). */
  amount(amount: number | null | undefined, currency: string, signed?: boolean): string;
  number(value: number, digits?: number): string;
  percent(value: number | null | undefined, signed?: boolean): string;
  date(iso: string | null | undefined): string;
}

const PrefsContext = createContext<Prefs | null>(null);
const RATE_REFRESH_MS = 5 * 60_000;

function stored<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
  const value = localStorage.getItem(key) as T | null;
  return value && allowed.includes(value) ? value : fallback;
}

export function PrefsProvider({ children, loadRate }: { children: ReactNode; loadRate: () => Promise<UsdBrl> }) {
  const browserLocale: Locale = navigator.language?.toLowerCase().startsWith('pt') ? 'pt-BR' : 'en';
  const [locale, setLocaleState] = useState<Locale>(() => stored('auronex.locale', ['en', 'pt-BR'], browserLocale));
  const [currency, setCurrencyState] = useState<DisplayCurrency>(() =>
    stored('auronex.currency', ['USD', 'BRL'], browserLocale === 'pt-BR' ? 'BRL' : 'USD'),
  );
  const [usdBrl, setUsdBrl] = useState<number | null>(null);

  useEffect(() => {
    let stopped = false;
    const load = () =>
      loadRate()
        .then((quote) => !stopped && setUsdBrl(quote.rate))
        .catch(() => undefined);
    load();
    const timer = setInterval(load, RATE_REFRESH_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [loadRate]);

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  const setLocale = useCallback((next: Locale) => {
    localStorage.setItem('auronex.locale', next);
    setLocaleState(next);
  }, []);
  const setCurrency = useCallback((next: DisplayCurrency) => {
    localStorage.setItem('auronex.currency', next);
    setCurrencyState(next);
  }, []);

  const value = useMemo<Prefs>(
    () => ({
      locale,
      currency,
      usdBrl,
      setLocale,
      setCurrency,
      t: (key, vars) => translate(locale, key, vars),
      money: (amount, from = 'USD') => (amount == null ? '—' : displayMoney(amount, from, currency, usdBrl, locale)),
      amount: (amount, code, signed) => (amount == null ? '—' : formatIn(amount, code, locale, signed)),
      number: (value, digits) => formatNumber(value, locale, digits),
      percent: (value, signed) => (value == null ? '—' : formatPercent(value, locale, signed)),
      date: (iso) => formatDateTime(iso, locale),
    }),
    [locale, currency, usdBrl, setLocale, setCurrency],
  );
  return <PrefsContext.Provider value={value}>{children}</PrefsContext.Provider>;
}

export function usePrefs(): Prefs {
  const prefs = useContext(PrefsContext);
  if (!prefs) throw new Error('usePrefs outside PrefsProvider');
  return prefs;
}
