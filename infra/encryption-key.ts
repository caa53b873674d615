import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../lib/config';

/**
 * For the embedded stack only: the key that encrypts second-factor secrets, made once and kept in the
 * data folder (mode 0600) so that a restart can still read what it stored. Production sets
 * VOUCH_ENCRYPTION_KEY from a secret store instead.
 */
export function embeddedKeyFile(dataDir: string): string {
  return path.join(dataDir, 'encryption.key');
}

export function loadOrCreateEmbeddedKey(dataDir: string): { key: string; created: boolean; file: string } {
  const file = embeddedKeyFile(dataDir);
  if (fs.existsSync(file)) return { key: fs.readFileSync(file, 'utf8').trim(), created: false, file };
  fs.mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64');
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return { key, created: true, file };
}

/** The embedded stack's key, when `npm start` has made one (read, never made, by the CLI). */
export function readEmbeddedKey(dataDir: string): Buffer | undefined {
  const file = embeddedKeyFile(dataDir);
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, 'utf8').trim();
  const key = Buffer.from(text, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.length !== 32)
    throw new ConfigError(
      `${file} does not hold a key: expected 32 bytes in base64 (openssl rand -base64 32)`,
    );
  return key;
}
