//! The lab's Web Worker: loads the wasm on its first message (a dynamic import, so neither the
//! page nor its first bundle carries it) and runs backtests and sweep batches off the page's
//! thread. A message may carry candles; later ones without candles reuse the last.

import type { LabSettings } from './types';

export type LabTask =
  | { kind: 'backtest'; settings: LabSettings; candles?: Float64Array; maxPoints: number }
  | { kind: 'sweep'; settings: LabSettings; candles?: Float64Array; sets: object[]; heldOut: number };

export type LabRequest = LabTask & { id: number };

export type LabResponse = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

type Lab = typeof import('./wasm/auronex_lab.js');

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<LabRequest>) => void) | null;
  postMessage(message: LabResponse): void;
};
let lab: Promise<Lab> | null = null;
let candles: Float64Array = new Float64Array();

const load = () =>
  (lab ??= import('./wasm/auronex_lab.js').then(async (module) => {
    await module.default();
    return module;
  }));

scope.onmessage = async ({ data }) => {
  try {
    if (data.candles) candles = data.candles;
    const wasm = await load();
    const settings = JSON.stringify(data.settings);
    const text =
      data.kind === 'backtest'
        ? wasm.backtest(settings, candles, data.maxPoints)
        : wasm.sweep(settings, JSON.stringify(data.sets), candles, data.heldOut);
    scope.postMessage({ id: data.id, ok: true, result: JSON.parse(text) });
  } catch (error) {
    scope.postMessage({ id: data.id, ok: false, error: error instanceof Error ? error.message : String(error) });
  }
};
