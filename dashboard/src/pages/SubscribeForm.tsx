//! Follow a channel by invite code with a trade_copy sizing (fixed lot or multiplier).

import { useState, type FormEvent } from 'react';
import type { TradeCopy } from '../api/types';
import { usePrefs } from '../app/prefs';
import { useApi } from '../auth/session';
import { Field } from '../components/Field';
import { parseDecimal, type FieldErrors } from '../forms/errors';
import { serverErrors } from '../forms/serverErrors';

export function SubscribeForm({ onDone }: { onDone(): void }) {
  const api = useApi();
  const { t } = usePrefs();
  const [code, setCode] = useState('');
  const [mode, setMode] = useState<'fix' | 'multiplier'>('multiplier');
  const [size, setSize] = useState('1');
  const [drawdown, setDrawdown] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const amount = parseDecimal(size);
    const found: FieldErrors = {};
    if (!code.trim()) found.invite_code = t('v.required');
    if (amount === null || amount <= 0) found[mode === 'fix' ? 'fixed_lot' : 'multiplier'] = t('v.number');
    setErrors(found);
    if (Object.keys(found).length) return;
    const tradeCopy: TradeCopy = mode === 'fix' ? { mode, fixed_lot: amount! } : { mode, multiplier: amount! };
    const maxDrawdown = parseDecimal(drawdown);
    if (maxDrawdown !== null) tradeCopy.max_drawdown_pct = maxDrawdown;
    try {
      await api.copier.subscribe(code.trim(), tradeCopy);
      setCode('');
      onDone();
    } catch (error) {
      const next = serverErrors(error);
      // trade_copy fields come back as "trade_copy.x" or "x"; show them by the sizing inputs.
      setErrors(Object.fromEntries(Object.entries(next).map(([k, v]) => [k.replace(/^trade_copy\./, ''), v])));
    }
  };

  return (
    <form className="panel" onSubmit={submit} noValidate>
      <h2>{t('copier.subscribe')}</h2>
      <Field label={t('copier.invite')} error={errors.invite_code}>
        <input name="invite_code" value={code} onChange={(e) => setCode(e.target.value)} />
      </Field>
      <div className="row">
        <Field label={t('copier.mode')} error={errors.mode}>
          <select value={mode} onChange={(e) => setMode(e.target.value as 'fix' | 'multiplier')}>
            <option value="multiplier">{t('copier.multiplier')}</option>
            <option value="fix">{t('copier.fixedLot')}</option>
          </select>
        </Field>
        <Field
          label={mode === 'fix' ? t('copier.fixedLot') : t('copier.multiplier')}
          error={errors[mode === 'fix' ? 'fixed_lot' : 'multiplier']}
        >
          <input inputMode="decimal" value={size} onChange={(e) => setSize(e.target.value)} />
        </Field>
        <Field label={t('copier.maxDrawdown')} error={errors.max_drawdown_pct}>
          <input inputMode="decimal" value={drawdown} onChange={(e) => setDrawdown(e.target.value)} />
        </Field>
      </div>
      {errors._form && <p className="error-note" role="alert">{errors._form}</p>}
      {errors.trade_copy && <p className="error-note" role="alert">{errors.trade_copy}</p>}
      <button type="submit" className="primary">
        {t('copier.subscribe')}
      </button>
    </form>
  );
}
