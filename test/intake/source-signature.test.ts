import { missingSourceSecrets, verifySourceSignature } from '../../intake/source-signature';
import { parseSourceMappings } from '../../intake/source-mapping';

/** A source's declared webhook signature, checked against GitHub's published test vector. */
describe('source webhook signatures (hmac-sha256)', () => {
  const mappings = parseSourceMappings(
    `github:\n  signature: {scheme: hmac-sha256, header: X-Hub-Signature-256, secret: gh, prefix: "sha256="}\n` +
      `  map: {type: "'t'", title: "'x'", severity: "'low'", employee: u}\n` +
      `b64:\n  signature: {scheme: hmac-sha256, header: X-Signature, secret: other, encoding: base64}\n` +
      `  map: {type: "'t'", title: "'x'", severity: "'low'", employee: u}\n`,
    'sources.yml',
  );
  const github = mappings.sources.get('github')!.signature!;
  const secrets = { gh: "It's a Secret to Everybody" };
  const vector = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

  it('accepts the signature of the exact body, whatever the header case', () => {
    expect(
      verifySourceSignature(github, 'Hello, World!', { 'x-hub-signature-256': vector }, secrets),
    ).toEqual({ ok: true });
    expect(
      verifySourceSignature(
        github,
        Buffer.from('Hello, World!'),
        { 'X-Hub-Signature-256': [vector] },
        secrets,
      ),
    ).toEqual({
      ok: true,
    });
  });

  it('refuses another body, a missing or malformed header, and a secret that is not configured', () => {
    const refuse = (body: string, headers: Record<string, string>, s: Record<string, string> = secrets) =>
      verifySourceSignature(github, body, headers, s);
    expect(refuse('Hello, World?', { 'x-hub-signature-256': vector })).toEqual({
      ok: false,
      reason: 'X-Hub-Signature-256 does not match the body',
    });
    expect(refuse('Hello, World!', {})).toEqual({ ok: false, reason: 'no X-Hub-Signature-256 header' });
    expect(refuse('Hello, World!', { 'x-hub-signature-256': vector.slice(7) })).toEqual({
      ok: false,
      reason: 'X-Hub-Signature-256 does not start with "sha256="',
    });
    expect(refuse('Hello, World!', { 'x-hub-signature-256': 'sha256=abcd' })).toMatchObject({ ok: false });
    expect(refuse('Hello, World!', { 'x-hub-signature-256': vector }, {})).toEqual({
      ok: false,
      reason: 'VOUCH_SOURCE_SECRETS has no secret named "gh"',
    });
  });

  it('reads base64 signatures, and names the sources whose secret is missing', () => {
    const b64 = mappings.sources.get('b64')!.signature!;
    const header = { 'X-Signature': 'dXEH6g6yUJ/CESIczphLijdXC211hsIsRvQ3nIsEPhc=' };
    expect(
      verifySourceSignature(b64, 'Hello, World!', header, { other: "It's a Secret to Everybody" }),
    ).toEqual({ ok: true });
    expect(missingSourceSecrets(mappings, secrets)).toEqual([{ source: 'b64', secret: 'other' }]);
  });
});
