// The lab benchmark in the browser: (a) one backtest over a year of 1-minute candles on the
// page's thread, (b) a sweep of the grid's parameter sets over a year of hourly candles split
// across navigator.hardwareConcurrency Web Workers, as the dashboard's runner does. Times are
// performance.now() wall clock; window.benchDone holds the figures.
import init, { backtest } from '/wasm/auronex_lab.js';

async function columnsOf(url) {
  const lines = (await (await fetch(url)).text()).trim().split('\n').slice(1);
  const n = lines.length;
  const columns = new Float64Array(n * 6);
  lines.forEach((line, i) => line.split(',').forEach((value, field) => (columns[field * n + i] = Number(value))));
  return { columns, n };
}

const best = (times) => Math.min(...times);

async function oneBacktest(grid, settings) {
  const { columns, n } = await columnsOf('/data/year_1m.csv');
  const times = [];
  let report;
  for (let run = 0; run < 6; run++) {
    const started = performance.now();
    report = JSON.parse(backtest(JSON.stringify(settings), columns, 2000));
    if (run > 0) times.push(performance.now() - started); // the first run warms the code up
  }
  return { candles: n, ms: best(times), all_ms: times, trades: report.trades.length, net_profit: report.metrics.net_profit };
}

function startWorkers(count) {
  return Array.from({ length: count }, () => new Worker('/sweep_worker.js', { type: 'module' }));
}

const ask = (worker, message) =>
  new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => (data.error ? reject(new Error(data.error)) : resolve(data));
    worker.postMessage(message);
  });

async function sweep(grid, settings) {
  const { columns, n } = await columnsOf('/data/year_1h.csv');
  const sets = grid.y.values.flatMap((y) => grid.x.values.map((x) => ({ ...grid.base, [grid.x.key]: x, [grid.y.key]: y })));
  /** Cold (workers started, wasm fetched and compiled, candles copied, then the sweep) and the
   * best of 3 warm runs on `count` workers. */
  const timed = async (count) => {
    const share = Math.ceil(sets.length / count);
    const run = async (workers, withCandles) => {
      const parts = await Promise.all(
        workers.map((worker, i) =>
          ask(worker, { settings, sets: sets.slice(i * share, (i + 1) * share), candles: withCandles ? columns : undefined }),
        ),
      );
      return parts.flatMap((part) => part.rows);
    };
    const coldStart = performance.now();
    const workers = startWorkers(count);
    let rows = await run(workers, true);
    const coldMs = performance.now() - coldStart;
    const times = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      rows = await run(workers, false);
      times.push(performance.now() - started);
    }
    workers.forEach((w) => w.terminate());
    return { rows, cold_ms: coldMs, ms: best(times), all_ms: times };
  };
  const count = navigator.hardwareConcurrency || 2;
  const all = await timed(count);
  const one = await timed(1);
  const byReturn = all.rows.map((r, i) => ({ i, ret: Number(r.in_sample?.return_pct ?? -Infinity) })).sort((a, b) => b.ret - a.ret);
  return {
    candles: n,
    sets: sets.length,
    workers: count,
    cold_ms: all.cold_ms,
    ms: all.ms,
    all_ms: all.all_ms,
    one_worker_ms: one.ms,
    best: { params: sets[byReturn[0].i], return_pct: byReturn[0].ret },
  };
}

(async () => {
  try {
    await init();
    const grid = await (await fetch('/grid.json')).json();
    const settings = {
      exchange: 'binance', symbol: 'BTC/USD', strategy: grid.strategy, capital: grid.capital,
      fee_pct: grid.fee_pct, spread_pct: grid.spread_pct,
      params: { ...grid.base, [grid.x.key]: 14, [grid.y.key]: 30 },
    };
    window.benchDone = { backtest: await oneBacktest(grid, settings), sweep: await sweep(grid, settings), settings };
  } catch (error) {
    window.benchDone = { error: String(error?.stack ?? error) };
  }
})();
