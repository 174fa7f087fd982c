//! Exchange API keys: add (the secret is sent once and never shown again), test, delete.

import { useState, type FormEvent } from 'react';
import type { KeyTest, NewApiKey } from '../api/types';
import { usePrefs } from '../app/prefs';
import { useApi } from '../auth/session';
import { ConfirmButton } from '../components/ConfirmButton';
import { Field } from '../components/Field';
import { Empty, ErrorNote } from '../components/Notice';
import { validateApiKey } from '../forms/accountForms';
import { hasErrors, type FieldErrors } from '../forms/errors';
import { serverErrors } from '../forms/serverErrors';
import { useResource } from '../hooks/useResource';

const blank = (): NewApiKey => ({ exchange: 'binance', api_key: '', secret_key: '', passphrase: '', label: '', is_testnet: false });

export function ApiKeysPage() {
  const api = useApi();
  const { t, date } = usePrefs();
  const keys = useResource(() => api.apiKeys.list(), []);
  const exchanges = useResource(() => api.market.exchanges(), []);
  const [values, setValues] = useState<NewApiKey>(blank());
  const [errors, setErrors] = useState<FieldErrors>({});
  const [results, setResults] = useState<Record<string, KeyTest | string>>({});
  const set = (patch: Partial<NewApiKey>) => setValues({ ...values, ...patch });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validateApiKey(values, t);
    setErrors(found);
    if (hasErrors(found)) return;
    try {
      await api.apiKeys.create({ ...values, passphrase: values.passphrase || undefined, label: values.label || undefined });
      setValues(blank());
      keys.reload();
    } catch (error) {
      setErrors(serverErrors(error));
    }
  };
  const test = (id: string) =>
    api.apiKeys
      .test(id)
      .then((result) => setResults({ ...results, [id]: result }))
      .catch((error: Error) => setResults({ ...results, [id]: error.message }));

  return (
    <section>
      <h1>{t('keys.title')}</h1>
      <ErrorNote error={keys.error} />
      {keys.data?.length === 0 && <Empty />}
      <ul className="rows">
        {keys.data?.map((key) => {
          const result = results[key.id];
          return (
            <li key={key.id} className="panel">
              <strong>{key.exchange}</strong> {key.label} <code>{key.key_hint}</code> {key.is_testnet && t('keys.testnet')}{' '}
              <small className="muted">{date(key.created_at)}</small>
              <div className="actions">
                <button type="button" onClick={() => test(key.id)}>
                  {t('keys.test')}
                </button>
                <ConfirmButton label={t('common.delete')} onConfirm={() => api.apiKeys.remove(key.id).then(keys.reload)} />
              </div>
              {result && (
                <p className={typeof result !== 'string' && result.ok ? 'up' : 'down'}>
                  {typeof result === 'string' ? result : result.message}
                </p>
              )}
            </li>
          );
        })}
      </ul>
      <form className="panel" onSubmit={submit} noValidate>
        <h2>{t('keys.add')}</h2>
        <p className="muted">{t('keys.secretNote')}</p>
        <div className="row">
          <Field label={t('bots.exchange')} error={errors.exchange}>
            <select name="exchange" value={values.exchange} onChange={(e) => set({ exchange: e.target.value })}>
              {exchanges.data?.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('keys.label')} error={errors.label}>
            <input name="label" value={values.label} onChange={(e) => set({ label: e.target.value })} />
          </Field>
        </div>
        <Field label={t('keys.apiKey')} error={errors.api_key}>
          <input name="api_key" autoComplete="off" value={values.api_key} onChange={(e) => set({ api_key: e.target.value })} />
        </Field>
        <Field label={t('keys.secret')} error={errors.secret_key}>
          <input name="secret_key" type="password" autoComplete="off" value={values.secret_key} onChange={(e) => set({ secret_key: e.target.value })} />
        </Field>
        <Field label={t('keys.passphrase')} error={errors.passphrase}>
          <input name="passphrase" type="password" autoComplete="off" value={values.passphrase} onChange={(e) => set({ passphrase: e.target.value })} />
        </Field>
        <label className="check">
          <input type="checkbox" checked={values.is_testnet} onChange={(e) => set({ is_testnet: e.target.checked })} /> {t('keys.testnet')}
        </label>
        {errors._form && <p className="error-note" role="alert">{errors._form}</p>}
        <button type="submit" className="primary">
          {t('keys.add')}
        </button>
      </form>
    </section>
  );
}
