import { percentile } from './stack';

/**
 * The intake as a SIEM calls it, for benchmarks: posts alerts to POST /v1/alerts with `concurrency`
 * requests in flight, retrying 429 and 503 after their Retry-After (capped by `maxRetryWaitMs`, so a
 * benchmark can run at full speed), and counts what came back.
 */
export interface PostAlertsResult {
  /** Alerts whose interview was started (202). */
  started: number;
  /** Alerts whose id already had an interview (200). */
  duplicates: number;
  /** Final answers other than 200/202, by status (after retries). */
  failed: Record<number, number>;
  /** 429 and 503 answers that were retried. */
  retried: Record<number, number>;
  /** From the first attempt to the final answer, per alert, in ms (sorted). */
  latencies: number[];
  p50Ms: number;
  p99Ms: number;
  elapsedMs: number;
}

export async function postAlerts(
  url: string,
  token: string,
  alerts: readonly object[],
  concurrency: number,
  opts: { maxAttempts?: number; maxRetryWaitMs?: number } = {},
): Promise<PostAlertsResult> {
  const endpoint = `${url.replace(/\/+$/, '')}/v1/alerts`;
  const maxAttempts = opts.maxAttempts ?? 20;
  const maxWait = opts.maxRetryWaitMs ?? 10_000;
  const result: PostAlertsResult = {
    started: 0,
    duplicates: 0,
    failed: {},
    retried: {},
    latencies: [],
    p50Ms: NaN,
    p99Ms: NaN,
    elapsedMs: 0,
  };
  const t0 = Date.now();
  let next = 0;
  const postOne = async (alert: object) => {
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      const res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(alert),
      });
      await res.arrayBuffer();
      if ((res.status === 429 || res.status === 503) && attempt < maxAttempts) {
        result.retried[res.status] = (result.retried[res.status] ?? 0) + 1;
        const wait = Math.min(maxWait, Number(res.headers.get('retry-after') ?? '1') * 1000);
        await new Promise((r) => setTimeout(r, wait));
        continue;
      }
      result.latencies.push(performance.now() - started);
      if (res.status === 202) result.started++;
      else if (res.status === 200) result.duplicates++;
      else result.failed[res.status] = (result.failed[res.status] ?? 0) + 1;
      return;
    }
  };
  const lane = async () => {
    for (let i = next++; i < alerts.length; i = next++) await postOne(alerts[i]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, lane));
  result.latencies.sort((a, b) => a - b);
  result.p50Ms = percentile(result.latencies, 50);
  result.p99Ms = percentile(result.latencies, 99);
  result.elapsedMs = Date.now() - t0;
  return result;
}
