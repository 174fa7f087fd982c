//! Admin: every payment, newest first.

import { usePrefs } from '../../app/prefs';
import { useApi } from '../../auth/session';
import { Empty, ErrorNote } from '../../components/Notice';
import { useResource } from '../../hooks/useResource';
import { formatMoney } from '../../format/money';

export function AdminPayments() {
  const api = useApi();
  const { date, locale } = usePrefs();
  const payments = useResource(() => api.admin.payments(), []);
  return (
    <div className="panel">
      <ErrorNote error={payments.error} />
      {payments.data?.items.length === 0 && <Empty />}
      <div className="table-wrap">
        <table>
          <tbody>
            {payments.data?.items.map((p) => (
              <tr key={p.id}>
                <td>{date(p.created_at)}</td>
                <td>{p.user_email}</td>
                <td>{p.provider}</td>
                <td>{p.plan}</td>
                <td>{formatMoney(p.amount, p.currency?.toUpperCase() ?? 'USD', locale)}</td>
                <td>{p.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
