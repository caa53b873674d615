import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { ApplicationFailure } from '@temporalio/common';

/**
 * One POST to an escalation target (PagerDuty, a webhook), with its failures sorted for Temporal's
 * retry policy: timeouts, network errors, 408, 429 and 5xx are retried with backoff; other 4xx answers
 * mean the request itself is wrong and are not.
 *
 * A target cannot turn the call inward: redirects are not followed, and loopback, private, link-local
 * (cloud metadata), multicast and reserved addresses are refused, checked on the address the
 * connection actually uses (the lookup that connects is the one checked, so a name that resolves to a
 * public address once and an internal one next time does not pass). Hosts listed in
 * VOUCH_OUTBOUND_ALLOW_HOSTS (an internal SOAR, a test's stand-in) are exempt. Messages never include
 * the URL's query, the request body or the target's answer (it could carry anything into Slack).
 */
export async function postJson(
  target: string,
  url: string,
  body: string,
  headers: Record<string, string> = {},
  allowHosts: readonly string[] = [],
): Promise<{ status: number }> {
  const parsed = new URL(url);
  const host = parsed.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const allowed = allowHosts.some((h) => h.toLowerCase() === host);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw refused(target, `${parsed.protocol} URLs are not supported`);
  if (!allowed && net.isIP(host) && isInternalAddress(host))
    throw refused(
      target,
      `${host} is an internal address (list the host in VOUCH_OUTBOUND_ALLOW_HOSTS to allow it)`,
    );

  let res: { status: number; retryAfter?: string };
  try {
    res = await send(
      parsed,
      body,
      { 'content-type': 'application/json', 'user-agent': 'Vouch', ...headers },
      allowed,
    );
  } catch (err) {
    if (err instanceof InternalAddressError)
      throw refused(
        target,
        `${parsed.host} resolves to an internal address (${err.address}); list the host in VOUCH_OUTBOUND_ALLOW_HOSTS to allow it`,
      );
    throw new Error(`${target}: no answer from ${parsed.host}: ${(err as Error).message}`);
  }
  if (res.status >= 200 && res.status < 300) return { status: res.status };
  const message = `${target} answered HTTP ${res.status}`;
  if (res.status >= 300 && res.status < 400)
    throw ApplicationFailure.create({
      type: 'EscalationTargetRejected',
      message: `${message} (a redirect, which Vouch does not follow: configure the final URL)`,
      nonRetryable: true,
    });
  if (res.status === 429) {
    const seconds = Number(res.retryAfter);
    throw ApplicationFailure.create({
      type: 'EscalationTargetRateLimited',
      message,
      ...(seconds > 0 ? { nextRetryDelay: `${Math.min(seconds, 300)}s` } : {}),
    });
  }
  if (res.status >= 400 && res.status < 500 && res.status !== 408)
    throw ApplicationFailure.create({ type: 'EscalationTargetRejected', message, nonRetryable: true });
  throw new Error(message);
}

// Two lists: a BlockList also matches IPv4 addresses against IPv4-mapped IPv6 rules.
const INTERNAL_V4 = new net.BlockList();
const INTERNAL_V6 = new net.BlockList();
for (const [subnet, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  INTERNAL_V4.addSubnet(subnet, prefix, 'ipv4');
for (const [subnet, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96], // IPv4-mapped: could name any IPv4 address
  ['64:ff9b::', 96], // NAT64: likewise
  ['fc00::', 7], // unique local (AWS metadata's fd00:ec2::254 among them)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  INTERNAL_V6.addSubnet(subnet, prefix, 'ipv6');

/** True for loopback, private, link-local, metadata, multicast and reserved addresses (and non-addresses). */
export function isInternalAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 0) return true;
  return family === 4 ? INTERNAL_V4.check(address, 'ipv4') : INTERNAL_V6.check(address, 'ipv6');
}

class InternalAddressError extends Error {
  override readonly name = 'InternalAddressError';
  constructor(readonly address: string) {
    super(`resolves to the internal address ${address}`);
  }
}

/** dns.lookup, refusing the name when any address it resolves to is internal. */
const guardedLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 0);
    const internal = addresses.find((a) => isInternalAddress(a.address));
    if (internal) return callback(new InternalAddressError(internal.address), '', 0);
    if (options.all)
      return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
    return callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

function send(
  url: URL,
  body: string,
  headers: Record<string, string>,
  allowed: boolean,
): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        agent: false,
        signal: AbortSignal.timeout(10_000),
        ...(allowed ? {} : { lookup: guardedLookup }),
      },
      (res) => {
        // The answer's body is not needed (and never shown): drain it, bounded by the timeout.
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }));
        res.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

function refused(target: string, why: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: 'EscalationTargetRefused',
    message: `${target}: refused to call ${why}`,
    nonRetryable: true,
  });
}
