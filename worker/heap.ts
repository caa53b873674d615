/**
 * The worker's V8 heap limit in MiB, given on its command line wherever it starts: `npm start`, the
 * Dockerfile, docker-compose.yml and the Helm chart (`worker.heapMiB`). Chosen by measurement with 200
 * interviews cached (VOUCH_MAX_CACHED_WORKFLOWS): with Node's default limit V8 let the garbage of
 * evicted interviews pile up (RSS peak 1.6 GB at 1,000 waiting); at 640 MiB the RSS stayed under 1 GB
 * (README, "Benchmark").
 */
export const WORKER_HEAP_MIB = 640;

/** The node option that sets the heap limit. */
export function heapLimitFlag(mib: number = WORKER_HEAP_MIB): string {
  return `--max-old-space-size=${mib}`;
}
