//! Telegram Bot API stand-in for the browser tests: `getMe`, `getUpdates` (queued updates from
//! `offset` on, forgetting those below it, as Telegram does) and `sendMessage`, with Telegram's
//! JSON answers (`{"ok":true,"result":...}`). The test plays the user with `userSends`.
import { createServer } from 'node:http';

export const TOKEN = '7000000003:AAE2e-auronex-browser-bot-token-0000000';
export const USERNAME = 'auronex_browser_bot';

export async function startTelegram() {
  const state = { lastId: 900_000_000, queued: [], sent: [] };
  const answer = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const [, token, method] = req.url.match(/^\/bot([^/]+)\/(\w+)$/) ?? [];
      if (token !== TOKEN) return answer(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      const body = raw ? JSON.parse(raw) : {};
      if (method === 'getMe') {
        return answer(res, 200, { ok: true, result: { id: 7000000003, is_bot: true, first_name: 'Auronex', username: USERNAME } });
      }
      if (method === 'getUpdates') {
        const offset = body.offset ?? 0;
        if (offset > 0) state.queued = state.queued.filter((update) => update.update_id >= offset);
        return answer(res, 200, { ok: true, result: state.queued.slice(0, body.limit ?? 100) });
      }
      if (method === 'sendMessage') {
        state.sent.push(body);
        const result = { message_id: state.sent.length, chat: { id: body.chat_id, type: 'private' }, date: 0, text: body.text };
        return answer(res, 200, { ok: true, result });
      }
      return answer(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    sent: state.sent,
    /** The user writes `text` to the bot from private chat `chat`. */
    userSends(chat, text) {
      state.lastId += 1;
      const message = { message_id: state.lastId % 1000, chat: { id: chat, type: 'private' }, date: Math.floor(Date.now() / 1000), text };
      state.queued.push({ update_id: state.lastId, message });
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
