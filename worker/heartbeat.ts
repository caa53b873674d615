import fs from 'node:fs';
import path from 'node:path';

/**
 * The worker's health signal for container health checks: while `isHealthy()` holds, the file's
 * modification time is refreshed every `intervalMs`; a check (worker/health-check.ts) fails once the
 * file is older than a few intervals, so a wedged or stopped worker is noticed without a port.
 */
export function startHeartbeat(file: string, isHealthy: () => boolean, intervalMs = 5_000): () => void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const beat = () => {
    if (isHealthy()) fs.writeFileSync(file, `${new Date().toISOString()}\n`);
  };
  beat();
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    fs.rmSync(file, { force: true });
  };
}

/** Whether the heartbeat file was refreshed within `maxAgeMs`; the reason when not. */
export function heartbeatAge(
  file: string,
  maxAgeMs: number,
  now = Date.now(),
): { ok: boolean; reason: string } {
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
  } catch {
    return { ok: false, reason: `no heartbeat file at ${file}: the worker is not running (yet)` };
  }
  const age = now - mtimeMs;
  return age <= maxAgeMs
    ? { ok: true, reason: `heartbeat ${Math.round(age / 1000)} s old` }
    : { ok: false, reason: `heartbeat ${Math.round(age / 1000)} s old (limit ${maxAgeMs / 1000} s)` };
}
