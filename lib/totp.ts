import speakeasy from 'speakeasy';

/**
 * TOTP (RFC 6238: 30 s step, 6 digits, SHA-1) through speakeasy, with its sharp edges filed off:
 * secrets are always base32, the window is always a number (speakeasy mishandles a string window and
 * defaults to ASCII secrets), and the matching time step is returned so a used code can be refused.
 */
export const STEP_SECONDS = 30;
export const WINDOW_STEPS = 1;

export function generateSecret(): string {
  // 20 random bytes = 160 bits, the RFC 4226 recommendation; speakeasy uses crypto.randomBytes.
  return speakeasy.generateSecret({ length: 20 }).base32;
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
