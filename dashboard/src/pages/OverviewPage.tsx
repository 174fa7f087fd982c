//! Overview: the summary cards, the equity curve, the last bot actions and the top gainers,
//! refreshed live.

import { usePrefs } from '../app/prefs';
import { useApi } from '../auth/session';
import { Card } from '../components/Card';
import { EquityChart, equityPoints } from '../components/EquityChart';
import { Empty, ErrorNote, Loading } from '../components/Notice';
import { useResource } from '../hooks/useResource';

export function OverviewPage() {
  const api = useApi();
  const { t, money, percent, number, date } = usePrefs();
  const summary = useResource(() => api.summary(), [], true);
  const closed = useResource(() => api.trades.list({ status: 'closed', limit: 500 }), [], true);
  const activity = useResource(() => api.activity(), [], true);
  const gainers = useResource(() => api.market.gainers(), []);

  const s = summary.data;
  const startBalance = s ? s.total_balance - s.net_profit : 0;
  const points = s && closed.data ? equityPoints(startBalance, closed.data.items) : [];
  return (
    <section>
      <h1>{t('overview.title')}</h1>
      <ErrorNote error={summary.error} onRetry={summary.reload} />
      {!s && !summary.error && <Loading />}
      {s && (
        <div className="cards">
          <Card testId="card-total-balance" label={t('overview.totalBalance')} value={money(s.total_balance)} />
          <Card label={t('overview.capitalInvested')} value={money(s.capital_invested)} />
          <Card
            label={t('overview.netProfit')}
            value={money(s.net_profit)}
            tone={s.net_profit > 0 ? 'up' : s.net_profit < 0 ? 'down' : undefined}
          />
          <Card testId="card-trades-today" label={t('overview.tradesToday')} value={number(s.trades_today)} />
          <Card label={t('overview.winRate')} value={percent(s.win_rate)} />
          <Card label={t('overview.activeBots')} value={`${s.bots_active} / ${s.bots_total}`} />
        </div>
      )}
      <div className="grid-2">
        <div className="panel">
          <h2>{t('overview.equity')}</h2>
          {points.length > 1 ? <EquityChart points={points} label={t('overview.equity')} /> : <p className="muted">{t('overview.equityEmpty')}</p>}
        </div>
        <div className="panel">
          <h2>{t('overview.gainers')}</h2>
          <ErrorNote error={gainers.error} onRetry={gainers.reload} />
          <ol className="gainers">
            {gainers.data?.slice(0, 5).map((g) => (
              <li key={g.symbol}>
                <span>{g.symbol}</span>
                <span>{number(g.price)}</span>
                <span className={g.change_pct >= 0 ? 'up' : 'down'}>{percent(g.change_pct, true)}</span>
              </li>
            ))}
          </ol>
        </div>
      </div>
      <div className="panel">
        <h2>{t('overview.activity')}</h2>
        <ErrorNote error={activity.error} onRetry={activity.reload} />
        {activity.data?.length === 0 && <Empty />}
        <ul className="activity" data-testid="activity">
          {activity.data?.slice(0, 20).map((a, i) => (
            <li key={`${a.at}-${i}`}>
              <time>{date(a.at)}</time> <strong>{a.bot_name}</strong> <span className={`tag ${a.action}`}>{a.action}</span>{' '}
              <span className="muted">{a.message}</span>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
