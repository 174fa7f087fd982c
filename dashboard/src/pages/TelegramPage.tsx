//! Telegram notifications: link a chat through the bot (a one-time code sent as `/start CODE`,
//! polled until the server sees it), a test message, unlink. Servers without a bot token get a
//! plain "not available" note.

import { useEffect, useState } from 'react';
import { ApiError } from '../api/client';
import type { TelegramLink, TelegramSettings } from '../api/types';
import { usePrefs } from '../app/prefs';
import { useApi } from '../auth/session';
import { ConfirmButton } from '../components/ConfirmButton';
import { Loading } from '../components/Notice';
import { serverErrors } from '../forms/serverErrors';
import { useResource } from '../hooks/useResource';

/** How often the page asks the server whether the code has arrived. */
const POLL_MS = 3_000;

const missing = (error: unknown) => error instanceof ApiError && (error.status === 404 || error.status === 503);

export function TelegramPage() {
  const api = useApi();
  const { t, date } = usePrefs();
  const current = useResource(() => api.telegram.get().catch((e) => (missing(e) ? null : Promise.reject(e))), []);
  const [chat, setChat] = useState<TelegramSettings | null>(null);
  const [link, setLink] = useState<TelegramLink | null>(null);
  const [note, setNote] = useState('');
  const [problem, setProblem] = useState('');

  useEffect(() => setChat(current.data ?? null), [current.data]);

  // While a code is out, ask the server to read the bot's messages until the chat is linked or
  // the code expires.
  useEffect(() => {
    if (!link) return;
    const timer = window.setInterval(async () => {
      try {
        const view = await api.telegram.verify();
        setChat(view);
        if (view.verified && view.link_expires_at === null) {
          setLink(null);
          setNote(t('telegram.done'));
        } else if (view.link_expires_at === null) {
          setLink(null);
          setProblem(t('telegram.expired'));
        }
      } catch (error) {
        setProblem(serverErrors(error)._form ?? String(error));
      }
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [link, api, t]);

  const run = async (action: () => Promise<void>) => {
    setNote('');
    setProblem('');
    try {
      await action();
    } catch (error) {
      setProblem(serverErrors(error)._form ?? String(error));
    }
  };
  const startLink = () => run(async () => setLink(await api.telegram.link()));
  const test = () =>
    run(async () => {
      const sent = await api.telegram.test();
      if (sent.ok) setNote(t('telegram.sent'));
      else setProblem(sent.message ?? '');
    });
  const unlink = () =>
    run(async () => {
      await api.telegram.remove();
      setLink(null);
      setChat(chat && { ...chat, chat_id: null, verified: false, verified_at: null, link_expires_at: null });
    });

  if (current.loading) return <Loading />;
  if (!chat || !chat.available) {
    return (
      <section>
        <h1>{t('telegram.title')}</h1>
        <p className="muted">{t('common.notAvailable')}</p>
      </section>
    );
  }
  return (
    <section>
      <h1>{t('telegram.title')}</h1>
      <div className="panel">
        <p className="muted">{t('telegram.intro')}</p>
        {chat.verified && chat.chat_id ? (
          <p data-testid="telegram-status">{t('telegram.linked', { chat: chat.chat_id, when: date(chat.verified_at ?? '') })}</p>
        ) : chat.chat_id ? (
          <p className="error-note" data-testid="telegram-status">
            {t('telegram.unverified', { chat: chat.chat_id })}
          </p>
        ) : (
          <p data-testid="telegram-status">{t('telegram.none')}</p>
        )}
        {link && (
          <div className="telegram-link" data-testid="telegram-code">
            <p>{t('telegram.steps')}</p>
            <p>
              <code className="command">{link.command}</code>
            </p>
            {link.url && link.bot_username && (
              <p>
                <a className="button primary" href={link.url} target="_blank" rel="noopener noreferrer">
                  {t('telegram.open', { bot: link.bot_username })}
                </a>
              </p>
            )}
            <p className="muted">{t('telegram.waiting', { when: date(link.expires_at) })}</p>
          </div>
        )}
        {problem && (
          <p className="error-note" role="alert">
            {problem}
          </p>
        )}
        {note && <p className="up">{note}</p>}
        <div className="actions">
          <button type="button" className={chat.verified ? '' : 'primary'} onClick={startLink}>
            {chat.verified ? t('telegram.relink') : t('telegram.link')}
          </button>
          {chat.verified && (
            <button type="button" onClick={test}>
              {t('telegram.test')}
            </button>
          )}
          {chat.chat_id && <ConfirmButton label={t('telegram.remove')} question={t('telegram.removeQuestion')} onConfirm={unlink} />}
        </div>
      </div>
    </section>
  );
}
