//! The dashboard's build (Vite, JSX through esbuild) and its unit tests (Vitest).
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.AURONEX_API ?? 'http://127.0.0.1:8787';

export default defineConfig({
  root,
  esbuild: { jsx: 'automatic' },
  build: { outDir: 'dist', emptyOutDir: true, manifest: true, sourcemap: false, target: 'es2020' },
  // ES-module workers: the strategy lab's worker imports its wasm glue on demand.
  worker: { format: 'es' },
  server: { proxy: { '/api': { target: api, ws: true }, '/health': api } },
  test: { include: ['test/**/*.test.ts'], environment: 'node' },
});
