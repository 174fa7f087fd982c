//! Runs the lab's work in Web Workers: one for a backtest, a pool of
//! `navigator.hardwareConcurrency` for a sweep, each pulling the next batch of parameter sets
//! when done with one. Workers end when their run does.

import type { Params } from '../api/types';
import { batches } from './grid';
import type { LabReport, LabSettings, SweepRow } from './types';
import type { LabResponse, LabTask } from './worker';

/** One worker with a promise per request. */
class LabWorker {
  private worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  private next = 0;
  private waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  constructor() {
    this.worker.onmessage = ({ data }: MessageEvent<LabResponse>) => {
      const call = this.waiting.get(data.id);
      this.waiting.delete(data.id);
      if (data.ok) call?.resolve(data.result);
      else call?.reject(new Error(data.error));
    };
    this.worker.onerror = (event) => {
      for (const call of this.waiting.values()) call.reject(new Error(event.message || 'the lab worker failed'));
      this.waiting.clear();
    };
  }

  ask<T>(request: LabTask): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  end() {
    this.worker.terminate();
  }
}

/** Equity and drawdown points the chart gets (per curve). */
const CHART_POINTS = 2_000;

export async function runBacktest(settings: LabSettings, candles: Float64Array): Promise<LabReport> {
  const worker = new LabWorker();
  try {
    return await worker.ask<LabReport>({ kind: 'backtest', settings, candles, maxPoints: CHART_POINTS });
  } finally {
    worker.end();
  }
}

export const workerCount = (sets: number) =>
  Math.max(1, Math.min(sets, typeof navigator === 'undefined' ? 2 : navigator.hardwareConcurrency || 2, 16));

/** Rows in the order of `sets`; `onProgress(done, total)` after each batch; `signal` cancels. */
export async function runSweep(
  settings: LabSettings,
  sets: Params[],
  candles: Float64Array,
  heldOut: number,
  onProgress: (done: number, total: number) => void = () => {},
  signal?: AbortSignal,
): Promise<SweepRow[]> {
  const count = workerCount(sets.length);
  // Small enough batches that a slow worker does not hold the last one long.
  const queue = batches(
    sets.map((params, index) => ({ params, index })),
    Math.max(1, Math.ceil(sets.length / (count * 4))),
  );
  const rows: SweepRow[] = new Array(sets.length);
  let done = 0;
  const workers = Array.from({ length: count }, () => new LabWorker());
  // Cancelling ends the workers mid-batch and rejects at once.
  const cancelled = new Promise<never>((_, reject) =>
    signal?.addEventListener('abort', () => reject(new DOMException('cancelled', 'AbortError')), { once: true }),
  );
  const work = async (worker: LabWorker) => {
    let first = true;
    for (let batch = queue.shift(); batch && !signal?.aborted; batch = queue.shift()) {
      const result = await worker.ask<SweepRow[]>({
        kind: 'sweep',
        settings,
        candles: first ? candles : undefined,
        sets: batch.map((item) => item.params),
        heldOut,
      });
      first = false;
      batch.forEach((item, i) => (rows[item.index] = result[i]));
      done += batch.length;
      onProgress(done, sets.length);
    }
  };
  try {
    await Promise.race([cancelled, Promise.all(workers.map(work))]);
  } finally {
    workers.forEach((worker) => worker.end());
  }
  return rows;
}
