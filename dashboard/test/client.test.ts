//! The API client against a local HTTP stand-in speaking the API's formats: bearer tokens, one
//! refresh (with rotation) on 401 shared by concurrent requests, expiry, and error bodies.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient, ApiError, memoryStore } from '../src/api/client';

/** The error a request fails with (a success fails the test). */
const failure = (request: Promise<unknown>): Promise<ApiError> =>
  request.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (error: ApiError) => error,
  );

let server: Server;
let baseUrl = '';
let validAccess = 'access-1';
let validRefresh = 'refresh-1';
let refreshCalls = 0;

const body = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => resolve(text));
  });

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const text = await body(req);
    if (req.url === '/api/auth/refresh') {
      refreshCalls++;
      await new Promise((r) => setTimeout(r, 20));
      const token = JSON.parse(text).refresh_token;
      if (token !== validRefresh) return json(401, { error: { code: 'invalid_token', message: 'refresh token used' } });
      validAccess = `access-${refreshCalls + 1}`;
      validRefresh = `refresh-${refreshCalls + 1}`;
      return json(200, { access_token: validAccess, refresh_token: validRefresh, token_type: 'bearer', expires_in: 900 });
    }
    if (req.headers.authorization !== `Bearer ${validAccess}`) {
      return json(401, { error: { code: 'unauthorized', message: 'missing or invalid token' } });
    }
    if (req.url === '/api/me') return json(200, { email: 'a@b.co' });
    if (req.url === '/api/bots' && req.method === 'POST') {
      return json(422, { error: { code: 'validation', message: 'capital must be from 2 to 10000', field: 'capital' } });
    }
    if (req.url === '/api/bots/1' && req.method === 'DELETE') {
      res.writeHead(204);
      return res.end();
    }
    if (req.url === '/api/broken') {
      res.writeHead(502, { 'content-type': 'text/html' });
      return res.end('<html>Bad gateway</html>');
    }
    if (req.url === '/api/echo') return json(200, { got: JSON.parse(text), type: req.headers['content-type'] });
    json(404, { error: { code: 'not_found', message: 'no such route' } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  validAccess = 'access-1';
  validRefresh = 'refresh-1';
  refreshCalls = 0;
});

describe('ApiClient', () => {
  it('sends the bearer token and JSON bodies', async () => {
    const client = new ApiClient({ baseUrl, store: memoryStore({ access_token: 'access-1', refresh_token: 'refresh-1' }) });
    expect(await client.get('/api/me')).toEqual({ email: 'a@b.co' });
    expect(await client.request('POST', '/api/echo', { a: 1 })).toEqual({ got: { a: 1 }, type: 'application/json' });
    expect(await client.request('DELETE', '/api/bots/1')).toBeUndefined();
  });

  it('refreshes once on 401, stores the rotated pair and retries', async () => {
    const store = memoryStore({ access_token: 'stale', refresh_token: 'refresh-1' });
    const client = new ApiClient({ baseUrl, store });
    const results = await Promise.all([client.get('/api/me'), client.get('/api/me'), client.get('/api/me')]);
    expect(results).toEqual([{ email: 'a@b.co' }, { email: 'a@b.co' }, { email: 'a@b.co' }]);
    expect(refreshCalls).toBe(1);
    expect(store.get()).toEqual({ access_token: 'access-2', refresh_token: 'refresh-2' });
  });

  it('retries with a token stored meanwhile (another tab refreshed) instead of refreshing again', async () => {
    const store = memoryStore({ access_token: 'stale', refresh_token: 'refresh-1' });
    const otherTab = new ApiClient({ baseUrl, store });
    let raced = false;
    // The other tab refreshes while this tab's request (sent with the stale token) is in flight.
    const racingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (response.status === 401 && !raced) {
        raced = true;
        await otherTab.refresh();
      }
      return response;
    };
    const tab = new ApiClient({ baseUrl, store, fetch: racingFetch });
    expect(await tab.get('/api/me')).toEqual({ email: 'a@b.co' });
    expect(raced).toBe(true);
    expect(refreshCalls).toBe(1);
    expect(store.get()?.refresh_token).toBe('refresh-2');
  });

  it('ends the session when the refresh token is refused', async () => {
    const store = memoryStore({ access_token: 'stale', refresh_token: 'already-used' });
    let expired = 0;
    const client = new ApiClient({ baseUrl, store, onExpired: () => expired++ });
    const error = await failure(client.get('/api/me'));
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(401);
    expect(error.message).toBe('missing or invalid token');
    expect(store.get()).toBeNull();
    expect(expired).toBe(1);
  });

  it('does not refresh or expire without a session (a wrong password is just an error)', async () => {
    let expired = 0;
    const client = new ApiClient({ baseUrl, store: memoryStore(), onExpired: () => expired++ });
    await expect(client.get('/api/me')).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(refreshCalls).toBe(0);
    expect(expired).toBe(0);
  });

  it('reads the error body: code, message and the field at fault', async () => {
    const client = new ApiClient({ baseUrl, store: memoryStore({ access_token: 'access-1', refresh_token: 'refresh-1' }) });
    const error = await failure(client.request('POST', '/api/bots', {}));
    expect(error).toMatchObject({ status: 422, code: 'validation', field: 'capital' });
    expect(error.message).toBe('capital must be from 2 to 10000');
    const missing = await failure(client.get('/api/nothing'));
    expect(missing).toMatchObject({ status: 404, code: 'not_found', message: 'no such route' });
  });

  it('turns a non-JSON error into a readable ApiError', async () => {
    const client = new ApiClient({ baseUrl, store: memoryStore({ access_token: 'access-1', refresh_token: 'refresh-1' }) });
    const error = await failure(client.get('/api/broken'));
    expect(error).toMatchObject({ status: 502, code: 'http_error', message: '<html>Bad gateway</html>' });
  });

  it('reports an unreachable server as an error, not a crash', async () => {
    const client = new ApiClient({ baseUrl: 'http://127.0.0.1:1', store: memoryStore() });
    await expect(client.get('/api/me')).rejects.toBeInstanceOf(Error);
  });
});
