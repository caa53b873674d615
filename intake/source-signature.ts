import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SourceMappings, SourceSignature } from './source-mapping';

/**
 * The `signature` a source may declare in sources.yml: HMAC-SHA256 over the raw request body, keyed
 * with the secret of that name in VOUCH_SOURCE_SECRETS, sent in `header` as `prefix` followed by hex
 * or base64 (GitHub's `X-Hub-Signature-256: sha256=<hex>` is `{header: X-Hub-Signature-256, prefix:
 * "sha256="}`). The intake checks it, besides the bearer token, before it maps the body.
 */
export function verifySourceSignature(
  signature: SourceSignature,
  rawBody: Buffer | string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  secrets: Readonly<Record<string, string>>,
): { ok: true } | { ok: false; reason: string } {
  const secret = secrets[signature.secret];
  if (secret === undefined)
    return { ok: false, reason: `VOUCH_SOURCE_SECRETS has no secret named "${signature.secret}"` };
  const name = signature.header.toLowerCase();
  const sent = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  const value = Array.isArray(sent) ? sent[0] : sent;
  if (value === undefined) return { ok: false, reason: `no ${signature.header} header` };
  if (!value.startsWith(signature.prefix))
    return { ok: false, reason: `${signature.header} does not start with "${signature.prefix}"` };
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const given = Buffer.from(value.slice(signature.prefix.length).trim(), signature.encoding);
  // Equal lengths first: timingSafeEqual throws on different ones.
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: `${signature.header} does not match the body` };
  return { ok: true };
}

/** Secret names the mapped sources' signatures need that VOUCH_SOURCE_SECRETS lacks (checked at start). */
export function missingSourceSecrets(
  mappings: SourceMappings,
  secrets: Readonly<Record<string, string>>,
): { source: string; secret: string }[] {
  return [...mappings.sources.values()]
    .filter((s) => s.signature && secrets[s.signature.secret] === undefined)
    .map((s) => ({ source: s.name, secret: s.signature!.secret }));
}
