//! Trades: the history with filters (bot, status) and cursor paging, and the monthly view
//! with its CSV export.

import { useEffect, useState } from 'react';
import type { Trade } from '../api/types';
import { usePrefs } from '../app/prefs';
import { useApi } from '../auth/session';
import { ErrorNote } from '../components/Notice';
import { TradeTable } from '../components/TradeTable';
import { useResource } from '../hooks/useResource';
import { MonthlyTrades } from './MonthlyTrades';

export function TradesPage() {
  const api = useApi();
  const { t } = usePrefs();
  const [tab, setTab] = useState<'history' | 'monthly'>('history');
  const [botId, setBotId] = useState('');
  const [status, setStatus] = useState('');
  const bots = useResource(() => api.bots.list(), []);
  const first = useResource(() => api.trades.list({ bot_id: botId, status, limit: 50 }), [botId, status], true);
  // Later pages, kept while the first page refreshes live; dropped when the filters change.
  const [more, setMore] = useState<{ items: Trade[]; cursor: string | null } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => setMore(null), [botId, status]);
  const cursor = more ? more.cursor : (first.data?.next_cursor ?? null);
  const shown = new Map<string, Trade>();
  for (const trade of [...(first.data?.items ?? []), ...(more?.items ?? [])]) shown.set(trade.id, trade);

  const loadMore = () =>
    api.trades
      .list({ bot_id: botId, status, limit: 50, cursor })
      .then((page) => setMore({ items: [...(more?.items ?? []), ...page.items], cursor: page.next_cursor ?? null }))
      .catch(setError);

  return (
    <section>
      <div className="page-head">
        <h1>{t('trades.title')}</h1>
        <div className="segmented">
          <button type="button" className={tab === 'history' ? 'on' : undefined} onClick={() => setTab('history')}>
            {t('trades.history')}
          </button>
          <button type="button" className={tab === 'monthly' ? 'on' : undefined} onClick={() => setTab('monthly')}>
            {t('trades.monthly')}
          </button>
        </div>
      </div>
      {tab === 'monthly' ? (
        <MonthlyTrades />
      ) : (
        <div className="panel">
          <div className="filters">
            <select aria-label={t('nav.bots')} value={botId} onChange={(e) => setBotId(e.target.value)}>
              <option value="">{t('trades.allBots')}</option>
              {bots.data?.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </select>
            <select aria-label={t('trades.status')} value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">{t('trades.allStatuses')}</option>
              <option value="open">{t('trades.open')}</option>
              <option value="closed">{t('trades.closed')}</option>
            </select>
          </div>
          <ErrorNote error={error ?? first.error} />
          <TradeTable
            trades={[...shown.values()]}
            onClose={(trade) => api.trades.close(trade.id).then(first.reload).catch(setError)}
          />
          {cursor && (
            <button type="button" onClick={loadMore}>
              {t('trades.more')}
            </button>
          )}
        </div>
      )}
    </section>
  );
}
