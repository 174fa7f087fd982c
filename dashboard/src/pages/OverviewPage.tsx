//! Overview: the total balance converted into the display currency with the rates it used, the
//! same books per currency (each in its own currency), the converted summary cards, an equity
//! curve per currency, the last bot actions and the top gainers, refreshed live.

import type { Summary } from '../api/types';
import { usePrefs } from '../app/prefs';
import { useApi } from '../auth/session';
import { Card } from '../components/Card';
import { EquityChart, equityCurves } from '../components/EquityChart';
import { CurrencyFigures } from '../components/Figures';
import { Empty, ErrorNote, Loading } from '../components/Notice';
import { conversionLines, missingNote, summaryFigures } from '../format/ledger';
import { useResource } from '../hooks/useResource';
import type { MessageKey } from '../i18n/messages';

export function OverviewPage() {
  const api = useApi();
  const { t, currency, locale, amount, percent, number, date } = usePrefs();
  const summary = useResource(() => api.summary(currency), [currency], true);
  const equity = useResource(() => api.trades.equity(), [], true);
  const activity = useResource(() => api.activity(), [], true);
  const gainers = useResource(() => api.market.gainers(), []);

  const s = summary.data;
  const curves = equityCurves(equity.data?.series ?? [], currency);
  return (
    <section>
      <h1>{t('overview.title')}</h1>
      <ErrorNote error={summary.error} onRetry={summary.reload} />
      {!s && !summary.error && <Loading />}
      {s && (
        <>
          <div className="overview-top">
            <TotalPanel summary={s} />
            <div className="panel">
              <h2>{t('overview.byCurrency')}</h2>
              <div className="currency-group" data-testid="by-currency">
                {s.by_currency.map((c) => (
                  <CurrencyFigures
                    key={c.currency}
                    currency={c.currency}
                    note={t('overview.closedTrades', { count: number(c.closed_trades) })}
                    figures={summaryFigures(c, locale)}
                  />
                ))}
              </div>
            </div>
          </div>
          <div className="cards">
            <Card testId="card-trades-today" label={t('overview.tradesToday')} value={number(s.trades_today)} />
            <Card label={t('overview.winRate')} value={percent(s.win_rate)} />
            <Card label={t('overview.activeBots')} value={`${s.bots_active} / ${s.bots_total}`} />
          </div>
        </>
      )}
      <div className="grid-2">
        <div className="panel" data-testid="equity">
          <h2>{t('overview.equity')}</h2>
          <ErrorNote error={equity.error} onRetry={equity.reload} />
          {equity.data && curves.length === 0 && <p className="muted">{t('overview.equityEmpty')}</p>}
          {curves.map((curve) => (
            <figure key={curve.currency} className="curve" data-testid={`equity-${curve.currency}`}>
              <figcaption>
                <strong>{curve.currency}</strong>
                <span>{amount(curve.last, curve.currency)}</span>
              </figcaption>
              <EquityChart points={curve.points} label={t('overview.equityOf', { currency: curve.currency })} />
            </figure>
          ))}
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

/**
 * The total balance converted into the display currency, the rates it used (with source and
 * time) or why there is none, and the other converted totals under it.
 */
function TotalPanel({ summary }: { summary: Summary }) {
  const { t, locale, amount } = usePrefs();
  const { conversion } = summary;
  const note = missingNote(summary.total_balance, conversion, locale);
  /** A converted total, or "not available" when the conversion is incomplete. */
  const converted = (value: number | null, signed = false) =>
    missingNote(value, conversion, locale) === null ? amount(value, conversion.currency, signed) : t('conv.none');
  const others: [string, MessageKey, number | null, boolean][] = [
    ['capital_invested', 'overview.capitalInvested', summary.capital_invested, false],
    ['in_positions', 'fig.inPositions', summary.in_positions, false],
    ['net_profit', 'overview.netProfit', summary.net_profit, true],
    ['profit_today', 'overview.profitToday', summary.profit_today, true],
  ];
  return (
    <div className="panel total" data-testid="total-balance">
      <div className="card-label">{t('overview.totalIn', { currency: conversion.currency })}</div>
      <div className="total-value" data-testid="total-value">
        {converted(summary.total_balance)}
      </div>
      {note && (
        <p className="error-note" data-testid="total-missing">
          {note}
        </p>
      )}
      <ul className="rates" data-testid="rates">
        {conversionLines(conversion, locale).map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <dl className="converted">
        {others.map(([key, label, value, signed]) => (
          <div key={key} data-figure={key}>
            <dt>{t(label)}</dt>
            <dd className={signed && note === null && value ? (value > 0 ? 'up' : 'down') : undefined}>{converted(value, signed)}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
