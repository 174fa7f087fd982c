//! The trades entered in one UTC month, their totals per currency (each in that currency), and
//! the month as a CSV download.

import { useState } from 'react';
import { usePrefs } from '../app/prefs';
import { useApi } from '../auth/session';
import { ErrorNote } from '../components/Notice';
import { TradeTable } from '../components/TradeTable';
import { useResource } from '../hooks/useResource';

const thisMonth = () => new Date().toISOString().slice(0, 7);

export function MonthlyTrades() {
  const api = useApi();
  const { t, amount, number } = usePrefs();
  const [month, setMonth] = useState(thisMonth());
  const [year, monthNumber] = month.split('-').map(Number);
  const trades = useResource(() => api.trades.month(year, monthNumber), [year, monthNumber], true);
  const [error, setError] = useState<Error | null>(null);

  const exportCsv = async () => {
    setError(null);
    try {
      const response = await api.trades.monthCsv(year, monthNumber);
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download = `auronex-trades-${month}.csv`;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (reason) {
      setError(reason as Error);
    }
  };

  return (
    <div className="panel">
      <div className="filters">
        <label>
          {t('trades.month')}{' '}
          <input type="month" name="month" value={month} onChange={(e) => e.target.value && setMonth(e.target.value)} />
        </label>
        <button type="button" className="primary" onClick={exportCsv}>
          {t('trades.exportCsv')}
        </button>
      </div>
      <ErrorNote error={error ?? trades.error} />
      {trades.data?.totals.length === 0 && <p className="muted">{t('common.none')}</p>}
      <ul className="month-totals" data-testid="month-totals">
        {trades.data?.totals.map((total) => (
          <li key={total.currency} data-testid={`month-total-${total.currency}`}>
            <strong>{total.currency}</strong>
            <span>{t('trades.count', { count: number(total.trades), closed: number(total.closed_trades) })}</span>
            <span className={total.profit_loss > 0 ? 'up' : total.profit_loss < 0 ? 'down' : undefined} data-testid="month-net">
              {t('trades.net', { amount: amount(total.profit_loss, total.currency, true) })}
            </span>
            <span className="muted">{t('trades.fees', { amount: amount(total.fees, total.currency) })}</span>
          </li>
        ))}
      </ul>
      <TradeTable trades={trades.data?.items ?? []} />
    </div>
  );
}
