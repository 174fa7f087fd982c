//! The frame around every signed-in page: navigation, language and currency switches, sign out.

import { useState, type ReactNode } from 'react';
import { useSession } from '../auth/session';
import type { MessageKey } from '../i18n/messages';
import { Switches } from './Switches';
import { usePrefs } from './prefs';
import { Link, usePath } from './router';

const NAV: [string, MessageKey][] = [
  ['/', 'nav.overview'],
  ['/bots', 'nav.bots'],
  ['/trades', 'nav.trades'],
  ['/api-keys', 'nav.apiKeys'],
  ['/telegram', 'nav.telegram'],
  ['/billing', 'nav.billing'],
  ['/copier', 'nav.copier'],
];

export function Layout({ children }: { children: ReactNode }) {
  const { user, signOut } = useSession();
  const { t } = usePrefs();
  const path = usePath();
  const [open, setOpen] = useState(false);
  const items: [string, MessageKey][] = user?.role === 'admin' ? [...NAV, ['/admin', 'nav.admin']] : NAV;
  const active = (to: string) => (to === '/' ? path === '/' : path.startsWith(to));
  return (
    <div className="shell">
      <header className="topbar">
        <button type="button" className="menu-button" aria-expanded={open} onClick={() => setOpen(!open)}>
          {t('nav.menu')}
        </button>
        <strong className="brand">{t('app.name')}</strong>
        <Switches />
        <span className="who">{user?.email}</span>
        <button type="button" onClick={() => void signOut()}>
          {t('nav.signOut')}
        </button>
      </header>
      <nav className={open ? 'sidebar open' : 'sidebar'} onClick={() => setOpen(false)}>
        {items.map(([to, key]) => (
          <Link key={to} to={to} className={active(to) ? 'active' : undefined}>
            {t(key)}
          </Link>
        ))}
      </nav>
      <main className="content">{children}</main>
    </div>
  );
}
