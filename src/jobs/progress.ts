/**
 * Progress on a terminal: a bar redrawn in place on stderr when it is a TTY, nothing otherwise
 * (logs and CI get the one-line summary the commands print at the end).
 */
export interface Progress {
  update(done: number, total: number, label?: string): void;
  finish(): void;
}

const WIDTH = 28;
const REDRAW_MS = 100;

export function terminalProgress(title: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update: () => {}, finish: () => {} };
  let lastDraw = 0;
  let drawn = false;
  return {
    update(done, total, label) {
      const now = Date.now();
      if (now - lastDraw < REDRAW_MS && done < total) return;
      lastDraw = now;
      const ratio = total > 0 ? Math.min(1, done / total) : 0;
      const filled = Math.round(ratio * WIDTH);
      const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
      const text = `${title} ${label ?? ''} ${bar} ${(ratio * 100).toFixed(0).padStart(3)}%`;
      stream.write(`\r${text.slice(0, (stream.columns ?? 80) - 1)}\x1b[K`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
