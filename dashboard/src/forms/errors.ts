//! Field errors as forms hold them, and the translator the validators speak through.

import { translate, type MessageKey } from '../i18n/messages';

/** Field name -> message; `_form` holds an error that names no field. */
export type FieldErrors = Record<string, string>;

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export const english: Translate = (key, vars) => translate('en', key, vars);

export const hasErrors = (errors: FieldErrors) => Object.keys(errors).length > 0;

/** A decimal typed by a person ("1,5" or "1.5"), or null when it is not a number. */
export function parseDecimal(text: string | number | undefined | null): number | null {
  if (typeof text === 'number') return Number.isFinite(text) ? text : null;
  const trimmed = (text ?? '').trim().replace(',', '.');
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}
