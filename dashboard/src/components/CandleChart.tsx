//! A candlestick chart (lightweight-charts, loaded on demand) with trade entries and exits
//! marked; new candles and trades update it in place.

import type { CandlestickData, ISeriesApi, ISeriesMarkersPluginApi, SeriesMarker, Time } from 'lightweight-charts';
import { useEffect, useRef, useState } from 'react';
import type { Candle, Trade } from '../api/types';
import { CHART_THEME } from './chartTheme';

type Series = ISeriesApi<'Candlestick'>;
type Markers = ISeriesMarkersPluginApi<Time>;

const seconds = (time: number | string) =>
  typeof time === 'number' ? (time > 1e12 ? time / 1000 : time) : Date.parse(time) / 1000;

/** Entry and exit marks of `symbol`'s trades, each on the candle it happened in. */
export function tradeMarks(candles: Candle[], trades: Trade[], symbol: string) {
  const first = candles.length ? seconds(candles[0].time) : 0;
  const step = candles.length > 1 ? seconds(candles[1].time) - first : 60;
  const snap = (iso: string) => first + Math.max(0, Math.floor((seconds(iso) - first) / step)) * step;
  return trades
    .filter((t) => t.symbol === symbol)
    .flatMap((t) => [
      { time: snap(t.entry_time), position: 'belowBar' as const, color: '#22c55e', shape: 'arrowUp' as const, text: 'buy' },
      ...(t.exit_time
        ? [{ time: snap(t.exit_time), position: 'aboveBar' as const, color: '#f97316', shape: 'arrowDown' as const, text: t.exit_reason ?? 'sell' }]
        : []),
    ])
    .sort((a, b) => a.time - b.time);
}

export function CandleChart({ candles, trades, symbol }: { candles: Candle[]; trades: Trade[]; symbol: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [parts, setParts] = useState<{ series: Series; markers: Markers; fit(): void } | null>(null);
  const fitted = useRef(false);

  useEffect(() => {
    let disposed = false;
    let remove = () => {};
    import('lightweight-charts').then(({ createChart, CandlestickSeries, createSeriesMarkers }) => {
      if (disposed || !box.current) return;
      const chart = createChart(box.current, CHART_THEME);
      const series = chart.addSeries(CandlestickSeries, {
        upColor: '#22c55e',
        downColor: '#ef4444',
        wickUpColor: '#22c55e',
        wickDownColor: '#ef4444',
        borderVisible: false,
      });
      fitted.current = false;
      setParts({ series, markers: createSeriesMarkers(series, []), fit: () => chart.timeScale().fitContent() });
      remove = () => chart.remove();
    });
    return () => {
      disposed = true;
      setParts(null);
      remove();
    };
  }, [symbol]);

  useEffect(() => {
    if (!parts) return;
    parts.series.setData(
      candles.map((c) => ({ time: seconds(c.time), open: c.open, high: c.high, low: c.low, close: c.close }) as CandlestickData),
    );
    parts.markers.setMarkers(tradeMarks(candles, trades, symbol) as SeriesMarker<Time>[]);
    if (!fitted.current && candles.length) {
      parts.fit();
      fitted.current = true;
    }
  }, [parts, candles, trades, symbol]);

  return <div className="candles" ref={box} data-testid="candle-chart" />;
}
