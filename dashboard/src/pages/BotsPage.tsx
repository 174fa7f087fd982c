//! The bots list: state, capital and realised P&L of each (from the bot's stats over its whole
//! history, in its own currency), with start/stop, clone and delete.

import { useState } from 'react';
import type { Bot, CurrencyStats } from '../api/types';
import { usePrefs } from '../app/prefs';
import { Link, navigate } from '../app/router';
import { useApi } from '../auth/session';
import { ConfirmButton } from '../components/ConfirmButton';
import { Empty, ErrorNote, Loading } from '../components/Notice';
import { useResource } from '../hooks/useResource';

/**
 * The currencies a bot's P&L is shown in: each it has traded in, or its quote currency at zero
 * before its first trade.
 */
export function botResults(bot: Pick<Bot, 'quote_currency'>, byCurrency: CurrencyStats[] | undefined) {
  const traded = (byCurrency ?? []).filter((c) => c.total_trades > 0);
  if (traded.length) return traded.map((c) => ({ currency: c.currency, net: c.net_profit, closed: c.closed_trades, winRate: c.win_rate }));
  return [{ currency: bot.quote_currency, net: 0, closed: 0, winRate: 0 }];
}

export function BotsPage() {
  const api = useApi();
  const { t, amount } = usePrefs();
  const bots = useResource(() => api.bots.list(), [], true);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

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
              <dd>{amount(bot.capital, bot.quote_currency)}</dd>
              <BotPnl bot={bot} />
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

/** A bot's realised P&L, closed trades and win rate per currency, from `/api/bots/{id}/stats`. */
function BotPnl({ bot }: { bot: Bot }) {
  const api = useApi();
  const { t, amount, number, percent } = usePrefs();
  const stats = useResource(() => api.bots.stats(bot.id), [bot.id], true);
  if (stats.error) {
    return (
      <>
        <dt>{t('bots.pnl')}</dt>
        <dd className="error-note">{stats.error.message}</dd>
      </>
    );
  }
  if (!stats.data) {
    return (
      <>
        <dt>{t('bots.pnl')}</dt>
        <dd className="muted">…</dd>
      </>
    );
  }
  return (
    <>
      {botResults(bot, stats.data.by_currency).map((r) => (
        <div key={r.currency} className="facts-row" data-testid={`bot-pnl-${r.currency}`}>
          <dt>{t('bots.pnl')}</dt>
          <dd className={r.net > 0 ? 'up' : r.net < 0 ? 'down' : undefined} data-testid="bot-pnl">
            {amount(r.net, r.currency, true)}
          </dd>
          <dt>{t('bots.closedTrades')}</dt>
          <dd>{number(r.closed)}</dd>
          {r.closed > 0 && (
            <>
              <dt>{t('fig.winRate')}</dt>
              <dd>{percent(r.winRate)}</dd>
            </>
          )}
        </div>
      ))}
    </>
  );
}
