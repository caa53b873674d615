import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';

/**
 * A WebAuthn authenticator in the test process (ES256, "none" attestation), for tests of the server's
 * ceremonies without a browser: it answers options exactly as the WebAuthn spec lays out the bytes
 * (authenticator data, CBOR attestation object, ECDSA signature over authData ‖ SHA-256(clientDataJSON)).
 * The browser tests use Chromium's own virtual authenticator instead.
 */
export class SoftwareAuthenticator {
  private readonly keys = new Map<string, { privateKey: KeyObject; cose: Buffer; counter: number }>();

  constructor(
    private readonly origin: string,
    private readonly rpId = new URL(origin).hostname,
  ) {}

  register(
    options: PublicKeyCredentialCreationOptionsJSON,
    opts: { userVerified?: boolean; origin?: string } = {},
  ): RegistrationResponseJSON {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    const cose = cbor(
      new Map<number, unknown>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const id = randomBytes(16);
    this.keys.set(id.toString('base64url'), { privateKey, cose, counter: 0 });
    const authData = Buffer.concat([
      this.rpIdHash(),
      Buffer.from([flags(opts.userVerified) | 0x40]),
      u32(0),
      Buffer.alloc(16), // aaguid
      Buffer.from([0, id.length]),
      id,
      cose,
    ]);
    const clientData = this.clientData('webauthn.create', options.challenge, opts.origin);
    return {
      id: id.toString('base64url'),
      rawId: id.toString('base64url'),
      type: 'public-key',
      response: {
        clientDataJSON: clientData.toString('base64url'),
        attestationObject: cbor(
          new Map<string, unknown>([
            ['fmt', 'none'],
            ['attStmt', new Map()],
            ['authData', authData],
          ]),
        ).toString('base64url'),
        transports: ['internal'],
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  authenticate(
    options: PublicKeyCredentialRequestOptionsJSON,
    opts: { userVerified?: boolean; counter?: number; credentialId?: string } = {},
  ): AuthenticationResponseJSON {
    const id = opts.credentialId ?? options.allowCredentials?.find((c) => this.keys.has(c.id))?.id;
    const key = id ? this.keys.get(id) : undefined;
    if (!id || !key) throw new Error('no credential of this authenticator is allowed');
    key.counter = opts.counter ?? key.counter + 1;
    const authData = Buffer.concat([
      this.rpIdHash(),
      Buffer.from([flags(opts.userVerified)]),
      u32(key.counter),
    ]);
    const clientData = this.clientData('webauthn.get', options.challenge);
    const signature = sign(
      'sha256',
      Buffer.concat([authData, createHash('sha256').update(clientData).digest()]),
      key.privateKey,
    );
    return {
      id,
      rawId: id,
      type: 'public-key',
      response: {
        clientDataJSON: clientData.toString('base64url'),
        authenticatorData: authData.toString('base64url'),
        signature: signature.toString('base64url'),
      },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  private rpIdHash(): Buffer {
    return createHash('sha256').update(this.rpId).digest();
  }

  private clientData(type: string, challenge: string, origin = this.origin): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }
}

/** User present, and user verified unless told otherwise. */
const flags = (userVerified = true) => 0x01 | (userVerified ? 0x04 : 0);

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** The CBOR the authenticator speaks: integers, text, byte strings and maps. */
function cbor(value: unknown): Buffer {
  const head = (major: number, n: number) =>
    n < 24
      ? Buffer.from([(major << 5) | n])
      : n < 256
        ? Buffer.from([(major << 5) | 24, n])
        : Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (Buffer.isBuffer(value)) return Buffer.concat([head(2, value.length), value]);
  if (value instanceof Map)
    return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
  throw new Error(`cannot encode ${typeof value}`);
}
