//! Sign in and registration (one page, two modes).

import { useState, type FormEvent } from 'react';
import { Switches } from '../app/Switches';
import { usePrefs } from '../app/prefs';
import { Link } from '../app/router';
import { useSession } from '../auth/session';
import { Field } from '../components/Field';
import { validateCredentials } from '../forms/accountForms';
import { hasErrors, type FieldErrors } from '../forms/errors';
import { serverErrors } from '../forms/serverErrors';

export function AuthPage({ registering }: { registering: boolean }) {
  const { signIn, register, expired } = useSession();
  const { t } = usePrefs();
  const [values, setValues] = useState({ email: '', password: '', first_name: '', last_name: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const set = (field: keyof typeof values) => (e: { target: { value: string } }) =>
    setValues({ ...values, [field]: e.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validateCredentials(values, registering, t);
    setErrors(found);
    if (hasErrors(found)) return;
    setBusy(true);
    try {
      if (registering) await register(values);
      else await signIn(values.email.trim(), values.password);
    } catch (error) {
      setErrors(serverErrors(error));
      setBusy(false);
    }
  };

  return (
    <div className="auth">
      <div className="auth-top">
        <strong className="brand">{t('app.name')}</strong>
        <Switches />
      </div>
      <form className="panel auth-form" onSubmit={submit} noValidate>
        <h1>{registering ? t('auth.register') : t('auth.signIn')}</h1>
        {expired && !registering && <p className="muted">{t('auth.expired')}</p>}
        <Field label={t('auth.email')} error={errors.email}>
          <input name="email" type="email" autoComplete="email" value={values.email} onChange={set('email')} />
        </Field>
        <Field label={t('auth.password')} error={errors.password}>
          <input
            name="password"
            type="password"
            autoComplete={registering ? 'new-password' : 'current-password'}
            value={values.password}
            onChange={set('password')}
          />
        </Field>
        {registering && (
          <div className="row">
            <Field label={t('auth.firstName')} error={errors.first_name}>
              <input name="first_name" value={values.first_name} onChange={set('first_name')} />
            </Field>
            <Field label={t('auth.lastName')} error={errors.last_name}>
              <input name="last_name" value={values.last_name} onChange={set('last_name')} />
            </Field>
          </div>
        )}
        {errors._form && <p className="error-note" role="alert">{errors._form}</p>}
        <button type="submit" className="primary" disabled={busy}>
          {registering ? t('auth.register') : t('auth.signIn')}
        </button>
        <p className="muted">
          {registering ? t('auth.haveAccount') : t('auth.noAccount')}{' '}
          <Link to={registering ? '/signin' : '/register'}>{registering ? t('auth.signIn') : t('auth.register')}</Link>
        </p>
      </form>
    </div>
  );
}
