//! Loading, empty and error states shown in place of content.

import { usePrefs } from '../app/prefs';

export function Loading() {
  return <p className="muted">{usePrefs().t('common.loading')}</p>;
}

export function ErrorNote({ error, onRetry }: { error: Error | string | null | undefined; onRetry?: () => void }) {
  const { t } = usePrefs();
  if (!error) return null;
  return (
    <p className="error-note" role="alert">
      {typeof error === 'string' ? error : error.message}{' '}
      {onRetry && (
        <button type="button" className="link" onClick={onRetry}>
          {t('common.retry')}
        </button>
      )}
    </p>
  );
}

export function Empty() {
  return <p className="muted">{usePrefs().t('common.none')}</p>;
}
