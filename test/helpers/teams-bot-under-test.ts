import type http from 'node:http';
import { createInterviewGateway } from '../../bot/interviews';
import { createTeamsBot } from '../../bot/teams/create-teams-bot';
import { freePort } from '../../infra/processes';
import type { TeamsConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { directoryEntrySchema } from '../../shared/directory-entry';
import { collections } from '../../store/collections';
import { directoryStore } from '../../store/directory';
import { type Harness, whileBusy } from './interview-harness';

/** The real Teams endpoint (`POST /api/messages`) on a free port, on the harness's Temporal and database. */
export async function startTeamsBot(
  h: Harness,
  config: TeamsConfig,
  /** VOUCH_PUBLIC_URL: where the dialog's passkey links point (the answer page); none without it. */
  publicUrl?: string,
): Promise<{ server: http.Server; endpoint: string }> {
  const server = createTeamsBot(
    config,
    { encryptionKey: h.key, publicUrl },
    createLogger('teams-test', 'silent'),
    createInterviewGateway(h.client),
    h.mongo.db,
  );
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { server, endpoint: `http://127.0.0.1:${port}/api/messages` };
}

/** Puts people into the directory, as `vouch directory set` does. */
export async function listInDirectory(h: Harness, entries: Record<string, unknown>[]): Promise<void> {
  const directory = directoryStore(collections(h.mongo.db));
  for (const entry of entries)
    await whileBusy(() => directory.set(directoryEntrySchema.parse(entry), 'test'));
}
