//! Checks for the small forms: sign-in, registration, exchange API keys and Telegram.

import type { NewApiKey } from '../api/types';
import { english, type FieldErrors, type Translate } from './errors';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PASSPHRASE_VENUES = ['okx', 'kucoin', 'coinbase'];

export function validateCredentials(
  values: { email: string; password: string },
  registering: boolean,
  t: Translate = english,
): FieldErrors {
  const errors: FieldErrors = {};
  if (!EMAIL.test(values.email.trim()) || values.email.length > 254) errors.email = t('v.email');
  if (registering && (values.password.length < 8 || values.password.length > 128)) errors.password = t('v.password');
  if (!registering && values.password.length === 0) errors.password = t('v.required');
  return errors;
}

export function validateApiKey(values: NewApiKey, t: Translate = english): FieldErrors {
  const errors: FieldErrors = {};
  const length = (field: 'api_key' | 'secret_key', min: number, max: number) => {
    const size = values[field].trim().length;
    if (size < min || size > max) errors[field] = t('v.length', { min, max });
  };
  if (!values.exchange) errors.exchange = t('v.exchange');
  length('api_key', 8, 256);
  length('secret_key', 8, 512);
  if (PASSPHRASE_VENUES.includes(values.exchange) && !values.passphrase?.trim()) {
    errors.passphrase = t('v.passphrase', { exchange: values.exchange });
  }
  if ((values.label ?? '').length > 50) errors.label = t('v.length', { min: 0, max: 50 });
  return errors;
}
