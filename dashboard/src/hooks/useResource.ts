//! Loads one API resource for a page, reloads it on demand, and (when `live`) again whenever
//! the live version moves, keeping the last good data on screen while it does.

import { useCallback, useEffect, useRef, useState } from 'react';
import { useLiveVersion } from './live';

export interface Resource<T> {
  data: T | undefined;
  error: Error | null;
  loading: boolean;
  reload(): void;
}

export function useResource<T>(load: () => Promise<T>, deps: unknown[], live = false): Resource<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(true);
  const [nonce, setNonce] = useState(0);
  const version = useLiveVersion();
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    setData(undefined);
    setLoading(true);
  }, deps); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    let current = true;
    loadRef
      .current()
      .then((value) => {
        if (!current) return;
        setData(value);
        setError(null);
      })
      .catch((reason) => current && setError(reason instanceof Error ? reason : new Error(String(reason))))
      .finally(() => current && setLoading(false));
    return () => {
      current = false;
    };
  }, [...deps, nonce, live ? version : 0]); // eslint-disable-line react-hooks/exhaustive-deps

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { data, error, loading, reload };
}
