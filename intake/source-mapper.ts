import type { Logger } from '../lib/logger';
import { loadSourceMappings, mapSourceBody, sourceNames } from './source-mapping';
import type { MappedSourceBody } from './server';

/** The intake's mapper: sources.yml read once at start (a bad file stops the intake with its problems). */
export async function sourceMapper(
  file: string,
  logger: Logger,
): Promise<(name: string, body: unknown, receivedAt: Date) => Promise<MappedSourceBody>> {
  const mappings = loadSourceMappings(file);
  const names = sourceNames(mappings);
  if (names.length > 0) logger.info({ file, sources: names }, 'source mappings loaded');
  else logger.info({ file }, 'no source mappings (no sources file): POST /v1/sources/<name> answers 404');
  return async (name, body, receivedAt) => {
    if (!mappings.has(name)) return { kind: 'unknown-source' };
    const mapped = await mapSourceBody(mappings, name, body, receivedAt);
    return mapped.ok ? { kind: 'alert', alert: mapped.alert } : { kind: 'errors', errors: mapped.errors };
  };
}
