import speakeasy from 'speakeasy';
import { base32, codeAt, generateSecret, matchingStep, otpauthUri, timeStep } from '../../lib/totp';
import { keyId, open, seal } from '../../lib/secret-box';
import { randomBytes } from 'node:crypto';

// RFC 6238 appendix B (SHA-1): the secret is the ASCII "12345678901234567890"; the 8-digit values are
// truncated to 6 digits, which is the same computation modulo 10^6.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP wrapper', () => {
  test.each(RFC_VECTORS)('RFC 6238 vector at T=%d', (seconds, expected) => {
    expect(codeAt(RFC_SECRET, seconds * 1000)).toBe(expected.slice(-6));
    expect(matchingStep(RFC_SECRET, expected.slice(-6), seconds * 1000)).toBe(Math.floor(seconds / 30));
  });

  test('drift of one step either way is accepted, two steps is rejected', () => {
    const secret = generateSecret();
    const now = 1_800_000_000_000;
    const step = timeStep(now);
    expect(matchingStep(secret, codeAt(secret, now - 30_000), now)).toBe(step - 1);
    expect(matchingStep(secret, codeAt(secret, now + 30_000), now)).toBe(step + 1);
    expect(matchingStep(secret, codeAt(secret, now), now)).toBe(step);
    expect(matchingStep(secret, codeAt(secret, now - 60_000), now)).toBeNull();
    expect(matchingStep(secret, codeAt(secret, now + 60_000), now)).toBeNull();
  });

  test('a code made from the ASCII bytes of the base32 text is not accepted (no encoding mix-up)', () => {
    const secret = generateSecret();
    const now = 1_800_000_000_000;
    const asciiCode = speakeasy.totp({ secret, encoding: 'ascii', time: now / 1000 });
    const base32Code = codeAt(secret, now);
    if (asciiCode !== base32Code) expect(matchingStep(secret, asciiCode, now)).toBeNull();
    expect(matchingStep(secret, base32Code, now)).not.toBeNull();
  });

  test('the window stays numeric: codes far in the future are refused (a string window would widen it)', () => {
    const secret = generateSecret();
    const now = 1_800_000_000_000;
    // With window "1" speakeasy would compute counter + "1" as a string and accept far-future steps.
    for (const steps of [2, 5, 11, 100]) {
      expect(matchingStep(secret, codeAt(secret, now + steps * 30_000), now)).toBeNull();
    }
  });

  test('malformed codes are refused before speakeasy sees them', () => {
    const secret = generateSecret();
    for (const code of ['', '12345', '1234567', '12 456', 'abcdef', '１２３４５６']) {
      expect(matchingStep(secret, code, Date.now())).toBeNull();
    }
  });

  test('secrets are 160 bits from the CSPRNG, base32', () => {
    const a = generateSecret();
    const b = generateSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/); // 32 base32 characters = 20 bytes = 160 bits
    expect(a).not.toBe(b);
  });

  test('the otpauth URI names the issuer, the account and the parameters authenticator apps need', () => {
    const uri = new URL(otpauthUri(RFC_SECRET, 'ana@example.com'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Vouch:ana@example.com');
    expect(Object.fromEntries(uri.searchParams)).toEqual({
      secret: RFC_SECRET,
      issuer: 'Vouch',
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    });
  });
});

describe('TOTP secrets', () => {
  test('a secret is 20 random bytes in base32: 32 characters that decode back to those bytes', () => {
    const drawn: number[] = [];
    const bytes = randomBytes(20);
    const secret = generateSecret((n) => (drawn.push(n), bytes));
    expect(drawn).toEqual([20]);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(Buffer.from(decodeBase32(secret))).toEqual(bytes);
    // RFC 4648's own example: the ASCII bytes "12345678901234567890" (RFC 6238's test secret).
    expect(base32(Buffer.from('12345678901234567890'))).toBe(RFC_SECRET);
  });

  test('the first character takes all 32 base32 values (no alphabet bias, unlike speakeasy)', () => {
    const secrets = Array.from({ length: 400 }, () => generateSecret());
    for (const s of secrets) {
      expect(s).toMatch(/^[A-Z2-7]{32}$/);
      expect(decodeBase32(s)).toHaveLength(20);
    }
    // speakeasy encodes ASCII letters and digits: its first character is one of G..P, never all 32.
    expect(new Set(secrets.map((s) => s[0])).size).toBe(32);
  });
});

function decodeBase32(text: string): number[] {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...text].map((ch) => alphabet.indexOf(ch).toString(2).padStart(5, '0')).join('');
  return (bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2));
}

describe('secret box', () => {
  const key = randomBytes(32);

  test('round trip, bound to its context', () => {
    const box = seal(key, 'SECRET', 'UANA');
    expect(box).not.toContain('SECRET');
    expect(open(key, box, 'UANA')).toBe('SECRET');
    expect(() => open(key, box, 'UBOB')).toThrow(/failed authentication/);
  });

  test('the wrong key fails clearly, naming both key ids', () => {
    const other = randomBytes(32);
    const box = seal(key, 'SECRET', 'UANA');
    expect(() => open(other, box, 'UANA')).toThrow(
      `sealed with key ${keyId(key)} but VOUCH_ENCRYPTION_KEY is key ${keyId(other)}`,
    );
  });

  test('a missing or short key fails clearly', () => {
    expect(() => seal(Buffer.alloc(16), 'x', 'c')).toThrow(/VOUCH_ENCRYPTION_KEY is missing or not 32 bytes/);
    expect(() => open(undefined as unknown as Buffer, 'v1.a.b.c.d', 'c')).toThrow(/VOUCH_ENCRYPTION_KEY/);
  });
});
