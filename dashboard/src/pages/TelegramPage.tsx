//! Telegram notifications: the chat to notify, a test message, disconnect. Servers without
//! the notifications endpoints (404) get a plain "not available" note.

import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../api/client';
import { usePrefs } from '../app/prefs';
import { useApi } from '../auth/session';
import { Field } from '../components/Field';
import { Loading } from '../components/Notice';
import { hasErrors, type FieldErrors } from '../forms/errors';
import { validateChatId } from '../forms/accountForms';
import { serverErrors } from '../forms/serverErrors';
import { useResource } from '../hooks/useResource';

/** A 404 means "nothing configured" on reads and "no such endpoint" on writes. */
const missing = (error: unknown) => error instanceof ApiError && error.status === 404;

export function TelegramPage() {
  const api = useApi();
  const { t } = usePrefs();
  const current = useResource(() => api.telegram.get().catch((e) => (missing(e) ? null : Promise.reject(e))), []);
  const [chatId, setChatId] = useState('');
  const [enabled, setEnabled] = useState(true);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [note, setNote] = useState('');
  const [unavailable, setUnavailable] = useState(false);

  useEffect(() => {
    if (current.data) {
      setChatId(current.data.chat_id ?? '');
      setEnabled(current.data.enabled ?? true);
    }
  }, [current.data]);

  const run = async (action: () => Promise<unknown>, done: string) => {
    setNote('');
    try {
      await action();
      setErrors({});
      setNote(done);
    } catch (error) {
      if (missing(error)) setUnavailable(true);
      else setErrors(serverErrors(error));
    }
  };
  const save = (event: FormEvent) => {
    event.preventDefault();
    const found = validateChatId(chatId, t);
    setErrors(found);
    if (!hasErrors(found)) void run(() => api.telegram.save({ chat_id: chatId.trim(), enabled }), t('admin.saved'));
  };

  if (current.loading) return <Loading />;
  return (
    <section>
      <h1>{t('telegram.title')}</h1>
      {unavailable && <p className="muted">{t('common.notAvailable')}</p>}
      <form className="panel" onSubmit={save} noValidate>
        <Field label={t('telegram.chatId')} error={errors.chat_id}>
          <input name="chat_id" value={chatId} onChange={(e) => setChatId(e.target.value)} />
        </Field>
        <label className="check">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> {t('telegram.enabled')}
        </label>
        {errors._form && <p className="error-note" role="alert">{errors._form}</p>}
        {note && <p className="up">{note}</p>}
        <div className="actions">
          <button type="submit" className="primary">
            {t('common.save')}
          </button>
          <button type="button" onClick={() => run(() => api.telegram.test(), t('telegram.sent'))}>
            {t('telegram.test')}
          </button>
          <button type="button" className="danger" onClick={() => run(() => api.telegram.remove().then(() => setChatId('')), t('admin.saved'))}>
            {t('telegram.remove')}
          </button>
        </div>
      </form>
    </section>
  );
}
