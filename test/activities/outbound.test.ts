import http from 'node:http';
import { isInternalAddress, postJson } from '../../activities/http-delivery';
import { closeServer, listenLocally, localUrl } from '../helpers/local-server';

/** PagerDuty and webhook calls cannot be turned inward: internal addresses, redirects, raw answers. */
describe('outbound calls', () => {
  let target: http.Server;
  let elsewhere: http.Server;
  const hits: string[] = [];
  let answer: { status: number; headers?: Record<string, string>; body?: string } = { status: 202 };

  beforeAll(async () => {
    target = await listenLocally(async (req, res) => {
      for await (const _ of req);
      hits.push(`target ${req.url}`);
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
    elsewhere = await listenLocally(async (req, res) => {
      for await (const _ of req);
      hits.push(`elsewhere ${req.url}`);
      res.writeHead(200);
      res.end('{}');
    });
  });
  afterAll(async () => {
    await closeServer(target);
    await closeServer(elsewhere);
  });
  beforeEach(() => {
    hits.length = 0;
    answer = { status: 202 };
  });

  const port = () => new URL(localUrl(target)).port;

  it.each([
    ['loopback by address', () => `http://127.0.0.1:${port()}/hook`],
    ['loopback by name (checked on the resolved address)', () => `http://localhost:${port()}/hook`],
    ['IPv6 loopback', () => `http://[::1]:${port()}/hook`],
    ['IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${port()}/hook`],
    ['"this host"', () => `http://0.0.0.0:${port()}/hook`],
    ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data/'],
    ['a private network', () => 'https://10.1.2.3/hook'],
    ['another private network', () => 'https://192.168.1.10/hook'],
    ['unique-local IPv6 (AWS metadata)', () => 'http://[fd00:ec2::254]/latest/'],
  ])('refuses %s, without connecting, and says how to allow it', async (_what, url) => {
    await expect(postJson('webhook', url(), '{}')).rejects.toMatchObject({
      type: 'EscalationTargetRefused',
      nonRetryable: true,
      message: expect.stringMatching(/internal address.*VOUCH_OUTBOUND_ALLOW_HOSTS/),
    });
    expect(hits).toEqual([]);
  });

  it('an allowed host is reached (how an internal SOAR, or a test stand-in, is configured)', async () => {
    await expect(
      postJson('webhook', `http://127.0.0.1:${port()}/hook`, '{}', {}, ['127.0.0.1']),
    ).resolves.toEqual({
      status: 202,
    });
    await expect(
      postJson('webhook', `http://localhost:${port()}/hook`, '{}', {}, ['LOCALHOST']),
    ).resolves.toEqual({
      status: 202,
    });
    expect(hits).toEqual(['target /hook', 'target /hook']);
  });

  it('a redirect is not followed, not even to an allowed host', async () => {
    answer = { status: 307, headers: { location: `${localUrl(elsewhere)}/internal` } };
    await expect(
      postJson('PagerDuty', `http://127.0.0.1:${port()}/v2/enqueue`, '{}', {}, ['127.0.0.1']),
    ).rejects.toMatchObject({ nonRetryable: true, message: expect.stringMatching(/redirect.*not follow/) });
    expect(hits).toEqual(['target /v2/enqueue']);
  });

  it("the target's answer never reaches the error (and from there the timeline in Slack)", async () => {
    answer = { status: 400, body: '<!channel> *click* <https://evil.example|here> internal-detail-42' };
    const failure = await postJson('webhook', `http://127.0.0.1:${port()}/hook`, '{}', {}, [
      '127.0.0.1',
    ]).catch((e: Error) => e);
    expect(failure).toMatchObject({ message: 'webhook answered HTTP 400', nonRetryable: true });
    answer = { status: 503, body: 'internal-detail-43' };
    const retryable = await postJson('webhook', `http://127.0.0.1:${port()}/hook`, '{}', {}, [
      '127.0.0.1',
    ]).catch((e: Error) => e);
    expect((retryable as Error).message).toBe('webhook answered HTTP 503');
  });

  it('classifies addresses: internal ranges refused, public ones not', () => {
    for (const a of [
      '127.0.0.1',
      '10.0.0.1',
      '172.16.5.4',
      '192.168.0.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      '::ffff:10.0.0.1',
      'not-an-address',
    ])
      expect([a, isInternalAddress(a)]).toEqual([a, true]);
    for (const a of ['203.0.113.7', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111'])
      expect([a, isInternalAddress(a)]).toEqual([a, false]);
  });
});
