//! Which page each path shows.

import type { ReactElement } from 'react';
import { useSession } from '../auth/session';
import { ApiKeysPage } from '../pages/ApiKeysPage';
import { BillingPage } from '../pages/BillingPage';
import { BotEditPage } from '../pages/BotEditPage';
import { BotPage } from '../pages/BotPage';
import { BotsPage } from '../pages/BotsPage';
import { CopierPage } from '../pages/CopierPage';
import { OverviewPage } from '../pages/OverviewPage';
import { TelegramPage } from '../pages/TelegramPage';
import { TradesPage } from '../pages/TradesPage';
import { AdminPage } from '../pages/admin/AdminPage';
import { usePrefs } from './prefs';
import { match } from './router';

const ROUTES: [string, (params: Record<string, string>) => ReactElement][] = [
  ['/', () => <OverviewPage />],
  ['/bots', () => <BotsPage />],
  ['/bots/new', () => <BotEditPage />],
  ['/bots/:id', ({ id }) => <BotPage id={id} />],
  ['/bots/:id/edit', ({ id }) => <BotEditPage id={id} />],
  ['/trades', () => <TradesPage />],
  ['/api-keys', () => <ApiKeysPage />],
  ['/telegram', () => <TelegramPage />],
  ['/billing', () => <BillingPage />],
  ['/copier', () => <CopierPage />],
  ['/admin', () => <AdminPage section="users" />],
  ['/admin/:section', ({ section }) => <AdminPage section={section} />],
];

export function Routes({ path }: { path: string }) {
  const { user } = useSession();
  const { t } = usePrefs();
  const normalized = path.length > 1 ? path.replace(/\/+$/, '') : path;
  for (const [pattern, render] of ROUTES) {
    const params = match(pattern, normalized);
    if (!params) continue;
    if (pattern.startsWith('/admin') && user?.role !== 'admin') break;
    return render(params);
  }
  return <p className="muted">{t('notFound')}</p>;
}
