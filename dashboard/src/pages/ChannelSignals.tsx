//! A channel's signal history and, for its publisher, who received and acked each signal.

import { useState } from 'react';
import type { Channel } from '../api/types';
import { usePrefs } from '../app/prefs';
import { useApi } from '../auth/session';
import { Empty, ErrorNote } from '../components/Notice';
import { useResource } from '../hooks/useResource';

export function ChannelSignals({ channel }: { channel: Channel }) {
  const api = useApi();
  const { t, date } = usePrefs();
  const signals = useResource(() => api.copier.signals(channel.id), [channel.id], true);
  const [seq, setSeq] = useState<number | null>(null);
  const deliveries = useResource(
    () => (seq === null ? Promise.resolve(null) : api.copier.deliveries(channel.id, seq)),
    [channel.id, seq],
  );
  return (
    <div>
      <ErrorNote error={signals.error} />
      {signals.data?.items.length === 0 && <Empty />}
      <ul className="activity">
        {signals.data?.items.map((signal) => (
          <li key={signal.seq}>
            #{signal.seq} <time>{date(signal.at)}</time> <strong>{signal.type}</strong> {signal.ticket}{' '}
            <code>{JSON.stringify(signal.data)}</code>{' '}
            {channel.role === 'publisher' && (
              <button type="button" className="link" onClick={() => setSeq(signal.seq)}>
                {t('copier.deliveries')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {seq !== null && (
        <div className="table-wrap">
          <ErrorNote error={deliveries.error} />
          <table>
            <tbody>
              {deliveries.data?.items.map((d) => (
                <tr key={d.user_id}>
                  <td>{d.user_id}</td>
                  <td>{date(d.sent_at)}</td>
                  <td>{date(d.acked_at)}</td>
                  <td>{d.client_ticket ?? ''}</td>
                  <td>{d.ack_delay_ms == null ? '' : `${d.ack_delay_ms} ms`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
