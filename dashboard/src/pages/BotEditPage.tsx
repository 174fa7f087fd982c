//! Create or edit a bot: the symbol picker reloads when the exchange changes, every field is
//! checked as the server checks it, and server errors land next to the field they name.

import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { Strategy } from '../api/types';
import { usePrefs } from '../app/prefs';
import { navigate } from '../app/router';
import { useApi } from '../auth/session';
import { Field } from '../components/Field';
import { BacktestPanel } from '../components/lab/BacktestPanel';
import { ErrorNote, Loading } from '../components/Notice';
import { botInput, emptyBot, paramTexts, quoteOf, validateBot, valuesFromBot, type BotFormValues } from '../forms/botForm';
import { hasErrors, type FieldErrors } from '../forms/errors';
import { serverErrors } from '../forms/serverErrors';
import type { MessageKey } from '../i18n/messages';
import {
  CHOICE_PARAMS,
  DEFAULTS,
  INTERVALS,
  PROTECTION_PARAMS,
  STRATEGIES,
  STRATEGY_RULES,
  tradingParamsOf,
} from '../forms/strategyParams';
import { useResource } from '../hooks/useResource';
import { SymbolPicker } from './SymbolPicker';

export function BotEditPage({ id }: { id?: string }) {
  const api = useApi();
  const { t, locale } = usePrefs();
  const existing = useResource(() => (id ? api.bots.get(id) : Promise.resolve(null)), [id]);
  const exchanges = useResource(() => api.market.exchanges(), []);
  const balance = useResource(() => api.balance(), []);
  const [values, setValues] = useState<BotFormValues | null>(id ? null : emptyBot());
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (existing.data) setValues(valuesFromBot(existing.data));
  }, [existing.data]);

  const exchange = values?.exchange ?? '';
  const symbols = useResource(() => (exchange ? api.market.symbols(exchange) : Promise.resolve(null)), [exchange]);
  const listed = symbols.data?.symbols ?? null;

  const available = useMemo(() => {
    const byCurrency: Record<string, number> = {};
    for (const wallet of balance.data?.wallets ?? []) byCurrency[wallet.currency] = wallet.available;
    return byCurrency;
  }, [balance.data]);

  if (id && existing.error) return <ErrorNote error={existing.error} />;
  if (!values) return <Loading />;
  if (existing.data?.is_active) return <p className="muted">{t('bots.stopToEdit')}</p>;

  const format = (amount: number, currency: string) =>
    new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(amount) + ` ${currency}`;
  const context = { listed, available, format };
  const update = (patch: Partial<BotFormValues>) => setValues({ ...values, ...patch });
  const paramInput = (key: string) => (
    <input
      name={`params.${key}`}
      inputMode="decimal"
      placeholder={String(DEFAULTS[values.strategy][key] ?? 0)}
      value={values.params[key] ?? ''}
      onChange={(e) => update({ params: { ...values.params, [key]: e.target.value } })}
    />
  );
  const quote = values.symbols[0] ? quoteOf(values.symbols[0]) : '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validateBot(values, context, t);
    setErrors(found);
    if (hasErrors(found)) return;
    setBusy(true);
    try {
      const bot = id ? await api.bots.update(id, botInput(values)) : await api.bots.create(botInput(values));
      navigate(`/bots/${bot.id}`);
    } catch (error) {
      setErrors(serverErrors(error));
      setBusy(false);
    }
  };

  return (
    <>
    <form className="panel bot-form" onSubmit={submit} noValidate>
      <h1>{id ? t('bots.edit') : t('bots.new')}</h1>
      <Field label={t('bots.name')} error={errors.name}>
        <input name="name" value={values.name} onChange={(e) => update({ name: e.target.value })} />
      </Field>
      <Field label={t('bots.exchange')} error={errors.exchange}>
        <select
          name="exchange"
          value={values.exchange}
          onChange={(e) => update({ exchange: e.target.value, symbols: [] })}
        >
          {(exchanges.data ?? [{ id: values.exchange, name: values.exchange }]).map((x) => (
            <option key={x.id} value={x.id}>
              {x.name}
            </option>
          ))}
        </select>
      </Field>
      <Field label={t('bots.symbols')} error={errors.symbols} hint={t('bots.symbolsHint')}>
        {symbols.error ? (
          <ErrorNote error={symbols.error} onRetry={symbols.reload} />
        ) : listed ? (
          <SymbolPicker listed={listed} selected={values.symbols} onChange={(next) => update({ symbols: next })} />
        ) : (
          <Loading />
        )}
      </Field>
      <Field
        label={t('bots.capital')}
        error={errors.capital}
        hint={quote && available[quote] !== undefined ? t('bots.available', { amount: format(available[quote], quote) }) : undefined}
      >
        <input name="capital" inputMode="decimal" value={values.capital} onChange={(e) => update({ capital: e.target.value })} />
      </Field>
      <div className="row">
        <Field label={t('bots.strategy')} error={errors.strategy}>
          <select
            name="strategy"
            value={values.strategy}
            onChange={(e) => update({ strategy: e.target.value as Strategy, params: {} })}
          >
            {STRATEGIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('bots.interval')} error={errors.analysis_interval}>
          <select
            name="analysis_interval"
            value={values.analysis_interval}
            onChange={(e) => update({ analysis_interval: Number(e.target.value) })}
          >
            {INTERVALS.map((i) => (
              <option key={i} value={i}>
                {i}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <fieldset>
        <legend>{t('bots.params')}</legend>
        <p className="hint strategy-rule">{t(STRATEGY_RULES[values.strategy])}</p>
        {errors.params && <p className="error-note" role="alert">{errors.params}</p>}
        <div className="params">
          {(CHOICE_PARAMS[values.strategy] ?? []).map((choice) => (
            <Field key={choice.key} label={choice.key} error={errors[`params.${choice.key}`]}>
              <select
                name={`params.${choice.key}`}
                value={values.params[choice.key] || choice.choices[0]}
                onChange={(e) => update({ params: { ...values.params, [choice.key]: e.target.value } })}
              >
                {choice.choices.map((word) => (
                  <option key={word} value={word}>
                    {word}
                  </option>
                ))}
              </select>
            </Field>
          ))}
          {tradingParamsOf(values.strategy).map((spec) => (
            <Field key={spec.key} label={spec.key} error={errors[`params.${spec.key}`]}>
              {paramInput(spec.key)}
            </Field>
          ))}
        </div>
      </fieldset>
      <fieldset className="protections">
        <legend>{t('bots.protections')}</legend>
        <p className="hint">{t('bots.protections.help')}</p>
        <div className="params">
          {PROTECTION_PARAMS.map((spec) => (
            <Field
              key={spec.key}
              label={t(`protection.${spec.key}` as MessageKey)}
              hint={t(`protection.${spec.key}.help` as MessageKey)}
              error={errors[`params.${spec.key}`]}
            >
              {paramInput(spec.key)}
            </Field>
          ))}
        </div>
      </fieldset>
      {errors._form && <p className="error-note" role="alert">{errors._form}</p>}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {id ? t('common.save') : t('bots.create')}
        </button>
        <button type="button" onClick={() => history.back()}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
    {values.symbols.length > 0 && (
      <BacktestPanel bot={botInput(values)} usedNote="lab.usedForm" onUse={async (params) => update({ params: paramTexts(params) })} />
    )}
    </>
  );
}
