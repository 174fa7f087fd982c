//! A labelled form control with its error underneath.

import type { ReactNode } from 'react';

export function Field({ label, error, children, hint }: { label: string; error?: string; children: ReactNode; hint?: string }) {
  return (
    <label className={error ? 'field invalid' : 'field'}>
      <span className="label">{label}</span>
      {children}
      {hint && !error && <small className="hint">{hint}</small>}
      {error && (
        <small className="error" role="alert">
          {error}
        </small>
      )}
    </label>
  );
}
