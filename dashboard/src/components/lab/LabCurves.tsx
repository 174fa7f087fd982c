//! The backtest's equity curve over its drawdown (percent below the running peak), on
//! lightweight-charts (loaded on demand): two panes on one time axis, with price axes and a
//! shared crosshair.

import type { Time, UTCTimestamp } from 'lightweight-charts';
import { useEffect, useRef } from 'react';
import { usePrefs } from '../../app/prefs';
import type { CurvePoint } from '../../lab/types';
import { CHART_THEME } from '../chartTheme';

const points = (curve: CurvePoint[]) =>
  curve.map(([ms, value]) => ({ time: Math.floor(ms / 1000) as UTCTimestamp as Time, value }));

export function LabCurves({ equity, drawdown }: { equity: CurvePoint[]; drawdown: CurvePoint[] }) {
  const box = useRef<HTMLDivElement>(null);
  const { t, locale } = usePrefs();
  const titles = { equity: t('lab.equityLine'), drawdown: t('lab.drawdownLine') };
  const titleKey = `${titles.equity}|${titles.drawdown}`;

  useEffect(() => {
    let disposed = false;
    let remove = () => {};
    const decimals = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    import('lightweight-charts').then(({ createChart, AreaSeries, LineSeries }) => {
      if (disposed || !box.current) return;
      const chart = createChart(box.current, {
        ...CHART_THEME,
        layout: { ...CHART_THEME.layout, panes: { separatorColor: '#334155' } },
        localization: { locale, priceFormatter: (price: number) => decimals.format(price) },
      });
      const up = equity.length > 1 && equity[equity.length - 1][1] >= equity[0][1];
      const line = up ? '#22c55e' : '#ef4444';
      chart
        .addSeries(AreaSeries, {
          lineColor: line,
          topColor: up ? 'rgba(34,197,94,.35)' : 'rgba(239,68,68,.35)',
          bottomColor: 'rgba(0,0,0,0)',
          lineWidth: 2,
          title: titles.equity,
        })
        .setData(points(equity));
      chart
        .addSeries(
          LineSeries,
          { color: '#f97316', lineWidth: 1, title: titles.drawdown, priceFormat: { type: 'price', precision: 2, minMove: 0.01 } },
          1,
        )
        .setData(points(drawdown));
      chart.panes()[1]?.setHeight(110);
      chart.timeScale().fitContent();
      remove = () => chart.remove();
    });
    return () => {
      disposed = true;
      remove();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the titles change only with the language
  }, [equity, drawdown, locale, titleKey]);

  return <div className="lab-curves" ref={box} data-testid="lab-curves" role="img" aria-label={t('lab.equity')} />;
}
