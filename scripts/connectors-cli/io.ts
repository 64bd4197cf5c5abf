/** Where the CLI writes: injected so tests run it in-process and read what it printed. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal (progress is shown by default only then). */
  stderrIsTTY?: boolean;
  /** Environment variables (credentials); process.env by default. */
  env?: Record<string, string | undefined>;
}

/** Progress on one stderr line, rewritten in place at most every 200 ms; nothing at all when disabled. */
export class Progress {
  private last = 0;
  private shown = false;

  constructor(
    private readonly io: CliIo,
    readonly enabled: boolean,
  ) {}

  update(text: string, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.last < 200) return;
    this.last = now;
    this.shown = true;
    this.io.stderr(this.io.stderrIsTTY ? `\r\x1b[K${text}` : `${text}\n`);
  }

  /** Ends the progress line so the next message starts on a clean one. */
  done(): void {
    if (this.shown && this.io.stderrIsTTY) this.io.stderr('\r\x1b[K');
    this.shown = false;
  }
}

export function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
