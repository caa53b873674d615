import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__VOUCH_TEST_SERVERS__;
  if (!state) return;
  for (const server of [...state.servers].reverse()) await server.process.stop();
  if (!process.env.VOUCH_TEST_KEEP) fs.rmSync(state.dir, { recursive: true, force: true });
}
