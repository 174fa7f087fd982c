//! Picks up to five markets from the exchange's list, with a filter box.

import { useState } from 'react';
import { usePrefs } from '../app/prefs';

const SHOWN = 40;

export function SymbolPicker({ listed, selected, onChange }: { listed: string[]; selected: string[]; onChange(next: string[]): void }) {
  const { t } = usePrefs();
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toUpperCase();
  const matching = listed.filter((s) => !selected.includes(s) && s.includes(needle)).slice(0, SHOWN);
  const toggle = (symbol: string) =>
    onChange(selected.includes(symbol) ? selected.filter((s) => s !== symbol) : [...selected, symbol]);
  return (
    <div className="symbol-picker">
      <div className="chips">
        {selected.map((symbol) => (
          <button key={symbol} type="button" className="chip" onClick={() => toggle(symbol)} aria-label={`${symbol} ×`}>
            {symbol} ×
          </button>
        ))}
      </div>
      <input
        name="symbol-filter"
        placeholder={t('bots.filterSymbols')}
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
      />
      <div className="options">
        {matching.map((symbol) => (
          <button key={symbol} type="button" className="option" onClick={() => toggle(symbol)}>
            {symbol}
          </button>
        ))}
      </div>
    </div>
  );
}
