//! A table of trades (scrolls sideways on a phone), with "close now" for open ones; each
//! trade's amounts in its own quote currency.

import type { Trade } from '../api/types';
import { usePrefs } from '../app/prefs';
import { quoteOf } from '../forms/botForm';

export function TradeTable({ trades, onClose }: { trades: Trade[]; onClose?: (trade: Trade) => void }) {
  const { t, amount, number, percent, date } = usePrefs();
  return (
    <div className="table-wrap">
      <table className="trades" data-testid="trades-table">
        <thead>
          <tr>
            <th>{t('trades.time')}</th>
            <th>{t('trades.symbol')}</th>
            <th>{t('trades.status')}</th>
            <th>{t('trades.entry')}</th>
            <th>{t('trades.exit')}</th>
            <th>{t('trades.quantity')}</th>
            <th>{t('trades.pnl')}</th>
            <th>{t('trades.reason')}</th>
            {onClose && <th />}
          </tr>
        </thead>
        <tbody>
          {trades.map((trade) => (
            <tr key={trade.id} data-status={trade.status}>
              <td>{date(trade.entry_time)}</td>
              <td>{trade.symbol}</td>
              <td>{trade.status === 'open' ? t('trades.open') : t('trades.closed')}</td>
              <td>{number(trade.entry_price)}</td>
              <td>{trade.exit_price == null ? '—' : number(trade.exit_price)}</td>
              <td>{number(trade.quantity)}</td>
              <td className={(trade.profit_loss ?? 0) >= 0 ? 'up' : 'down'} data-testid="trade-pnl">
                {trade.profit_loss == null
                  ? '—'
                  : `${amount(trade.profit_loss, trade.quote_currency ?? quoteOf(trade.symbol), true)} (${percent(trade.profit_pct, true)})`}
              </td>
              <td>{trade.exit_reason ?? ''}</td>
              {onClose && (
                <td>
                  {trade.status === 'open' && (
                    <button type="button" onClick={() => onClose(trade)}>
                      {t('trades.close')}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
