import net from 'node:net';
import { ClosableConnection } from '../../lib/temporal-connection';

/** A port with nothing listening: every attempt fails UNAVAILABLE and is retried on a timer. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a Temporal connection closed while a call waits for its retry', () => {
  it('ends the call as cancelled instead of throwing from the retry timer', async () => {
    const temporal = ClosableConnection.lazy({
      address: `127.0.0.1:${await deadPort()}`,
      connectTimeout: 200,
    });
    const call = temporal.connection.workflowService.getSystemInfo({});
    const settled = call.then(
      () => 'answered',
      (err: Error) => err.message,
    );
    await new Promise((r) => setTimeout(r, 600)); // the first attempts fail; a retry is pending
    await temporal.close();
    expect(await settled).toMatch(/the Temporal connection was closed/);
  });

  it('a connection that cannot connect reports why', async () => {
    await expect(
      ClosableConnection.connect({ address: `127.0.0.1:${await deadPort()}`, connectTimeout: 300 }),
    ).rejects.toThrow();
  });
});
