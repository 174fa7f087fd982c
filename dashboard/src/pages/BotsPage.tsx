//! The bots list: state, capital and realised P&L of each, with start/stop, clone and delete.

import { useState } from 'react';
import type { Bot, Trade } from '../api/types';
import { usePrefs } from '../app/prefs';
import { Link, navigate } from '../app/router';
import { useApi } from '../auth/session';
import { ConfirmButton } from '../components/ConfirmButton';
import { Empty, ErrorNote, Loading } from '../components/Notice';
import { useResource } from '../hooks/useResource';

export function pnlByBot(trades: Trade[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const trade of trades) {
    if (trade.status === 'closed') totals[trade.bot_id] = (totals[trade.bot_id] ?? 0) + (trade.profit_loss ?? 0);
  }
  return totals;
}

export function BotsPage() {
  const api = useApi();
  const { t, money } = usePrefs();
  const bots = useResource(() => api.bots.list(), [], true);
  const trades = useResource(() => api.trades.list({ status: 'closed', limit: 500 }), [], true);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const pnl = pnlByBot(trades.data?.items ?? []);

  const act = async (bot: Bot, action: () => Promise<unknown>) => {
    setBusy(bot.id);
    setError(null);
    try {
      await action();
      bots.reload();
    } catch (reason) {
      setError(reason as Error);
    } finally {
      setBusy(null);
    }
  };

  return (
    <section>
      <div className="page-head">
        <h1>{t('bots.title')}</h1>
        <button type="button" className="primary" onClick={() => navigate('/bots/new')}>
          {t('bots.new')}
        </button>
      </div>
      <ErrorNote error={error ?? bots.error} />
      {!bots.data && !bots.error && <Loading />}
      {bots.data?.length === 0 && <Empty />}
      <div className="bot-list">
        {bots.data?.map((bot) => (
          <article key={bot.id} className="panel bot" data-testid={`bot-${bot.name}`}>
            <div className="bot-head">
              <Link to={`/bots/${bot.id}`} className="bot-name">
                {bot.name}
              </Link>
              <span className={bot.is_active ? 'badge on' : 'badge'} data-testid="bot-state">
                {bot.is_active ? t('bots.running') : t('bots.stopped')}
              </span>
            </div>
            <div className="muted">
              {bot.exchange} · {bot.symbols.join(', ')} · {bot.strategy}
            </div>
            <dl className="facts">
              <dt>{t('bots.capital')}</dt>
              <dd>{money(bot.capital, bot.quote_currency)}</dd>
              <dt>{t('bots.pnl')}</dt>
              <dd className={(pnl[bot.id] ?? 0) >= 0 ? 'up' : 'down'}>{money(pnl[bot.id] ?? 0, bot.quote_currency)}</dd>
            </dl>
            <div className="actions">
              <button type="button" disabled={busy === bot.id} onClick={() => act(bot, () => api.bots.toggle(bot.id))}>
                {bot.is_active ? t('bots.stop') : t('bots.start')}
              </button>
              <button type="button" disabled={busy === bot.id || bot.is_active} onClick={() => navigate(`/bots/${bot.id}/edit`)}>
                {t('common.edit')}
              </button>
              <button type="button" disabled={busy === bot.id} onClick={() => act(bot, () => api.bots.clone(bot.id))}>
                {t('bots.clone')}
              </button>
              <ConfirmButton label={t('common.delete')} disabled={busy === bot.id} onConfirm={() => act(bot, () => api.bots.remove(bot.id))} />
            </div>
          </article>
        ))}
      </div>
    </section>
  );
}
