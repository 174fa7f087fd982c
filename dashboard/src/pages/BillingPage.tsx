//! Plans and billing: Stripe Checkout (a redirect) or a PIX QR code for the Pro and Premium plans.

import { useState } from 'react';
import type { Pix, Plan } from '../api/types';
import { usePrefs } from '../app/prefs';
import { useApi, useSession } from '../auth/session';
import { ErrorNote } from '../components/Notice';

const PLANS: { plan: Plan; bots: number }[] = [
  { plan: 'free', bots: 1 },
  { plan: 'pro', bots: 3 },
  { plan: 'premium', bots: 5 },
];

export function BillingPage() {
  const api = useApi();
  const { user } = useSession();
  const { t, date } = usePrefs();
  const [pix, setPix] = useState<Pix | null>(null);
  const [error, setError] = useState<Error | null>(null);

  const checkout = (plan: Plan) =>
    api.payments
      .checkout(plan)
      .then((session) => location.assign(session.url))
      .catch(setError);
  const payWithPix = (plan: Plan) => api.payments.pix(plan).then(setPix).catch(setError);

  return (
    <section>
      <h1>{t('billing.title')}</h1>
      <p>{t('billing.current', { plan: user?.plan ?? 'free' })}</p>
      <ErrorNote error={error} />
      <div className="cards">
        {PLANS.map(({ plan, bots }) => (
          <div key={plan} className={user?.plan === plan ? 'panel plan current' : 'panel plan'}>
            <h2>{plan}</h2>
            <p>{t('billing.bots', { count: bots })}</p>
            {plan !== 'free' && (
              <div className="actions">
                <button type="button" className="primary" onClick={() => checkout(plan)}>
                  {t('billing.card')}
                </button>
                <button type="button" onClick={() => payWithPix(plan)}>
                  {t('billing.pix')}
                </button>
              </div>
            )}
          </div>
        ))}
      </div>
      {pix && (
        <div className="panel pix">
          <p>{t('billing.pixScan')}</p>
          {pix.qr_code_base64 && <img alt="PIX QR code" src={`data:image/png;base64,${pix.qr_code_base64}`} />}
          <textarea readOnly value={pix.qr_code} onFocus={(e) => e.target.select()} />
          {pix.expires_at && <small className="muted">{date(pix.expires_at)}</small>}
        </div>
      )}
    </section>
  );
}
