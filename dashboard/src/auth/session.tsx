//! The signed-in user: sign in, register, sign out, and the way back to sign-in when the
//! session can no longer be refreshed.

import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiClient, localStore } from '../api/client';
import { endpoints, type Endpoints } from '../api/endpoints';
import type { Session, User } from '../api/types';

interface SessionState {
  api: Endpoints;
  client: ApiClient;
  user: User | null;
  /** True until the stored session has been checked. */
  checking: boolean;
  expired: boolean;
  signIn(email: string, password: string): Promise<void>;
  register(body: { email: string; password: string; first_name?: string; last_name?: string }): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [checking, setChecking] = useState(true);
  const [expired, setExpired] = useState(false);
  const client = useMemo(
    () =>
      new ApiClient({
        store: localStore(),
        onExpired: () => {
          setUser(null);
          setExpired(true);
        },
      }),
    [],
  );
  const api = useMemo(() => endpoints(client), [client]);

  useEffect(() => {
    if (!client.store.get()) {
      setChecking(false);
      return;
    }
    api.auth
      .me()
      .then(setUser)
      .catch(() => undefined)
      .finally(() => setChecking(false));
  }, [api, client]);

  const start = useCallback(
    (session: Session) => {
      client.store.set({ access_token: session.access_token, refresh_token: session.refresh_token });
      setExpired(false);
      setUser(session.user);
    },
    [client],
  );

  const value = useMemo<SessionState>(
    () => ({
      api,
      client,
      user,
      checking,
      expired,
      signIn: async (email, password) => start(await api.auth.login({ email, password })),
      register: async (body) => start(await api.auth.register(body)),
      signOut: async () => {
        const refresh = client.store.get()?.refresh_token;
        client.store.set(null);
        setUser(null);
        if (refresh) await api.auth.logout(refresh).catch(() => undefined);
      },
    }),
    [api, client, user, checking, expired, start],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The API of a signed-in page. */
export const useApi = () => useSession().api;
