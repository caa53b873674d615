import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const state = globalThis.__VOUCH_TEST_SERVERS__;
  if (!state) return;
  await Promise.all(state.servers.map((s) => s.process.stop()));
  if (!process.env.VOUCH_TEST_KEEP) fs.rmSync(state.dir, { recursive: true, force: true });
}
