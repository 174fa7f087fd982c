//! Admin: users, searchable, with role, plan and active flag editable in place.

import { useState } from 'react';
import type { Plan, Role, User } from '../../api/types';
import { usePrefs } from '../../app/prefs';
import { useApi } from '../../auth/session';
import { ErrorNote } from '../../components/Notice';
import { useResource } from '../../hooks/useResource';

export function AdminUsers() {
  const api = useApi();
  const { t, date } = usePrefs();
  const [search, setSearch] = useState('');
  const users = useResource(() => api.admin.users({ q: search }), [search]);
  const [error, setError] = useState<Error | null>(null);
  const patch = (user: User, change: Partial<Pick<User, 'role' | 'plan' | 'is_active'>>) =>
    api.admin
      .updateUser(user.id, change)
      .then(() => {
        setError(null);
        users.reload();
      })
      .catch(setError);

  return (
    <div className="panel">
      <input name="q" placeholder={t('admin.search')} value={search} onChange={(e) => setSearch(e.target.value)} />
      <ErrorNote error={error ?? users.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>{t('auth.email')}</th>
              <th>{t('admin.role')}</th>
              <th>{t('admin.plan')}</th>
              <th>{t('admin.active')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.data?.items.map((user) => (
              <tr key={user.id}>
                <td>{user.email}</td>
                <td>
                  <select aria-label={t('admin.role')} value={user.role} onChange={(e) => patch(user, { role: e.target.value as Role })}>
                    {['client', 'staff', 'admin'].map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <select aria-label={t('admin.plan')} value={user.plan} onChange={(e) => patch(user, { plan: e.target.value as Plan })}>
                    {['free', 'pro', 'premium'].map((p) => (
                      <option key={p}>{p}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <input type="checkbox" aria-label={t('admin.active')} checked={user.is_active ?? true} onChange={(e) => patch(user, { is_active: e.target.checked })} />
                </td>
                <td className="muted">{date(user.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
