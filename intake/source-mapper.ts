import { ConfigError } from '../lib/config';
import type { Logger } from '../lib/logger';
import { loadSourceMappings, mapSourceBody, sourceNames } from './source-mapping';
import { missingSourceSecrets, verifySourceSignature } from './source-signature';
import type { MappedSourceBody, SourceRequest } from './server';

/**
 * The intake's mapper: sources.yml read once at start. A bad file, or a signature whose secret is
 * missing, stops the intake with the problems named.
 */
export async function sourceMapper(
  file: string,
  secrets: Readonly<Record<string, string>>,
  logger: Logger,
): Promise<(request: SourceRequest) => Promise<MappedSourceBody>> {
  const mappings = await loadSourceMappings(file);
  const missing = missingSourceSecrets(mappings, secrets);
  if (missing.length > 0)
    throw new ConfigError(
      `VOUCH_SOURCE_SECRETS lacks the secret${missing.length === 1 ? '' : 's'} a source's signature names:\n` +
        missing.map((m) => `  - source ${m.source}: add ${m.secret}=<secret>`).join('\n'),
    );
  const names = sourceNames(mappings);
  if (names.length > 0) logger.info({ file, sources: names }, 'source mappings loaded');
  else logger.info({ file }, 'no source mappings (no sources file): POST /v1/sources/<name> answers 404');
  return async ({ name, body, rawBody, headers, receivedAt }) => {
    const source = mappings.sources.get(name);
    if (!source) return { kind: 'unknown-source' };
    if (source.signature) {
      const checked = verifySourceSignature(source.signature, rawBody, headers, secrets);
      if (!checked.ok) return { kind: 'bad-signature', reason: checked.reason };
    }
    const mapped = await mapSourceBody(mappings, name, body, receivedAt);
    return mapped.ok ? { kind: 'alert', alert: mapped.alert } : { kind: 'errors', errors: mapped.errors };
  };
}
