//! A destructive button that asks "are you sure?" inline before acting.

import { useState } from 'react';
import { usePrefs } from '../app/prefs';

export function ConfirmButton({
  label,
  onConfirm,
  disabled,
  question,
}: {
  label: string;
  onConfirm(): void;
  disabled?: boolean;
  /** What is asked before acting; deleting for good unless said. */
  question?: string;
}) {
  const { t } = usePrefs();
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="danger" disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="confirm">
      {question ?? t('common.confirmDelete')}{' '}
      <button
        type="button"
        className="danger"
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {t('common.yes')}
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)}>
        {t('common.no')}
      </button>
    </span>
  );
}
