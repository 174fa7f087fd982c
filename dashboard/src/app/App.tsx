//! The providers (session, preferences, live updates) and the sign-in gate.

import { useCallback, useEffect } from 'react';
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

const AUTH_PATHS = ['/signin', '/register'];

function Gate() {
  const { user, checking, client } = useSession();
  const path = usePath();
  const onAuthPage = AUTH_PATHS.includes(path);
  useEffect(() => {
    if (checking) return;
    if (!user && !onAuthPage) navigate('/signin', true);
    if (user && onAuthPage) navigate('/', true);
  }, [user, checking, onAuthPage]);
  if (checking) return null;
  if (!user) return <AuthPage registering={path === '/register'} />;
  return (
    <LiveProvider client={client}>
      <Layout>
        <Routes path={path} />
      </Layout>
    </LiveProvider>
  );
}
