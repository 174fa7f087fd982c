//! The providers (session, preferences, live updates) and the sign-in gate.

import { useCallback } from 'react';
import { SessionProvider, useSession } from '../auth/session';
import { LiveProvider } from '../hooks/live';
import { AuthPage } from '../pages/AuthPage';
import { Layout } from './Layout';
import { PrefsProvider } from './prefs';
import { Routes } from './Routes';
import { navigate, usePath } from './router';

export function App() {
  return (
    <SessionProvider>
      <WithPrefs />
    </SessionProvider>
  );
}

function WithPrefs() {
  const { api } = useSession();
  const loadRate = useCallback(() => api.market.usdBrl(), [api]);
  return (
    <PrefsProvider loadRate={loadRate}>
      <Gate />
    </PrefsProvider>
  );
}

function Gate() {
  const { user, checking, client } = useSession();
  const path = usePath();
  if (checking) return null;
  if (!user) {
    const registering = path === '/register';
    if (path !== '/signin' && !registering) {
      queueMicrotask(() => navigate('/signin', true));
    }
    return <AuthPage registering={registering} />;
  }
  if (path === '/signin' || path === '/register') queueMicrotask(() => navigate('/', true));
  return (
    <LiveProvider client={client}>
      <Layout>
        <Routes path={path} />
      </Layout>
    </LiveProvider>
  );
}
