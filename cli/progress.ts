/**
 * A one-line progress indicator on stderr, drawn only when stderr is a terminal (scripts and CI logs
 * get nothing), so output that is data stays clean on stdout.
 */
export function progress(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const enabled = stream.isTTY === true;
  let last = 0;
  return {
    update(done: number, total: number): void {
      if (!enabled || total === 0) return;
      const now = Date.now();
      if (done < total && now - last < 100) return;
      last = now;
      const width = 30;
      const filled = Math.round((done / total) * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
    },
    done(): void {
      if (enabled && last !== 0) stream.write('\n');
    },
  };
}
