import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM under VOUCH_ENCRYPTION_KEY, for second-factor secrets at rest and for codes in transit
 * through Temporal. Each box names the key it was sealed with (a short fingerprint), so a rotation can
 * tell old boxes from new, and a wrong key fails with a clear message instead of garbage.
 */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** Seals `plaintext`; `context` (e.g. the employee id) is authenticated, so a box cannot be moved. */
export function seal(key: Buffer, plaintext: string, context: string): string {
  requireKey(key);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [
    'v1',
    keyId(key),
    iv.toString('base64url'),
    body.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
  ].join('.');
}

export function open(key: Buffer, box: string, context: string): string {
  requireKey(key);
  const parts = box.split('.');
  if (parts.length !== 5 || parts[0] !== 'v1')
    throw new SecretBoxError('not a sealed value (expected v1.<key>.<iv>.<data>.<tag>)');
  const [, kid, iv, body, tag] = parts as [string, string, string, string, string];
  if (kid !== keyId(key))
    throw new SecretBoxError(
      `sealed with key ${kid} but VOUCH_ENCRYPTION_KEY is key ${keyId(key)}: use the key it was sealed with, or rotate`,
    );
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new SecretBoxError(
      'sealed value failed authentication: it was altered, or belongs to someone else',
    );
  }
}

function requireKey(key: Buffer | undefined): asserts key is Buffer {
  if (!key || key.length !== 32)
    throw new SecretBoxError(
      'VOUCH_ENCRYPTION_KEY is missing or not 32 bytes: set it (openssl rand -base64 32)',
    );
}
