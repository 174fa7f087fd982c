//! The dashboard's look for lightweight-charts: dark, transparent background, muted axes,
//! time on the time axis. Shared by the candle chart and the lab's equity chart.

export const CHART_THEME = {
  autoSize: true,
  layout: { background: { color: 'transparent' }, textColor: '#94a3b8' },
  grid: { vertLines: { color: '#1e293b' }, horzLines: { color: '#1e293b' } },
  timeScale: { timeVisible: true },
} as const;
