import { heartbeatAge } from './heartbeat';

/**
 * `node dist/worker/health-check.js <file> [max-age-seconds]`: exits 0 when the worker's heartbeat
 * file is fresh, 1 otherwise. Used by the Compose healthcheck and the Kubernetes probes; it reads no
 * configuration so a probe cannot fail for an unrelated reason.
 */
const [file, maxAge = '30'] = process.argv.slice(2);
if (!file || !/^\d+$/.test(maxAge)) {
  console.error('usage: node dist/worker/health-check.js <heartbeat file> [max age in seconds]');
  process.exit(2);
}
const { ok, reason } = heartbeatAge(file, Number(maxAge) * 1000);
console.log(reason);
process.exit(ok ? 0 : 1);
