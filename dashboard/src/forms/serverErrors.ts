//! A failed request as form errors: the server's message next to the field it names.

import { ApiError } from '../api/client';
import type { FieldErrors } from './errors';

export function serverErrors(error: unknown): FieldErrors {
  if (error instanceof ApiError) return { [error.field ?? '_form']: error.message };
  return { _form: error instanceof Error ? error.message : String(error) };
}
