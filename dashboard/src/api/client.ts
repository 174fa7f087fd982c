//! The HTTP client every page uses: bearer tokens, one silent refresh on 401 (shared by
//! concurrent requests, since refresh tokens rotate), and the API's error body as an ApiError.

export interface Tokens {
  access_token: string;
  refresh_token: string;
}

/** Where the session's tokens live (localStorage in the browser, memory in tests). */
export interface TokenStore {
  get(): Tokens | null;
  set(tokens: Tokens | null): void;
}

/** A failed request: the server's `{"error": {code, message, field?}}` or the best we can say. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function memoryStore(initial: Tokens | null = null): TokenStore {
  let tokens = initial;
  return { get: () => tokens, set: (next) => void (tokens = next) };
}

export function localStore(key = 'auronex.session'): TokenStore {
  return {
    get() {
      try {
        const parsed = JSON.parse(localStorage.getItem(key) ?? 'null');
        return parsed && typeof parsed.access_token === 'string' ? parsed : null;
      } catch {
        return null;
      }
    },
    set(tokens) {
      if (tokens) localStorage.setItem(key, JSON.stringify(tokens));
      else localStorage.removeItem(key);
    },
  };
}

/** Reads an error response into an ApiError, whatever its body. */
export async function errorFrom(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  try {
    const error = JSON.parse(text)?.error;
    if (error && typeof error.message === 'string') {
      return new ApiError(response.status, String(error.code ?? 'error'), error.message, error.field ?? undefined);
    }
  } catch {
    // not JSON: fall through to the text
  }
  const message = text.trim().slice(0, 200) || response.statusText || `HTTP ${response.status}`;
  return new ApiError(response.status, 'http_error', message);
}

export interface ClientOptions {
  baseUrl?: string;
  store: TokenStore;
  /** Called once the session cannot be refreshed any more (back to sign-in). */
  onExpired?: () => void;
  fetch?: typeof fetch;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export class ApiClient {
  private refreshing: Promise<boolean> | null = null;
  private readonly fetcher: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.fetcher = options.fetch ?? ((input, init) => fetch(input, init));
  }

  get store(): TokenStore {
    return this.options.store;
  }

  url(path: string): string {
    return (this.options.baseUrl ?? '') + path;
  }

  /** The raw response of an authenticated request (e.g. a CSV download); errors thrown. */
  async raw(method: Method, path: string, body?: unknown): Promise<Response> {
    const sentWith = this.options.store.get()?.access_token;
    let response = await this.send(method, path, body);
    if (response.status === 401 && this.options.store.get() && (await this.renewedSince(sentWith))) {
      response = await this.send(method, path, body);
    }
    if (response.status === 401 && this.options.store.get()) this.expire();
    if (!response.ok) throw await errorFrom(response);
    return response;
  }

  /**
   * True when a newer access token than `sentWith` is available: one another request (or
   * another tab) already stored, or a fresh one from refreshing now.
   */
  private async renewedSince(sentWith: string | undefined): Promise<boolean> {
    const current = this.options.store.get()?.access_token;
    if (current && current !== sentWith) return true;
    return this.refresh();
  }

  /** A JSON request; 204 gives undefined. */
  async request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const response = await this.raw(method, path, body);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** Exchanges the refresh token for a new pair, once for all concurrent callers. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const tokens = this.options.store.get();
    if (!tokens?.refresh_token) return false;
    try {
      const response = await this.fetcher(this.url('/api/auth/refresh'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: tokens.refresh_token }),
      });
      if (!response.ok) return false;
      const next = await response.json();
      this.options.store.set({ access_token: next.access_token, refresh_token: next.refresh_token });
      return true;
    } catch {
      return false;
    }
  }

  private expire() {
    this.options.store.set(null);
    this.options.onExpired?.();
  }

  private send(method: Method, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = this.options.store.get()?.access_token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    return this.fetcher(this.url(path), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }
}
