//! Money, numbers, percentages and dates for a locale, and USD <-> BRL conversion at a rate.
//! `formatMoney` shows dollar stablecoins as dollars (a converted figure); `formatIn` shows an
//! amount in exactly the currency it is kept in ("12.30 USDT", "R$ 5.000,00").

export type Locale = 'en' | 'pt-BR';
export type DisplayCurrency = 'USD' | 'BRL';

/** Quote currencies counted 1:1 as US dollars. */
const USD_LIKE = new Set(['USD', 'USDT', 'USDC', 'FDUSD']);

/** Two decimals, four below 1 so small amounts stay readable. */
const moneyDigits = (amount: number) => ({
  minimumFractionDigits: 2,
  maximumFractionDigits: Math.abs(amount) !== 0 && Math.abs(amount) < 1 ? 4 : 2,
});

export function formatMoney(amount: number, currency: string, locale: Locale): string {
  const iso = USD_LIKE.has(currency) ? 'USD' : currency;
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency: iso, ...moneyDigits(amount) }).format(amount);
  } catch {
    return `${formatNumber(amount, locale)} ${currency}`;
  }
}

/**
 * `amount` in its own `currency`, never converted nor relabelled: ISO codes the way the locale
 * writes them ("$1,234.50", "R$ 1.234,50"), other codes after the number ("1,234.50 USDT").
 * `signed` puts a + on gains (for P&L figures).
 */
export function formatIn(amount: number, currency: string, locale: Locale, signed = false): string {
  const signDisplay = signed ? ('exceptZero' as const) : ('auto' as const);
  if (/^[A-Z]{3}$/.test(currency)) {
    try {
      return new Intl.NumberFormat(locale, { style: 'currency', currency, signDisplay, ...moneyDigits(amount) }).format(amount);
    } catch {
      // not a currency Intl knows: written out below
    }
  }
  const number = new Intl.NumberFormat(locale, { signDisplay, ...moneyDigits(amount) }).format(amount);
  return `${number} ${currency}`;
}

export function formatNumber(value: number, locale: Locale, maximumFractionDigits = 8): string {
  return new Intl.NumberFormat(locale, { maximumFractionDigits }).format(value);
}

/** `12.5` -> "12.5%" / "12,5%"; signed when asked ("+1.2%"). */
export function formatPercent(value: number, locale: Locale, signed = false): string {
  const text = new Intl.NumberFormat(locale, { maximumFractionDigits: 2, signDisplay: signed ? 'exceptZero' : 'auto' })
    .format(value);
  return `${text}%`;
}

export function formatDateTime(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium' }).format(date);
}

/**
 * `amount` in `from` (a quote currency) shown in `to`; `usdBrl` is BRL per USD. Null when the
 * rate needed is unknown or the currency is neither dollar-like nor BRL.
 */
export function convert(amount: number, from: string, to: DisplayCurrency, usdBrl: number | null): number | null {
  const source = USD_LIKE.has(from) ? 'USD' : from;
  if (source === to) return amount;
  if (!usdBrl || usdBrl <= 0) return null;
  if (source === 'USD' && to === 'BRL') return amount * usdBrl;
  if (source === 'BRL' && to === 'USD') return amount / usdBrl;
  return null;
}

/** `amount` of `from` shown in the display currency, or in its own currency when it cannot be. */
export function displayMoney(
  amount: number,
  from: string,
  to: DisplayCurrency,
  usdBrl: number | null,
  locale: Locale,
): string {
  const converted = convert(amount, from, to, usdBrl);
  return converted === null ? formatMoney(amount, from, locale) : formatMoney(converted, to, locale);
}
