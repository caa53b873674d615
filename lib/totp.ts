import { randomBytes } from 'node:crypto';
import speakeasy from 'speakeasy';

/**
 * TOTP (RFC 6238: 30 s step, 6 digits, SHA-1) through speakeasy, with its sharp edges filed off:
 * secrets are always base32, the window is always a number (speakeasy mishandles a string window and
 * defaults to ASCII secrets), and the matching time step is returned so a used code can be refused.
 */
export const STEP_SECONDS = 30;
export const WINDOW_STEPS = 1;

const SECRET_BYTES = 20;
const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * 20 random bytes = 160 bits (the RFC 4226 recommendation), base32-encoded. Not speakeasy's generator:
 * it maps random bytes onto an alphanumeric alphabet and encodes that text, about 126 bits.
 */
export function generateSecret(random: (size: number) => Buffer = randomBytes): string {
  const bytes = random(SECRET_BYTES);
  if (bytes.length !== SECRET_BYTES) throw new Error(`a TOTP secret needs ${SECRET_BYTES} random bytes`);
  return base32(bytes);
}

/** RFC 4648 base32 without padding (20 bytes are exactly 32 characters). */
export function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** The otpauth:// URI authenticator apps read from a QR code (Key Uri Format). */
export function otpauthUri(secret: string, account: string, issuer = 'Vouch'): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const params = new URLSearchParams({
    secret,
    issuer,
    algorithm: 'SHA1',
    digits: '6',
    period: String(STEP_SECONDS),
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}

export function codeAt(secret: string, atMs: number): string {
  return speakeasy.totp({
    secret,
    encoding: 'base32',
    time: Math.floor(atMs / 1000),
    step: STEP_SECONDS,
    digits: 6,
  });
}

export function timeStep(atMs: number): number {
  return Math.floor(atMs / 1000 / STEP_SECONDS);
}

/** The time step the code belongs to (within ±1 step of `atMs`), or null when it matches none. */
export function matchingStep(secret: string, code: string, atMs: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = speakeasy.totp.verifyDelta({
    secret,
    encoding: 'base32',
    token: code,
    time: Math.floor(atMs / 1000),
    step: STEP_SECONDS,
    digits: 6,
    window: WINDOW_STEPS,
  });
  return delta === undefined ? null : timeStep(atMs) + delta.delta;
}
