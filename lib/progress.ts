/**
 * A progress line on standard error for commands that walk many records, drawn only when standard
 * error is a terminal (so scripts and pipes see clean output), and cleared when done.
 */
export function progressLine(label: string, stream: NodeJS.WriteStream = process.stderr) {
  const active = Boolean(stream.isTTY);
  let drawn = false;
  return {
    /** Whether anything is drawn: callers skip the work of counting when nothing is. */
    active,
    update(done: number, total: number): void {
      if (!active || total === 0) return;
      const width = 24;
      const filled = Math.round((done / total) * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
      drawn = true;
    },
    done(): void {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}
