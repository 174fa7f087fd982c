// CPU profile of a running `wrangler dev` Worker through its DevTools inspector (the port given
// by `--inspector-port`; path /ws): samples for SECONDS, writes the raw profile to OUT (open it in
// Chrome DevTools), and prints where the time went: self time per function, then inclusive time
// per function of ours (Rust names from the wasm name section).
// Usage: node bench/profile/cpu_profile.mjs ws://127.0.0.1:PORT/ws SECONDS OUT.cpuprofile
import fs from 'node:fs';

const [url, seconds = '10', out = 'worker.cpuprofile'] = process.argv.slice(2);
if (!url) {
  console.error('usage: cpu_profile.mjs INSPECTOR_WS_URL [SECONDS] [OUT]');
  process.exit(2);
}
// wrangler's inspector proxy admits local origins only.
const socket = new WebSocket(url, { headers: { Origin: 'http://localhost' } });
let lastId = 0;
const pending = new Map();
const call = (method, params = {}) =>
  new Promise((resolve) => {
    lastId += 1;
    pending.set(lastId, resolve);
    socket.send(JSON.stringify({ id: lastId, method, params }));
  });
socket.onmessage = (event) => {
  const message = JSON.parse(event.data);
  pending.get(message.id)?.(message);
  pending.delete(message.id);
};
socket.onerror = (event) => {
  console.error(`inspector ${url}: ${event.message ?? 'connection failed'}`);
  process.exit(1);
};

function summarize(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const name = (node) => {
    const { functionName, url: file, lineNumber } = node.callFrame;
    const short = functionName.replace(/::h[0-9a-f]{16}$/, '');
    return short || `(anonymous ${file.split('/').pop()}:${lineNumber})`;
  };
  const self = new Map();
  const inclusive = new Map();
  for (const sample of profile.samples) {
    const leaf = byId.get(sample);
    self.set(name(leaf), (self.get(name(leaf)) ?? 0) + 1);
    const seen = new Set();
    for (let id = sample; id !== undefined; id = parent.get(id)) {
      const frame = name(byId.get(id));
      if (frame.startsWith('auronex') && !seen.has(frame)) {
        seen.add(frame);
        inclusive.set(frame, (inclusive.get(frame) ?? 0) + 1);
      }
    }
  }
  const total = profile.samples.length;
  const print = (title, counts) => {
    console.log(`\n${title} (% of ${total} samples)`);
    for (const [frame, count] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
      console.log(`${((100 * count) / total).toFixed(1).padStart(6)}  ${frame.slice(0, 160)}`);
    }
  };
  print('self time', self);
  print('inclusive time, our functions', inclusive);
}

socket.onopen = async () => {
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: 100 });
  await call('Profiler.start');
  await new Promise((resolve) => setTimeout(resolve, Number(seconds) * 1000));
  const { result } = await call('Profiler.stop');
  fs.writeFileSync(out, JSON.stringify(result.profile));
  console.log(`profile of ${seconds} s written to ${out}`);
  summarize(result.profile);
  process.exit(0);
};
