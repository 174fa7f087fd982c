//! One typed function per API call the dashboard makes, grouped by resource.

import type { ApiClient } from './client';
import type * as T from './types';

const q = (params: Record<string, string | number | boolean | undefined | null>) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
};

export function endpoints(api: ApiClient) {
  return {
    auth: {
      register: (body: { email: string; password: string; first_name?: string; last_name?: string }) =>
        api.request<T.Session>('POST', '/api/auth/register', body),
      login: (body: { email: string; password: string }) => api.request<T.Session>('POST', '/api/auth/login', body),
      logout: (refresh_token: string) => api.request<void>('POST', '/api/auth/logout', { refresh_token }),
      me: () => api.get<T.User>('/api/auth/me'),
    },
    /** `currency`: what the combined totals are converted into (USD by default). */
    summary: (currency?: T.TotalsCurrency) => api.get<T.Summary>(`/api/dashboard/summary${q({ currency })}`),
    balance: () => api.get<T.Balance>('/api/exchange/balance'),
    activity: () => api.get<T.Activity[]>('/api/bot-activity/recent'),
    market: {
      exchanges: () => api.get<T.Exchange[]>('/api/exchanges'),
      symbols: (exchange: string) =>
        api.get<{ exchange: string; symbols: string[] }>(`/api/exchange/symbols${q({ exchange })}`),
      candles: (exchange: string, symbol: string, timeframe = '1m', limit = 200) =>
        api.get<T.Candle[]>(`/api/market/candles${q({ exchange, symbol, timeframe, limit })}`),
      /** Candles of a past period, paged through the venue by the server (from/to in ms). */
      history: (exchange: string, symbol: string, timeframe: string, from: number, to: number) =>
        api.get<T.Candle[]>(`/api/market/history${q({ exchange, symbol, timeframe, from, to })}`),
      gainers: () => api.get<T.Gainer[]>('/api/market/top-gainers?period=24h'),
      usdBrl: () => api.get<T.UsdBrl>('/api/cotacao/usd-brl'),
    },
    bots: {
      list: () => api.get<T.Bot[]>('/api/bots'),
      get: (id: string) => api.get<T.Bot>(`/api/bots/${encodeURIComponent(id)}`),
      create: (body: T.BotInput) => api.request<T.Bot>('POST', '/api/bots', body),
      update: (id: string, body: T.BotInput) => api.request<T.Bot>('PUT', `/api/bots/${encodeURIComponent(id)}`, body),
      remove: (id: string) => api.request<void>('DELETE', `/api/bots/${encodeURIComponent(id)}`),
      toggle: (id: string) => api.request<T.Bot>('PATCH', `/api/bots/${encodeURIComponent(id)}/toggle`),
      clone: (id: string) => api.request<T.Bot>('POST', `/api/bots/${encodeURIComponent(id)}/clone`),
      /** The bot's whole history, per currency. */
      stats: (id: string, currency?: T.TotalsCurrency) =>
        api.get<T.TradeStats>(`/api/bots/${encodeURIComponent(id)}/stats${q({ currency })}`),
    },
    trades: {
      list: (filter: { bot_id?: string; status?: string; limit?: number; cursor?: string | null }) =>
        api.get<T.Page<T.Trade>>(`/api/trades${q(filter)}`),
      stats: (filter: { bot_id?: string; currency?: T.TotalsCurrency } = {}) =>
        api.get<T.TradeStats>(`/api/trades/stats${q(filter)}`),
      today: (currency?: T.TotalsCurrency) => api.get<T.TradesToday>(`/api/trades/today${q({ currency })}`),
      equity: () => api.get<{ series: T.EquitySeries[] }>('/api/trades/equity'),
      month: (year: number, month: number) => api.get<T.MonthTrades>(`/api/trades/month${q({ year, month })}`),
      monthCsv: (year: number, month: number) => api.raw('GET', `/api/trades/month${q({ year, month, format: 'csv' })}`),
      close: (id: string) => api.request<T.Trade>('POST', `/api/trades/${encodeURIComponent(id)}/close`),
    },
    apiKeys: {
      list: () => api.get<T.ApiKey[]>('/api/api-keys'),
      create: (body: T.NewApiKey) => api.request<T.ApiKey>('POST', '/api/api-keys', body),
      remove: (id: string) => api.request<void>('DELETE', `/api/api-keys/${encodeURIComponent(id)}`),
      test: (id: string) => api.request<T.KeyTest>('POST', `/api/api-keys/${encodeURIComponent(id)}/test`),
    },
    telegram: {
      get: () => api.get<T.TelegramSettings>('/api/notifications/telegram'),
      link: () => api.request<T.TelegramLink>('POST', '/api/notifications/telegram/link'),
      verify: () => api.request<T.TelegramSettings>('POST', '/api/notifications/telegram/verify'),
      remove: () => api.request<void>('DELETE', '/api/notifications/telegram'),
      test: () => api.request<{ ok?: boolean; message?: string }>('POST', '/api/notifications/telegram/test'),
    },
    payments: {
      checkout: (plan: T.Plan) => api.request<T.Checkout>('POST', '/api/payments/create-checkout', { plan }),
      pix: (plan: T.Plan) => api.request<T.Pix>('POST', '/api/payments/pix/create', { plan }),
    },
    copier: {
      channels: () => api.get<T.Channel[] | { items: T.Channel[] }>('/api/copier/channels'),
      create: (name: string) => api.request<T.Channel>('POST', '/api/copier/channels', { name }),
      subscribe: (invite_code: string, trade_copy: T.TradeCopy) =>
        api.request<{ channel_id: string }>('POST', '/api/copier/subscriptions', { invite_code, trade_copy }),
      signals: (id: string) => api.get<{ items: T.Signal[] }>(`/api/copier/channels/${encodeURIComponent(id)}/signals`),
      rotateInvite: (id: string) =>
        api.request<{ id: string; invite_code: string }>('POST', `/api/copier/channels/${encodeURIComponent(id)}/invite`),
      removeChannel: (id: string) => api.request<void>('DELETE', `/api/copier/channels/${encodeURIComponent(id)}`),
      unsubscribe: (id: string) => api.request<void>('DELETE', `/api/copier/subscriptions/${encodeURIComponent(id)}`),
      deliveries: (id: string, seq: number) =>
        api.get<{ seq: number; items: T.Delivery[] }>(
          `/api/copier/channels/${encodeURIComponent(id)}/signals/${seq}/deliveries`,
        ),
    },
    admin: {
      users: (search: { q?: string; offset?: number }) => api.get<T.Page<T.User>>(`/api/admin/users${q(search)}`),
      updateUser: (id: string, patch: Partial<Pick<T.User, 'role' | 'plan' | 'is_active'>>) =>
        api.request<T.User>('PATCH', `/api/admin/users/${encodeURIComponent(id)}`, patch),
      bots: () => api.get<T.Page<T.Bot>>('/api/admin/bots/all?limit=500'),
      toggleBot: (id: string) => api.request<T.Bot>('PATCH', `/api/admin/bots/${encodeURIComponent(id)}/toggle`),
      removeBot: (id: string) => api.request<void>('DELETE', `/api/admin/bots/${encodeURIComponent(id)}`),
      payments: () => api.get<T.Page<T.Payment>>('/api/admin/payments'),
      settings: () => api.get<T.Settings>('/api/admin/settings'),
      saveSettings: (body: Partial<T.Settings>) => api.request<T.Settings>('PUT', '/api/admin/settings', body),
    },
  };
}

export type Endpoints = ReturnType<typeof endpoints>;
