//! One currency's figures as a labelled block (label left, amount right, never wrapped); a
//! group of them lays out side by side on a wide screen and one under another on a phone.

import type { Figure } from '../format/ledger';

export function CurrencyFigures({ currency, note, figures }: { currency: string; note?: string; figures: Figure[] }) {
  return (
    <section className="currency-figures" data-testid={`figures-${currency}`} aria-label={currency}>
      <header>
        <strong>{currency}</strong>
        {note && <span className="muted">{note}</span>}
      </header>
      <dl>
        {figures.map((f) => (
          <div key={f.key} data-figure={f.key}>
            <dt>{f.label}</dt>
            <dd className={f.tone}>{f.value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
