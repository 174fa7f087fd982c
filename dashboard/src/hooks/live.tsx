//! "Data changed" signals: any message on the `/api/stream` websocket bumps a version counter;
//! while the socket is not open, the counter is bumped by polling every few seconds instead.
//! The access token rides in the subprotocol pair `bearer, <token>`, never in the URL (URLs end
//! up in proxy logs and browser history); the server answers with the `bearer` subprotocol. The
//! server closes the socket (code 4401) when its session ends; the reconnect uses the token the
//! store holds then.

import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import type { ApiClient } from '../api/client';

export const POLL_MS = 5_000;
const RECONNECT_MS = 30_000;

const LiveContext = createContext(0);

export function LiveProvider({ client, children }: { client: ApiClient; children: ReactNode }) {
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let socket: WebSocket | null = null;
    let open = false;
    let stopped = false;
    let reconnect: ReturnType<typeof setTimeout> | undefined;
    const bump = () => setVersion((v) => v + 1);

    const connect = () => {
      const token = client.store.get()?.access_token;
      if (stopped || !token || typeof WebSocket === 'undefined') return;
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      try {
        socket = new WebSocket(`${scheme}://${location.host}/api/stream`, ['bearer', token]);
      } catch {
        return;
      }
      socket.onopen = () => (open = true);
      socket.onmessage = bump;
      socket.onclose = () => {
        if (open) bump();
        open = false;
        if (!stopped) reconnect = setTimeout(connect, RECONNECT_MS);
      };
    };
    connect();
    const poll = setInterval(() => {
      if (!open && document.visibilityState !== 'hidden') bump();
    }, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(poll);
      clearTimeout(reconnect);
      socket?.close();
    };
  }, [client]);

  return <LiveContext.Provider value={version}>{children}</LiveContext.Provider>;
}

export const useLiveVersion = () => useContext(LiveContext);
