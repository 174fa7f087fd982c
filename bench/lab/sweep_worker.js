// One sweep worker of the lab benchmark: keeps the candles of its first message and answers
// each message's parameter sets with the lab's sweep (no held-out part: the whole year).
import init, { sweep } from '/wasm/auronex_lab.js';

const ready = init();
let candles = new Float64Array();
self.onmessage = async ({ data }) => {
  try {
    await ready;
    if (data.candles) candles = data.candles;
    const rows = JSON.parse(sweep(JSON.stringify(data.settings), JSON.stringify(data.sets), candles, 0));
    self.postMessage({ rows });
  } catch (error) {
    self.postMessage({ error: String(error) });
  }
};
