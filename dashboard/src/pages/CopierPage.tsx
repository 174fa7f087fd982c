//! Copier: create a channel and share its invite code (rotate it, delete the channel), see
//! followers, signals and per-signal deliveries; follow a channel with a code and a trade_copy
//! sizing, and unfollow it.

import { useState, type FormEvent } from 'react';
import type { Channel } from '../api/types';
import { usePrefs } from '../app/prefs';
import { useApi } from '../auth/session';
import { ConfirmButton } from '../components/ConfirmButton';
import { Field } from '../components/Field';
import { Empty, ErrorNote } from '../components/Notice';
import { type FieldErrors } from '../forms/errors';
import { serverErrors } from '../forms/serverErrors';
import { useResource } from '../hooks/useResource';
import { ChannelSignals } from './ChannelSignals';
import { SubscribeForm } from './SubscribeForm';

export function CopierPage() {
  const api = useApi();
  const { t } = usePrefs();
  const channels = useResource(
    () => api.copier.channels().then((list) => (Array.isArray(list) ? list : list.items)),
    [],
  );
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [open, setOpen] = useState<Channel | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<Error | null>(null);

  const act = async (channel: Channel, action: () => Promise<unknown>) => {
    setBusy(channel.id);
    setActionError(null);
    try {
      await action();
      channels.reload();
    } catch (error) {
      setActionError(error instanceof Error ? error : new Error(String(error)));
    } finally {
      setBusy(null);
    }
  };

  const create = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return setErrors({ name: t('v.required') });
    try {
      await api.copier.create(name.trim());
      setName('');
      setErrors({});
      channels.reload();
    } catch (error) {
      setErrors(serverErrors(error));
    }
  };

  return (
    <section>
      <h1>{t('copier.title')}</h1>
      <ErrorNote error={channels.error ?? actionError} />
      {channels.data?.length === 0 && <Empty />}
      <ul className="rows">
        {channels.data?.map((channel) => (
          <li key={channel.id} className="panel">
            <strong>{channel.name}</strong>{' '}
            <span className="badge">{channel.role === 'publisher' ? t('copier.publisher') : t('copier.follower')}</span>
            {channel.invite_code && (
              <p>
                {t('copier.invite')}: <code data-testid="invite-code">{channel.invite_code}</code>
              </p>
            )}
            {channel.followers !== undefined && (
              <p>
                {t('copier.followers')}: {channel.followers}
              </p>
            )}
            <div className="actions">
              <button type="button" onClick={() => setOpen(open?.id === channel.id ? null : channel)}>
                {t('copier.signals')}
              </button>
              {channel.role === 'publisher' ? (
                <>
                  <button
                    type="button"
                    disabled={busy === channel.id}
                    onClick={() => act(channel, () => api.copier.rotateInvite(channel.id))}
                  >
                    {t('copier.rotateInvite')}
                  </button>
                  <ConfirmButton
                    label={t('copier.deleteChannel')}
                    disabled={busy === channel.id}
                    onConfirm={() => act(channel, () => api.copier.removeChannel(channel.id))}
                  />
                </>
              ) : (
                <ConfirmButton
                  label={t('copier.unfollow')}
                  question={t('copier.confirmUnfollow')}
                  disabled={busy === channel.id}
                  onConfirm={() => act(channel, () => api.copier.unsubscribe(channel.id))}
                />
              )}
            </div>
            {open?.id === channel.id && <ChannelSignals channel={channel} />}
          </li>
        ))}
      </ul>
      <div className="grid-2">
        <form className="panel" onSubmit={create} noValidate>
          <h2>{t('copier.newChannel')}</h2>
          <Field label={t('copier.channelName')} error={errors.name ?? errors._form}>
            <input name="channel_name" value={name} onChange={(e) => setName(e.target.value)} />
          </Field>
          <button type="submit" className="primary">
            {t('copier.newChannel')}
          </button>
        </form>
        <SubscribeForm onDone={channels.reload} />
      </div>
    </section>
  );
}
