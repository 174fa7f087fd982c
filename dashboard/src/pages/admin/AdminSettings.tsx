//! Admin: plan prices, paper starting balances and default fees, saved section by section.

import { useEffect, useState, type FormEvent } from 'react';
import type { Settings } from '../../api/types';
import { usePrefs } from '../../app/prefs';
import { useApi } from '../../auth/session';
import { Field } from '../../components/Field';
import { ErrorNote, Loading } from '../../components/Notice';
import { parseDecimal, type FieldErrors } from '../../forms/errors';
import { serverErrors } from '../../forms/serverErrors';
import { useResource } from '../../hooks/useResource';

/** Every number of the settings as an editable text, keyed by its path ("plan_prices.pro.usd"). */
function flatten(value: unknown, prefix = ''): Record<string, string> {
  if (typeof value === 'number') return { [prefix]: String(value) };
  if (!value || typeof value !== 'object') return {};
  return Object.entries(value).reduce(
    (all, [key, inner]) => ({ ...all, ...flatten(inner, prefix ? `${prefix}.${key}` : key) }),
    {} as Record<string, string>,
  );
}

function unflatten(texts: Record<string, string>): Record<string, unknown> {
  const root: Record<string, any> = {};
  for (const [path, text] of Object.entries(texts)) {
    const keys = path.split('.');
    let node = root;
    keys.slice(0, -1).forEach((key) => (node = node[key] ??= {}));
    node[keys[keys.length - 1]] = parseDecimal(text) ?? text;
  }
  return root;
}

export function AdminSettings() {
  const api = useApi();
  const { t } = usePrefs();
  const settings = useResource(() => api.admin.settings(), []);
  const [texts, setTexts] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    if (settings.data) setTexts(flatten(settings.data));
  }, [settings.data]);

  if (settings.error) return <ErrorNote error={settings.error} />;
  if (!settings.data) return <Loading />;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const bad = Object.entries(texts).filter(([, text]) => parseDecimal(text) === null);
    if (bad.length) return setErrors(Object.fromEntries(bad.map(([path]) => [path, t('v.number')])));
    try {
      await api.admin.saveSettings(unflatten(texts) as Partial<Settings>);
      setErrors({});
      setSaved(true);
      settings.reload();
    } catch (error) {
      setErrors(serverErrors(error));
      setSaved(false);
    }
  };

  const sections: [keyof Settings, string][] = [
    ['plan_prices', t('admin.planPrices')],
    ['paper_starting_balances', t('admin.startBalances')],
    ['default_fees', t('admin.fees')],
  ];
  return (
    <form className="panel" onSubmit={save} noValidate>
      {sections.map(([section, title]) => (
        <fieldset key={section}>
          <legend>{title}</legend>
          {errors[section] && <p className="error-note" role="alert">{errors[section]}</p>}
          <div className="params">
            {Object.keys(texts)
              .filter((path) => path.startsWith(`${section}.`))
              .map((path) => (
                <Field key={path} label={path.slice(section.length + 1)} error={errors[path]}>
                  <input name={path} inputMode="decimal" value={texts[path]} onChange={(e) => setTexts({ ...texts, [path]: e.target.value })} />
                </Field>
              ))}
          </div>
        </fieldset>
      ))}
      {errors._form && <p className="error-note" role="alert">{errors._form}</p>}
      {saved && <p className="up">{t('admin.saved')}</p>}
      <button type="submit" className="primary">
        {t('common.save')}
      </button>
    </form>
  );
}
