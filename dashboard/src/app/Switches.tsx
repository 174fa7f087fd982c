//! The language (English / Português) and display currency (USD / BRL) switches.

import { usePrefs } from './prefs';

export function Switches() {
  const { locale, setLocale, currency, setCurrency, usdBrl, t, number } = usePrefs();
  return (
    <div className="switches">
      <select aria-label={t('common.language')} value={locale} onChange={(e) => setLocale(e.target.value as typeof locale)}>
        <option value="en">English</option>
        <option value="pt-BR">Português</option>
      </select>
      <div className="segmented" role="group" aria-label={t('common.currency')}>
        {(['USD', 'BRL'] as const).map((code) => (
          <button
            key={code}
            type="button"
            aria-pressed={currency === code}
            className={currency === code ? 'on' : undefined}
            onClick={() => setCurrency(code)}
          >
            {code}
          </button>
        ))}
      </div>
      {usdBrl && <small className="rate">{t('overview.rate', { rate: number(usdBrl, 4) })}</small>}
    </div>
  );
}
