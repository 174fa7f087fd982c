//! The admin area (admins only; the route table keeps everyone else out): its sections as tabs.

import type { ReactElement } from 'react';
import { usePrefs } from '../../app/prefs';
import { Link } from '../../app/router';
import type { MessageKey } from '../../i18n/messages';
import { AdminBots } from './AdminBots';
import { AdminPayments } from './AdminPayments';
import { AdminSettings } from './AdminSettings';
import { AdminUsers } from './AdminUsers';

const SECTIONS: [string, MessageKey, () => ReactElement][] = [
  ['users', 'admin.users', () => <AdminUsers />],
  ['bots', 'admin.bots', () => <AdminBots />],
  ['payments', 'admin.payments', () => <AdminPayments />],
  ['settings', 'admin.settings', () => <AdminSettings />],
];

export function AdminPage({ section }: { section: string }) {
  const { t } = usePrefs();
  const current = SECTIONS.find(([id]) => id === section) ?? SECTIONS[0];
  return (
    <section>
      <h1>{t('admin.title')}</h1>
      <nav className="tabs">
        {SECTIONS.map(([id, key]) => (
          <Link key={id} to={`/admin/${id}`} className={id === current[0] ? 'active' : undefined}>
            {t(key)}
          </Link>
        ))}
      </nav>
      {current[2]()}
    </section>
  );
}
