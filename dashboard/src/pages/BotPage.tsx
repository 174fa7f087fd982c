//! One bot: its settings, its results over its whole history (per currency, from
//! `/api/bots/{id}/stats`), a candlestick chart of each market with entries and exits marked,
//! and its trades, live.

import { useState } from 'react';
import { usePrefs } from '../app/prefs';
import { navigate } from '../app/router';
import { useApi } from '../auth/session';
import { CandleChart } from '../components/CandleChart';
import { CurrencyFigures } from '../components/Figures';
import { BacktestPanel } from '../components/lab/BacktestPanel';
import { ErrorNote, Loading } from '../components/Notice';
import { TradeTable } from '../components/TradeTable';
import { statsFigures } from '../format/ledger';
import { withParams } from '../forms/botForm';
import { useResource } from '../hooks/useResource';

export function BotPage({ id }: { id: string }) {
  const api = useApi();
  const { t, amount, number, locale } = usePrefs();
  const bot = useResource(() => api.bots.get(id), [id], true);
  const stats = useResource(() => api.bots.stats(id), [id], true);
  const trades = useResource(() => api.trades.list({ bot_id: id, limit: 200 }), [id], true);
  const [picked, setPicked] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const symbol = picked ?? bot.data?.symbols[0] ?? '';
  const exchange = bot.data?.exchange ?? '';
  const candles = useResource(
    () => (symbol ? api.market.candles(exchange, symbol, '1m', 200) : Promise.resolve([])),
    [exchange, symbol],
    true,
  );

  if (bot.error) return <ErrorNote error={bot.error} />;
  if (!bot.data) return <Loading />;
  const b = bot.data;
  const act = (action: () => Promise<unknown>) =>
    action()
      .then(() => {
        bot.reload();
        stats.reload();
        trades.reload();
      })
      .catch(setError);

  return (
    <section>
      <div className="page-head">
        <h1>{b.name}</h1>
        <span className={b.is_active ? 'badge on' : 'badge'} data-testid="bot-state">
          {b.is_active ? t('bots.running') : t('bots.stopped')}
        </span>
        <button type="button" onClick={() => act(() => api.bots.toggle(b.id))}>
          {b.is_active ? t('bots.stop') : t('bots.start')}
        </button>
        <button type="button" disabled={b.is_active} onClick={() => navigate(`/bots/${b.id}/edit`)}>
          {t('common.edit')}
        </button>
      </div>
      <ErrorNote error={error} />
      <p className="muted">
        {b.exchange} · {b.strategy} · {t('bots.capital')} {amount(b.capital, b.quote_currency)} · {b.analysis_interval}s
      </p>
      <div className="panel">
        <h2>{t('bots.results')}</h2>
        <ErrorNote error={stats.error} onRetry={stats.reload} />
        {stats.data && stats.data.by_currency.length === 0 && <p className="muted">{t('common.none')}</p>}
        <div className="currency-group" data-testid="bot-results">
          {stats.data?.by_currency.map((c) => (
            <CurrencyFigures
              key={c.currency}
              currency={c.currency}
              note={t('trades.count', { count: number(c.total_trades), closed: number(c.closed_trades) })}
              figures={statsFigures(c, locale)}
            />
          ))}
        </div>
      </div>
      <div className="panel">
        <div className="page-head">
          <h2>{t('bots.chart')}</h2>
          <select aria-label={t('trades.symbol')} value={symbol} onChange={(e) => setPicked(e.target.value)}>
            {b.symbols.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </div>
        <ErrorNote error={candles.error} onRetry={candles.reload} />
        {candles.data && <CandleChart candles={candles.data} trades={trades.data?.items ?? []} symbol={symbol} />}
      </div>
      <BacktestPanel bot={b} usedNote="lab.used" onUse={(params) => api.bots.update(b.id, withParams(b, params)).then(bot.reload)} />
      <div className="panel">
        <h2>{t('bots.trades')}</h2>
        <TradeTable trades={trades.data?.items ?? []} onClose={(trade) => act(() => api.trades.close(trade.id))} />
      </div>
    </section>
  );
}
