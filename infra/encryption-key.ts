import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../lib/config';

/**
 * For the embedded stack only: the key that encrypts second-factor secrets and Temporal payloads, made once and kept in the
 * data folder (mode 0600) so that a restart can still read what it stored. Production sets
 * VOUCH_ENCRYPTION_KEY from a secret store instead.
 */
export function embeddedKeyFile(dataDir: string): string {
  return path.join(dataDir, 'encryption.key');
}

export function loadOrCreateEmbeddedKey(dataDir: string): { key: string; created: boolean; file: string } {
  return loadOrCreateSecretFile(embeddedKeyFile(dataDir), () => randomBytes(32).toString('base64'));
}

/** Likewise the codec server's operator credential, for the embedded Web UI. */
export function embeddedCodecTokenFile(dataDir: string): string {
  return path.join(dataDir, 'codec.token');
}

export function loadOrCreateEmbeddedCodecToken(dataDir: string): {
  key: string;
  created: boolean;
  file: string;
} {
  return loadOrCreateSecretFile(embeddedCodecTokenFile(dataDir), () => randomBytes(32).toString('hex'));
}

function loadOrCreateSecretFile(
  file: string,
  make: () => string,
): { key: string; created: boolean; file: string } {
  if (fs.existsSync(file)) return { key: fs.readFileSync(file, 'utf8').trim(), created: false, file };
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const key = make();
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
