import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { Config } from './config';
import { keyId } from './secret-box';

/**
 * Temporal payload encryption: every payload Vouch writes to Temporal (alert input, signals, update
 * arguments and results, activity inputs and results, memo, query answers) is sealed with AES-256-GCM
 * before it leaves the process, so the history holds ciphertext. The sealed payload names its key
 * (the same fingerprint second-factor boxes carry), so after a rotation the old keys decode what they
 * sealed while they stay listed. Payloads that arrive unencrypted (a producer on a plain Temporal
 * client, the Temporal CLI) pass through untouched.
 */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const CIPHER_METADATA = 'encryption-cipher';
const CIPHER = 'AES-256-GCM';
// Binds every box to its purpose: a Temporal payload box cannot pass for a second-factor box.
const AAD = Buffer.from('vouch/temporal-payload/v1');
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class PayloadKeyError extends Error {
  override readonly name = 'PayloadKeyError';
}

export interface PayloadKeys {
  /** Seals everything new. */
  current: Buffer;
  /** Still open what they sealed before a rotation; never seal. */
  previous?: readonly Buffer[];
}

export class EncryptionCodec implements PayloadCodec {
  private readonly currentId: string;
  private readonly byId: ReadonlyMap<string, Buffer>;

  constructor(private readonly keys: PayloadKeys) {
    for (const key of [keys.current, ...(keys.previous ?? [])])
      if (!Buffer.isBuffer(key) || key.length !== 32)
        throw new PayloadKeyError(
          'a payload encryption key must be 32 bytes (VOUCH_ENCRYPTION_KEY: openssl rand -base64 32)',
        );
    this.currentId = keyId(keys.current);
    this.byId = new Map([...(keys.previous ?? []), keys.current].map((k) => [keyId(k), k]));
  }

  /** The fingerprints of the keys this codec can open, the current one first. */
  get keyIds(): string[] {
    return [this.currentId, ...[...this.byId.keys()].filter((id) => id !== this.currentId)];
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.seal(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.open(payload) : payload));
  }

  private seal(payload: Payload): Payload {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.current, iv);
    cipher.setAAD(AAD);
    const plain = temporal.api.common.v1.Payload.encode(payload).finish();
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
        [CIPHER_METADATA]: Buffer.from(CIPHER),
        [KEY_ID_METADATA]: Buffer.from(this.currentId),
      },
      data: Buffer.concat([iv, body, cipher.getAuthTag()]),
    };
  }

  private open(payload: Payload): Payload {
    const id = Buffer.from(payload.metadata?.[KEY_ID_METADATA] ?? []).toString();
    const key = this.byId.get(id);
    if (!key)
      throw new PayloadKeyError(
        `a Temporal payload is sealed with key ${id || '(unnamed)'}, which is neither VOUCH_ENCRYPTION_KEY ` +
          `(key ${this.currentId}) nor listed in VOUCH_PREVIOUS_ENCRYPTION_KEYS: add the key it was sealed with`,
      );
    const data = Buffer.from(payload.data ?? []);
    if (data.length < IV_BYTES + TAG_BYTES)
      throw new PayloadKeyError(`a Temporal payload sealed with key ${id} is truncated`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(AAD);
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return temporal.api.common.v1.Payload.decode(plain);
    } catch {
      throw new PayloadKeyError(
        `a Temporal payload sealed with key ${id} failed authentication: it was altered`,
      );
    }
  }
}

function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return (
    encoding !== undefined && encoding !== null && Buffer.from(encoding).toString() === ENCRYPTED_ENCODING
  );
}

/**
 * The data converter for every Temporal client and worker Vouch creates. Without a key there is
 * nothing to seal with: payloads go out in plain text, and encrypted ones cannot be read (the codec
 * would fail on them with a message naming the missing key).
 */
export function vouchDataConverter(keys: PayloadKeys | undefined): { payloadCodecs: PayloadCodec[] } {
  return { payloadCodecs: keys ? [new EncryptionCodec(keys)] : [new MissingKeyCodec()] };
}

/** Passes plain payloads through; names the missing variable when it meets an encrypted one. */
class MissingKeyCodec implements PayloadCodec {
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads;
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    if (payloads.some(isEncrypted))
      throw new PayloadKeyError(
        'a Temporal payload is encrypted but VOUCH_ENCRYPTION_KEY is unset: set it to the key Vouch runs with',
      );
    return payloads;
  }
}

/** The payload keys of a configuration, or of a key read elsewhere (the embedded stack's key file). */
export function payloadKeys(
  config: Pick<Config, 'encryptionKey' | 'previousEncryptionKeys'>,
  current: Buffer | undefined = config.encryptionKey,
): PayloadKeys | undefined {
  return current ? { current, previous: config.previousEncryptionKeys } : undefined;
}
