//! Sign-in, registration and API key form checks.
import { describe, expect, it } from 'vitest';
import { validateApiKey, validateCredentials } from '../src/forms/accountForms';
import { parseDecimal } from '../src/forms/errors';

describe('credentials', () => {
  it('requires an email and, when registering, an 8 to 128 character password', () => {
    expect(validateCredentials({ email: 'a@b.co', password: 'longenough' }, true)).toEqual({});
    expect(Object.keys(validateCredentials({ email: 'nope', password: 'short' }, true))).toEqual(['email', 'password']);
    expect(validateCredentials({ email: 'a@b.co', password: 'x'.repeat(129) }, true).password).toBeDefined();
    expect(validateCredentials({ email: 'a@b.co', password: 'short' }, false)).toEqual({});
    expect(validateCredentials({ email: 'a@b.co', password: '' }, false).password).toBe('Required.');
  });
});

describe('api keys', () => {
  const key = { exchange: 'binance', api_key: 'abcdefgh', secret_key: 'secret-123', is_testnet: false };
  it('checks lengths and asks for a passphrase where the venue needs one', () => {
    expect(validateApiKey(key)).toEqual({});
    expect(Object.keys(validateApiKey({ ...key, api_key: 'short', secret_key: '' }))).toEqual(['api_key', 'secret_key']);
    expect(validateApiKey({ ...key, exchange: 'okx' }).passphrase).toBe('okx keys need a passphrase.');
    expect(validateApiKey({ ...key, exchange: 'okx', passphrase: 'p' })).toEqual({});
    expect(validateApiKey({ ...key, label: 'x'.repeat(51) }).label).toBeDefined();
  });
});

describe('parseDecimal', () => {
  it('reads what people type, with a dot or a comma', () => {
    expect(parseDecimal('1.5')).toBe(1.5);
    expect(parseDecimal('1,5')).toBe(1.5);
    expect(parseDecimal(' 42 ')).toBe(42);
    expect(parseDecimal('1e3')).toBe(1000);
    expect(parseDecimal('')).toBeNull();
    expect(parseDecimal('1.2.3')).toBeNull();
    expect(parseDecimal('abc')).toBeNull();
  });
});
