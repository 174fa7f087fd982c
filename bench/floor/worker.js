//! The fan-out floor: the least a Durable Object on workerd can do to relay a signal, for
//! bench/fanout.sh to measure beside the copier. One room, hibernated websockets, no auth, no
//! storage, no sizing: `POST /signal/broadcast` sends the same text to every socket, shaped and
//! sized like the copier's message so both cost the load client the same to read.

export class Room {
  constructor(state) {
    this.state = state;
    this.seq = 0;
  }

  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/ws') {
      const [client, server] = Object.values(new WebSocketPair());
      this.state.acceptWebSocket(server);
      server.send(JSON.stringify({ type: 'hello' }));
      return new Response(null, { status: 101, webSocket: client });
    }
    if (url.pathname === '/signal/broadcast' && request.method === 'POST') {
      this.seq += 1;
      const data = await request.json();
      const text = JSON.stringify({
        type: 'signal',
        seq: this.seq,
        signal_id: crypto.randomUUID().replaceAll('-', ''),
        at: new Date().toISOString(),
        data: { ...data, master_volume: data.volume },
      });
      for (const socket of this.state.getWebSockets()) socket.send(text);
      return Response.json({ seq: this.seq });
    }
    return new Response('not found', { status: 404 });
  }

  webSocketMessage() {}

  webSocketClose(socket, code) {
    socket.close(code === 1005 || code === 1006 ? 1000 : code, 'closing');
  }
}

export default {
  fetch(request, env) {
    return env.ROOM.get(env.ROOM.idFromName('bench')).fetch(request);
  },
};
