import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import {
  ENCRYPTED_ENCODING,
  EncryptionCodec,
  KEY_ID_METADATA,
  vouchDataConverter,
} from '../../lib/payload-codec';
import { keyId } from '../../lib/secret-box';
import { encryptedDataConverter } from '../../producer';

/** The payload codec alone: what it writes, what it opens, and how it fails. */
describe('EncryptionCodec', () => {
  const oldKey = randomBytes(32);
  const key = randomBytes(32);
  const payload = defaultPayloadConverter.toPayload({ account: '123456789012' });
  const text = (p: { data?: Uint8Array | null }) => Buffer.from(p.data ?? []).toString();

  it('seals with the current key, names it, and opens to the same payload', async () => {
    const codec = new EncryptionCodec({ current: key, previous: [oldKey] });
    const [sealed] = await codec.encode([payload]);
    expect(Buffer.from(sealed!.metadata!.encoding!).toString()).toBe(ENCRYPTED_ENCODING);
    expect(Buffer.from(sealed!.metadata![KEY_ID_METADATA]!).toString()).toBe(keyId(key));
    expect(text(sealed!)).not.toContain('123456789012');
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual({ account: '123456789012' });
    expect(codec.keyIds).toEqual([keyId(key), keyId(oldKey)]);
  });

  it('opens what a listed previous key sealed; without it, names the key to add', async () => {
    const [sealedBefore] = await new EncryptionCodec({ current: oldKey }).encode([payload]);
    const [opened] = await new EncryptionCodec({ current: key, previous: [oldKey] }).decode([sealedBefore!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual({ account: '123456789012' });
    await expect(new EncryptionCodec({ current: key }).decode([sealedBefore!])).rejects.toThrow(
      `sealed with key ${keyId(oldKey)}, which is neither VOUCH_ENCRYPTION_KEY (key ${keyId(key)}) nor listed in VOUCH_PREVIOUS_ENCRYPTION_KEYS`,
    );
  });

  it('refuses an altered payload, and passes a plain one through', async () => {
    const codec = new EncryptionCodec({ current: key });
    const [sealed] = await codec.encode([payload]);
    const data = Buffer.from(sealed!.data!);
    data[20] = data[20]! ^ 1;
    await expect(codec.decode([{ ...sealed!, data }])).rejects.toThrow(/failed authentication/);
    expect(await codec.decode([payload])).toEqual([payload]);
  });

  it('without a key: plain payloads pass, encrypted ones name the missing variable', async () => {
    const [codec] = vouchDataConverter(undefined).payloadCodecs;
    expect(await codec!.encode([payload])).toEqual([payload]);
    const [sealed] = await new EncryptionCodec({ current: key }).encode([payload]);
    await expect(codec!.decode([sealed!])).rejects.toThrow(/VOUCH_ENCRYPTION_KEY is unset/);
  });

  it("the producer's converter takes the key as base64 or bytes, and names the field when it is wrong", async () => {
    const [fromText] = encryptedDataConverter(key.toString('base64')).payloadCodecs;
    const [sealed] = await fromText!.encode([payload]);
    expect(Buffer.from(sealed!.metadata![KEY_ID_METADATA]!).toString()).toBe(keyId(key));
    expect(() => encryptedDataConverter('c2hvcnQ=')).toThrow(/^encryptionKey: expected the 32-byte key/);
    expect(() => encryptedDataConverter(randomBytes(16))).toThrow(/encryptionKey/);
  });
});
