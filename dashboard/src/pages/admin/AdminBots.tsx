//! Admin: every user's bots, with start/stop and delete (the server audits both).

import { useState } from 'react';
import { usePrefs } from '../../app/prefs';
import { useApi } from '../../auth/session';
import { ConfirmButton } from '../../components/ConfirmButton';
import { ErrorNote } from '../../components/Notice';
import { useResource } from '../../hooks/useResource';

export function AdminBots() {
  const api = useApi();
  const { t, money } = usePrefs();
  const bots = useResource(() => api.admin.bots(), [], true);
  const users = useResource(() => api.admin.users({}), []);
  const [error, setError] = useState<Error | null>(null);
  const email = (id?: string) => users.data?.items.find((u) => u.id === id)?.email ?? id ?? '';
  const act = (action: Promise<unknown>) =>
    action
      .then(() => {
        setError(null);
        bots.reload();
      })
      .catch(setError);

  return (
    <div className="panel">
      <ErrorNote error={error ?? bots.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('bots.name')}</th>
              <th>{t('admin.owner')}</th>
              <th>{t('bots.symbols')}</th>
              <th>{t('bots.capital')}</th>
              <th>{t('trades.status')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {bots.data?.items.map((bot) => (
              <tr key={bot.id} data-testid={`admin-bot-${bot.name}`}>
                <td>{bot.name}</td>
                <td>{email(bot.user_id)}</td>
                <td>
                  {bot.exchange} {bot.symbols.join(', ')}
                </td>
                <td>{money(bot.capital, bot.quote_currency)}</td>
                <td data-testid="bot-state">{bot.is_active ? t('bots.running') : t('bots.stopped')}</td>
                <td className="actions">
                  <button type="button" onClick={() => act(api.admin.toggleBot(bot.id))}>
                    {bot.is_active ? t('bots.stop') : t('bots.start')}
                  </button>
                  <ConfirmButton label={t('common.delete')} onConfirm={() => act(api.admin.removeBot(bot.id))} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
